"""Reports: the funnel and per-partner KPIs (queries and page), partner users see only their own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from dashboard_seed import login, seed_inbox, seed_users
from sqlalchemy import select

from radar import commands
from radar.db import get_sessionmaker
from radar.models import Partner, User, utcnow
from radar.queries import funnel, partner_kpis

pytestmark = pytest.mark.usefixtures("config_dir")


@pytest.fixture
def pipeline(db_url):
    """10 opportunities: 2 contacted, 1 dismissed, 4 leads offered to both partners. ACME reserves
    two: one goes SAL → SQL → won (1,200), one SAL → lost; Beta reserves one and reports late
    (SAL, SQL); one stays on the pick lists. Everything through the real functions; the partners'
    actions happen over the following days (``now`` moves forward)."""
    from radar.config import load_config
    from radar.leads import give_feedback, reserve_lead

    t = utcnow()
    cfg = load_config()
    with get_sessionmaker(db_url).begin() as s:
        users = seed_users(s)
    opps = seed_inbox(db_url, n=10, now=t)
    with get_sessionmaker(db_url).begin() as s:
        carl = s.get(User, users["carl"])
        commands.mark_contacted(s, opps[0], carl.id)
        commands.mark_contacted(s, opps[1], carl.id)
        commands.dismiss_opportunity(s, opps[2], carl.id, "spam")
        lead_ids = [commands.make_lead(s, o, carl, cfg) for o in opps[3:7]]
        assert [commands.offer_now(s, lid, carl, cfg) for lid in lead_ids] == [2, 2, 2, 2]
        acme, beta = (s.scalars(select(Partner.id).where(Partner.name == n)).one() for n in ("ACME IT", "Beta Systems"))
        day = dt.timedelta(days=1)
        for lid, pid, user in ((lead_ids[0], acme, "paul"), (lead_ids[1], acme, "paul"), (lead_ids[2], beta, "bea")):
            reserve_lead(s, lid, pid, users[user], cfg, now=t + dt.timedelta(hours=1))
        give_feedback(s, lead_ids[0], acme, "SAL", user_id=users["paul"], now=t + 2 * day, cfg=cfg)
        give_feedback(s, lead_ids[0], acme, "SQL", user_id=users["paul"], now=t + 3 * day, cfg=cfg)
        give_feedback(s, lead_ids[0], acme, "won", deal_size=Decimal("1200"), user_id=users["paul"], now=t + 5 * day, cfg=cfg)
        give_feedback(s, lead_ids[1], acme, "SAL", user_id=users["paul"], now=t + 2 * day, cfg=cfg)
        give_feedback(s, lead_ids[1], acme, "lost", reason="price", user_id=users["paul"], now=t + 4 * day, cfg=cfg)
        give_feedback(s, lead_ids[2], beta, "SAL", user_id=users["bea"], now=t + 9 * day, cfg=cfg)
        give_feedback(s, lead_ids[2], beta, "SQL", user_id=users["bea"], now=t + 9 * day, cfg=cfg)
    return t


def test_funnel_counts(pipeline, session):
    rows = funnel(session, pipeline - dt.timedelta(days=2), pipeline + dt.timedelta(hours=1), bucket="month")
    total = {k: sum(r[k] for r in rows) for k in ("found", "reviewed", "contacted", "lead", "SAL", "SQL", "won")}
    assert total == {"found": 10, "reviewed": 7, "contacted": 6, "lead": 4, "SAL": 3, "SQL": 2, "won": 1}
    acme_id = session.scalars(select(Partner.id).where(Partner.name == "ACME IT")).one()
    mine = funnel(session, pipeline - dt.timedelta(days=2), pipeline + dt.timedelta(hours=1), bucket="month", partner_id=acme_id)
    assert sum(r["lead"] for r in mine) == 2 and sum(r["won"] for r in mine) == 1 and sum(r["found"] for r in mine) == 2


def test_partner_kpis(pipeline, session):
    k = {r["partner"]: r for r in partner_kpis(session, since=pipeline - dt.timedelta(days=1), now=pipeline + dt.timedelta(days=10))}
    assert k["ACME IT"]["reserved"] == 2 and k["ACME IT"]["conversion_rate"] == 0.5 and k["ACME IT"]["avg_deal_size"] == 1200.0
    assert 4.9 < k["ACME IT"]["avg_deal_days"] < 5.0 and k["ACME IT"]["feedback_compliance"] == 1.0
    assert k["Beta Systems"]["conversion_rate"] is None and k["Beta Systems"]["feedback_compliance"] == 0.0


def test_reports_page_admin(pipeline):
    at = login("ada")
    at.switch_page("app_pages/reports.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["found"] == "10" and metrics["won"] == "1"
    kpis = at.dataframe[1].value.set_index("partner")
    assert set(kpis.index) == {"ACME IT", "Beta Systems"}
    assert len(at.get("download_button")) == 2


def test_reports_page_partner_sees_only_itself(pipeline):
    at = login("paul")
    at.switch_page("app_pages/reports.py").run()
    assert not at.exception
    kpis = at.dataframe[-1].value
    assert list(kpis["partner"]) == ["ACME IT"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["found"] == "2" and metrics["lead"] == "2"
