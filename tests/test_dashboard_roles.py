"""Every role sees its pages (and only those), and every page renders for it without an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_seed import login, seed_inbox, seed_users

from dashboard.navigation import PAGES_BY_ROLE
from radar.db import get_sessionmaker

pytestmark = pytest.mark.usefixtures("config_dir")


PAGES = {role: [f for f, _, _ in pages] for role, pages in PAGES_BY_ROLE.items()}
USERS = {"admin": "ada", "marketing": "mia", "consultant": "carl", "qualifier": "quinn", "partner": "paul"}


@pytest.mark.parametrize("role", sorted(USERS))
def test_role_pages_render(role, db_url):
    with get_sessionmaker(db_url).begin() as s:
        seed_users(s)
    seed_inbox(db_url, n=5)

    at = login(USERS[role])
    assert at.sidebar.text[0].value.endswith(f"· {role}")
    here = Path(__file__).resolve().parents[1] / "dashboard" / "app_pages"
    expected = [p for p in PAGES[role] if (here / p).exists()]
    assert expected
    for page in expected:
        at.switch_page(f"app_pages/{page}").run()
        assert not at.exception, (role, page, at.exception)
        assert at.title, (role, page)
    others = {p for ps in PAGES.values() for p in ps} - set(PAGES[role])
    for page in others:
        if (here / page).exists():
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(f"app_pages/{page}")


def test_logout_forgets_the_user(db_url):
    with get_sessionmaker(db_url).begin() as s:
        seed_users(s)
    at = login("carl")
    at.sidebar.button[0].click().run()
    assert [b.label for b in at.button] == ["Log in"]


def test_lockout_after_failed_logins(db_url):
    from dashboard_seed import APP, PASSWORD
    from streamlit.testing.v1 import AppTest

    with get_sessionmaker(db_url).begin() as s:
        seed_users(s)
    at = AppTest.from_file(APP, default_timeout=60).run()
    for _ in range(5):
        at.text_input[0].input("carl")
        at.text_input[1].input("wrong-password")
        at.button[0].click()
        at = at.run()
    at.text_input[0].input("carl")
    at.text_input[1].input(PASSWORD)
    at.button[0].click()
    at = at.run()
    assert "Too many failed attempts" in at.error[0].value
