"""Pick list and My leads (partners): teasers, first to reserve wins, the feedback form, overdue
feedback blocks reserving — with the leads package's real functions."""

from __future__ import annotations

import datetime as dt

import pytest
from dashboard_seed import login, seed_inbox, seed_users, texts
from sqlalchemy import select

from radar import commands
from radar.db import get_sessionmaker
from radar.models import Feedback, Lead, Partner, User, utcnow

pytestmark = pytest.mark.usefixtures("config_dir")


@pytest.fixture
def offered(db_url):
    """Three leads (the hostile post among them) offered to ACME and Beta."""
    from radar.config import load_config

    cfg = load_config()
    with get_sessionmaker(db_url).begin() as s:
        users = seed_users(s)
    opps = seed_inbox(db_url, n=6)
    with get_sessionmaker(db_url).begin() as s:
        carl = s.get(User, users["carl"])
        leads = [commands.make_lead(s, o, carl, cfg) for o in opps[:3]]
        for lid in leads:
            commands.offer_now(s, lid, carl, cfg)
    return users, leads


def _page(user, page):
    at = login(user)
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def test_pick_list_shows_teasers_only(offered):
    users, leads = offered
    at = _page("paul", "pick_list")
    assert f"{len(leads)} leads offered to you" in texts(at)
    shown = "\n".join(t.value for t in at.text)
    assert "onerror" not in shown or "<img" in shown  # web text, if any, is plain st.text
    assert "forum.example" not in texts(at) and "user0" not in texts(at)  # no URL, no author before reserving
    assert {b.key for b in at.button if b.key and b.key.startswith("reserve_")} == {f"reserve_{i}" for i in leads}


def test_first_to_reserve_wins_and_loser_is_told(offered, db_url):
    users, leads = offered
    bea = _page("bea", "pick_list")  # Beta sees the lead ...
    paul = _page("paul", "pick_list")
    paul.button(key=f"reserve_{leads[0]}").click().run()
    assert f"Lead #{leads[0]} is yours" in texts(paul)
    assert f"reserve_{leads[0]}" not in {b.key for b in paul.button}
    bea.button(key=f"reserve_{leads[0]}").click().run()  # ... but ACME was faster
    assert f"Too late: another partner reserved lead #{leads[0]}" in texts(bea)
    with get_sessionmaker(db_url).begin() as s:
        lead = s.get(Lead, leads[0])
        assert lead.status == "reserved" and s.get(Partner, lead.partner_id).name == "ACME IT"
    assert f"reserve_{leads[0]}" not in {b.key for b in bea.run().button}


def test_my_leads_details_and_feedback(offered, db_url):
    users, leads = offered
    paul = _page("paul", "pick_list")
    paul.button(key=f"reserve_{leads[1]}").click().run()
    paul.switch_page("app_pages/my_leads.py").run()
    assert not paul.exception
    assert paul.dataframe[0].value["lead"].tolist() == [leads[1]]
    assert any(b.label.startswith("Open the original post") for b in paul.get("link_button"))
    paul.selectbox[1].select("SAL")  # outcome (selectbox 0 picks the lead)
    [b for b in paul.button if b.label == "Send feedback"][0].click().run()
    assert f"feedback on lead #{leads[1]} recorded" in texts(paul)
    with get_sessionmaker(db_url).begin() as s:
        fb = s.scalars(select(Feedback)).one()
        assert (fb.lead_id, fb.outcome) == (leads[1], "SAL") and s.get(Lead, leads[1]).stage == "SAL"


def test_won_needs_a_deal_size(offered, db_url):
    users, leads = offered
    paul = _page("paul", "pick_list")
    paul.button(key=f"reserve_{leads[1]}").click().run()
    paul.switch_page("app_pages/my_leads.py").run()
    paul.selectbox[1].select("won")
    [b for b in paul.button if b.label == "Send feedback"][0].click().run()
    assert any("deal size" in e.value for e in paul.error)
    paul.number_input[0].set_value(4500.0)
    [b for b in paul.button if b.label == "Send feedback"][0].click().run()
    with get_sessionmaker(db_url).begin() as s:
        lead = s.get(Lead, leads[1])
        assert (lead.stage, float(lead.deal_size)) == ("won", 4500.0)


def test_overdue_feedback_blocks_reserving(offered, db_url):
    from radar.config import load_config
    from radar.leads import reserve_lead

    users, leads = offered
    with get_sessionmaker(db_url).begin() as s:
        acme = s.scalars(select(Partner.id).where(Partner.name == "ACME IT")).one()
        reserve_lead(s, leads[2], acme, users["paul"], load_config(), now=utcnow() - dt.timedelta(days=8))
    paul = _page("paul", "pick_list")
    assert "You can look but not reserve" in texts(paul)
    assert all(b.disabled for b in paul.button if b.key and b.key.startswith("reserve_"))
    paul.switch_page("app_pages/my_leads.py").run()
    assert f"Feedback overdue on 1 lead(s): #{leads[2]}" in paul.error[0].value
