"""The dashboard in a real browser: log in, review an opportunity, make a lead, reserve it as a
partner, give feedback; hostile post text never executes; screenshots of every page."""

from __future__ import annotations

import re

import pytest
from browser_app import SHOTS, browser, require_browser, streamlit_server
from dashboard_seed import PASSWORD, seed_inbox, seed_users

from radar.db import get_sessionmaker

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("timing")]  # with the wall-clock tests on one xdist worker


@pytest.fixture
def app(sqlite_url, tmp_path, monkeypatch):
    require_browser()
    import shutil
    from pathlib import Path

    folder = tmp_path / "instance" / "config"
    shutil.copytree(Path(__file__).resolve().parents[1] / "config", folder)
    with get_sessionmaker(sqlite_url).begin() as s:
        seed_users(s)
    seed_inbox(sqlite_url, n=30)

    env = {"RADAR_CONFIG": str(folder), "RADAR_DATABASE_URL": sqlite_url, "RADAR_TEST_LOG": str(tmp_path / "streamlit.log")}
    with streamlit_server(env) as base, browser() as b:
        yield base, b


def _login(page, base, username):
    page.goto(base)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Log out").wait_for(timeout=30000)


def _wait_idle(page):
    page.wait_for_timeout(300)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)


# Charts and data grids draw after the script finished. Instead of a fixed 1.5 s per screenshot:
# wait until the script run is over, no skeleton is shown, every visible data grid has its canvas
# and every visible chart its SVG/canvas, fonts are loaded, and the page has not changed for 300 ms.
_DRAWN = """() => {
  if (window.__radarLastMutation === undefined) {
    window.__radarLastMutation = performance.now();
    new MutationObserver(() => { window.__radarLastMutation = performance.now(); })
      .observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
    return false;
  }
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.fonts && document.fonts.status !== 'loaded') return false;
  const shown = e => e.getClientRects().length > 0;
  const all = sel => Array.from(document.querySelectorAll(sel)).filter(shown);
  if (all('[data-testid="stSkeleton"]').length) return false;
  if (all('[data-testid="stDataFrame"]').some(e => !e.querySelector('canvas'))) return false;
  if (all('[data-testid="stVegaLiteChart"]').some(e => !e.querySelector('svg, canvas'))) return false;
  return performance.now() - window.__radarLastMutation > 300;
}"""


def _shot(page, name):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    SHOTS.mkdir(exist_ok=True)
    _wait_idle(page)
    page.wait_for_load_state("networkidle")
    try:
        page.wait_for_function(_DRAWN, timeout=10000, polling=100)
    except PlaywrightTimeout:
        pass  # the screenshot is for a person to look at; take it as the page is (as a fixed wait did)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _select(page, label, option_text):
    box = page.get_by_label(label)
    box.click()
    page.get_by_role("option", name=re.compile(re.escape(option_text))).first.click()
    _wait_idle(page)


def test_review_make_lead_reserve_and_give_feedback(app):
    """The whole way of a lead, as people click it: a consultant reviews a hostile post (nothing
    runs), makes a lead of another post and offers it; a partner reserves it and reports."""
    base, b = app
    page = b.new_page(viewport={"width": 1400, "height": 2200})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _login(page, base, "carl")
    page.get_by_role("heading", name="Today").wait_for()
    _shot(page, "consultant_today")
    _select(page, "Open an opportunity", "Wer kann helfen")
    page.get_by_text("Persona points per criterion").wait_for()
    # the hostile title and body are visible as text, and nothing of them ran
    assert page.get_by_text("<script>window.__pwned=1</script>", exact=False).count() >= 1
    assert page.get_by_text('<img src=x onerror="window.__pwned=1;alert(1)">', exact=False).count() >= 1
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img[src=x]").count() == 0 and page.locator(".katex").count() == 0
    _shot(page, "consultant_detail_hostile")
    assert not dialogs, f"a dialog opened: {dialogs}"

    _select(page, "Open an opportunity", "Post 1:")
    page.get_by_role("button", name="Make lead").click()
    page.get_by_text(re.compile(r"Lead #\d+ created")).wait_for()
    _shot(page, "consultant_lead_created")
    page.get_by_role("button", name="Offer to partners now").click()
    page.get_by_text(re.compile(r"offered to 2 partner")).wait_for()
    _shot(page, "consultant_made_lead")
    for title in ("Radars", "Reports", "Overview"):
        page.get_by_role("link", name=title).click()
        page.get_by_role("heading", name=re.compile(title)).first.wait_for()
        _shot(page, f"consultant_{title.lower()}")
    assert page.evaluate("typeof window.__pwned") == "undefined" and not dialogs

    partner = b.new_page(viewport={"width": 1400, "height": 2200})
    partner.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _login(partner, base, "paul")
    partner.get_by_role("heading", name="Pick list").wait_for()
    partner.get_by_text("1 lead offered to you").wait_for()
    _shot(partner, "partner_pick_list")
    partner.get_by_role("button", name="Reserve").click()
    partner.get_by_text(re.compile(r"Lead #\d+ is yours")).wait_for()
    partner.get_by_role("link", name="My leads").click()
    partner.get_by_role("heading", name="My leads").wait_for()
    partner.get_by_role("button", name="Send feedback").wait_for()
    _shot(partner, "partner_my_leads")
    _select(partner, "Outcome", "accepted (SAL)")
    partner.get_by_role("button", name="Send feedback").click()
    partner.get_by_text(re.compile(r"feedback on lead #\d+ recorded")).wait_for()
    _shot(partner, "partner_feedback_given")
    partner.get_by_role("link", name="Reports").click()
    partner.get_by_role("heading", name="Reports").wait_for()
    _shot(partner, "partner_reports")
    assert not dialogs


def test_admin_and_marketing_pages(app):
    base, b = app
    page = b.new_page(viewport={"width": 1400, "height": 2200})
    _login(page, base, "ada")
    for title in ("Sources", "Reports", "Today", "Classifier"):
        page.get_by_role("link", name=title).click()
        page.get_by_role("heading", name=re.compile(title)).first.wait_for()
        _shot(page, f"admin_{title.lower()}")
    for tab in ("Threshold", "Personas"):
        page.get_by_role("tab", name=tab).click()
        _shot(page, f"marketing_classifier_{tab.lower()}")
