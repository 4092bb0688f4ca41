"""Visibility, enforced in the query functions: each role and each level of the hierarchy."""

from __future__ import annotations

import json

import pytest

from radar.leads import (
    NotVisible, create_lead, get_lead, get_teaser, my_leads, offer_lead, pick_list, reserve_lead, visible_leads,
)
from radar.models import Offer

import leadkit
from leadkit import T0


@pytest.fixture
def world(session):
    h = leadkit.hierarchy(session)
    p, u = h["p"], h["u"]
    cfg = leadkit.settings(offer_group_size=2)
    leads = {}

    def reserved_by(name, region):
        opp = leadkit.opportunity(session, title=f"Lead für {name}", body="Bitte melden: 0171 2345678",
                                  author=f"author_{name}")
        lead = create_lead(session, opp.id, h["u"]["consultant"], cfg, now=T0, region=region)
        session.add(Offer(lead_id=lead.id, partner_id=p[name].id, round=1, offered_at=T0, expires_at=T0 + leadkit.dt.timedelta(days=1)))
        lead.status = "offered"
        session.flush()
        reserve_lead(session, lead.id, p[name].id, cfg=cfg, now=T0)
        leads[name] = lead.id

    for name, region in (("nord", "DE-20"), ("sued", "DE-80"), ("wien", "AT"), ("direkt", "DE")):
        reserved_by(name, region)
    opp = leadkit.opportunity(session, title="Offen: DATEV Hamburg", body="Kontakt max@example.com", author="secret_author")
    lead = create_lead(session, opp.id, "user:anna", cfg, now=T0, region="DE")
    offer_lead(session, lead.id, cfg, now=T0)
    leads["offered"] = lead.id
    opp = leadkit.opportunity(session, score=20)  # below the gate: stays new
    leads["new"] = create_lead(session, opp.id, "user:anna", cfg, now=T0).id
    return {"p": p, "u": u, "leads": leads, "cfg": cfg}


def _ids(records):
    return {r["id"] for r in records}


@pytest.mark.parametrize("username,expected", [
    ("admin", {"nord", "sued", "wien", "direkt", "offered", "new"}),
    ("consultant", {"nord", "sued", "wien", "direkt", "offered", "new"}),
    ("marketing", {"nord", "sued", "wien", "direkt", "offered", "new"}),
    ("acme", {"nord", "sued", "wien", "direkt", "offered", "new"}),  # the manufacturer sees everything
    ("distri", {"nord", "sued"}),  # a distributor: its subtree
    ("distri_at", {"wien"}),
    ("nord", {"nord"}),  # a reseller: its own
    ("sued", {"sued"}),
    ("direkt", {"direkt"}),
    ("qualifier", {"new"}),  # leads waiting for qualification
])
def test_visible_leads_per_role_and_level(session, world, username, expected):
    user = world["u"][username]
    want = {world["leads"][k] for k in expected}
    assert _ids(visible_leads(session, user)) == want
    for key, lead_id in world["leads"].items():
        if lead_id in want:
            assert get_lead(session, user, lead_id)["id"] == lead_id
        else:
            with pytest.raises(NotVisible):
                get_lead(session, user, lead_id)


def test_inactive_user_sees_nothing(session, world):
    user = world["u"]["admin"]
    user.active = False
    session.flush()
    assert visible_leads(session, user) == []
    assert pick_list(session, user) == []
    with pytest.raises(NotVisible):
        get_lead(session, user, world["leads"]["nord"])


def test_details_only_after_reserving(session, world):
    u, leads = world["u"], world["leads"]
    offered_to = {t["lead_id"]: name for name in ("nord", "sued", "direkt", "wien")
                  for t in pick_list(session, u[name], now=T0)}
    holders = [name for name in ("nord", "sued", "direkt", "wien") if leads["offered"] in
               {t["lead_id"] for t in pick_list(session, u[name], now=T0)}]
    assert len(holders) == 2 and offered_to
    user = u[holders[0]]
    teasers = pick_list(session, user, now=T0)
    teaser = next(t for t in teasers if t["lead_id"] == leads["offered"])
    text = json.dumps(teasers)
    for secret in ("forum.example.de", "secret_author", "max@example.com", "0171", "url", "author", "contact"):
        assert secret not in text
    assert teaser["can_reserve"] is True and teaser["age_hours"] == 0
    assert {"temperature", "intent", "persona", "region", "summary"} <= set(teaser)
    assert teaser["summary"] and "[e-mail]" in teaser["summary"]
    assert get_teaser(session, user, leads["offered"])["lead_id"] == leads["offered"]
    with pytest.raises(NotVisible, match="reserve it to see its details"):
        get_lead(session, user, leads["offered"])
    reserve_lead(session, leads["offered"], user.partner_id, cfg=world["cfg"], now=T0)
    full = get_lead(session, user, leads["offered"])
    assert full["origin"]["url"].startswith("https://forum.example.de/") and full["contact"]["author"] == "secret_author"
    assert [e["kind"] for e in full["events"]] == ["created", "offered", "reserved"]
    other = u[holders[1]]
    assert leads["offered"] not in {t["lead_id"] for t in pick_list(session, other, now=T0)}  # gone from the other list
    with pytest.raises(NotVisible):
        get_lead(session, other, leads["offered"])


def test_my_leads_is_own_partner_not_subtree(session, world):
    u, leads = world["u"], world["leads"]
    assert _ids(my_leads(session, u["nord"])) == {leads["nord"]}
    assert my_leads(session, u["nord"])[0]["reservation"]["status"] == "active"
    assert my_leads(session, u["distri"]) == []
    assert _ids(my_leads(session, u["consultant"])) == {leads[k] for k in ("nord", "sued", "wien", "direkt")}


def test_staff_pick_list_and_teasers_of_strangers(session, world):
    u, leads = world["u"], world["leads"]
    staff = pick_list(session, u["consultant"])
    assert [t["lead_id"] for t in staff] == [leads["offered"]]
    assert staff[0]["can_reserve"] is False
    assert pick_list(session, u["qualifier"]) == []
    with pytest.raises(NotVisible):
        get_teaser(session, u["wien"], leads["offered"])
