"""Leads: creation with honest origin, the qualification gate, stages, matching and fairness,
reservation rules, declining, feedback and the feedback gate, the outbox events."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from radar.leads import (
    AlreadyReserved, FeedbackOverdue, LeadError, NotOffered, QualificationError, StageError, add_partner, add_radar,
    auto_create_leads, change_stage, create_lead, decline_offer, give_feedback, match_partners, offer_lead, qualify_lead,
    reserve_lead, update_lead,
)
from radar.models import Feedback, Lead, LeadEvent, Offer, Opportunity, OutboxEvent, Partner, Reservation

import leadkit
from leadkit import T0


def _lead(s, cfg=None, **kw):
    cfg = cfg or leadkit.settings()
    region = kw.pop("region", "DE-20095")
    opp = leadkit.opportunity(s, **kw)
    return create_lead(s, opp.id, "user:anna", cfg, now=T0, region=region)


# --------------------------------------------------------------------------- creation and origin
def test_create_lead_keeps_origin_and_temperature_honest(session):
    h = leadkit.hierarchy(session)
    add_radar(session, "DATEV Nord", 'datev AND (berater OR hilfe)', partner=h["p"]["nord"], min_score=50)
    add_radar(session, "Drucker", "drucker", partner=h["p"]["sued"])
    opp = leadkit.opportunity(session, title="Suche DATEV Berater", body="Wer hilft? Mail an max@example.com",
                              score=62, temperature="warm")
    lead = create_lead(session, opp.id, "user:anna", leadkit.settings(), now=T0)
    assert (lead.temperature, lead.score, lead.stage, lead.status) == ("warm", 62, "MQL", "ready")
    assert lead.origin["source"] == "forum-de" and lead.origin["url"].startswith("https://forum.example.de/t/")
    assert [r["name"] for r in lead.origin["radars"]] == ["DATEV Nord"]
    assert lead.origin["why"]["request"] == "asks for a recommendation"
    assert lead.skills == ["datev"]  # partner skill tags found in the text
    assert "max@example.com" not in lead.summary and "[e-mail]" in lead.summary
    assert session.get(Opportunity, opp.id).status == "lead"
    ev = session.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead.id)).all()
    assert [(e.kind, e.actor, e.at) for e in ev] == [("created", "user:anna", T0)]
    with pytest.raises(LeadError, match="already"):
        create_lead(session, opp.id, "user:anna", leadkit.settings(), now=T0)


def test_auto_create_above_threshold_only(session):
    hi = leadkit.opportunity(session, score=90)
    lo = leadkit.opportunity(session, score=60)
    assert auto_create_leads(session, leadkit.settings(auto_lead_min_score=0)) == []
    made = auto_create_leads(session, leadkit.settings(auto_lead_min_score=85), now=T0)
    assert [lead.opportunity_id for lead in made] == [hi.id]
    assert session.scalar(select(Lead.id).where(Lead.opportunity_id == lo.id)) is None
    assert auto_create_leads(session, leadkit.settings(auto_lead_min_score=85), now=T0) == []  # not twice
    assert session.scalar(select(LeadEvent.actor).where(LeadEvent.lead_id == made[0].id)) == "system:auto"


# --------------------------------------------------------------------------- gate
def test_gate_min_score_required_fields_and_qualification_step(session):
    h = leadkit.hierarchy(session)
    cfg = leadkit.settings(offer_min_score=50, required_fields=["summary", "region"])
    low = _lead(session, cfg, score=45, region=None)
    assert low.status == "new"
    with pytest.raises(QualificationError) as err:
        offer_lead(session, low.id, cfg, now=T0)
    assert any("score 45 is below 50" in p for p in err.value.problems)
    assert any("region is empty" in p for p in err.value.problems)
    assert session.scalar(select(func.count()).select_from(Offer)) == 0

    cfg = leadkit.settings(require_qualification=True)
    lead = _lead(session, cfg)
    assert lead.status == "qualifying"
    with pytest.raises(QualificationError, match="not confirmed"):
        offer_lead(session, lead.id, cfg, now=T0)
    with pytest.raises(LeadError, match="may not qualify"):
        qualify_lead(session, lead.id, h["u"]["nord"], need=True, budget=True, contact=True, cfg=cfg, now=T0)
    qualify_lead(session, lead.id, h["u"]["qualifier"], need=True, budget=False, contact=True, cfg=cfg, now=T0)
    assert lead.status == "qualifying"
    qualify_lead(session, lead.id, h["u"]["qualifier"], need=True, budget=True, contact=True, note="20 Plätze", cfg=cfg, now=T0)
    assert lead.status == "ready" and lead.qualification["by"] == "u_qualifier"
    assert offer_lead(session, lead.id, cfg, now=T0)
    nope = _lead(session, cfg)
    qualify_lead(session, nope.id, h["u"]["qualifier"], need=False, budget=False, contact=True, cfg=cfg, now=T0)
    assert (nope.stage, nope.status, nope.lost_reason) == ("lost", "closed", "no need (qualification)")

    cfg = leadkit.settings(offer_min_stage="SAL")
    early = _lead(session, cfg)
    assert early.status == "new"
    change_stage(session, early.id, "SAL", "user:anna", now=T0)
    update_lead(session, early.id, "user:anna", cfg, now=T0, summary="Sucht DATEV-Hilfe")
    assert early.status == "ready"


# --------------------------------------------------------------------------- stages
def test_stages_move_forward_only_and_every_change_is_an_event(session):
    lead = _lead(session)
    with pytest.raises(StageError, match="forward"):
        change_stage(session, lead.id, "MQL", "user:anna")
    change_stage(session, lead.id, "SQL", "user:anna", now=T0 + dt.timedelta(hours=1))
    with pytest.raises(StageError, match="not to SAL"):
        change_stage(session, lead.id, "SAL", "user:anna")
    with pytest.raises(StageError, match="deal size"):
        change_stage(session, lead.id, "won", "user:anna")
    with pytest.raises(StageError, match="unknown stage"):
        change_stage(session, lead.id, "closed", "user:anna")
    change_stage(session, lead.id, "won", "user:bob", now=T0 + dt.timedelta(days=3), deal_size="12500.5")
    assert (lead.stage, lead.status, lead.deal_size, lead.closed_at) == ("won", "closed", Decimal("12500.50"), T0 + dt.timedelta(days=3))
    with pytest.raises(StageError, match="closed lead"):
        change_stage(session, lead.id, "lost", "user:anna", reason="x")
    events = session.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead.id).order_by(LeadEvent.id)).all()
    assert [(e.kind, e.from_stage, e.to_stage, e.actor) for e in events] == [
        ("created", None, None, "user:anna"), ("stage_changed", "MQL", "SQL", "user:anna"), ("won", "SQL", "won", "user:bob")]
    assert events[-1].data == {"deal_size": "12500.50"}
    lost = _lead(session)
    with pytest.raises(StageError, match="reason"):
        change_stage(session, lost.id, "lost", "user:anna", reason=" ")
    change_stage(session, lost.id, "lost", "user:anna", reason="went with a competitor")
    assert lost.lost_reason == "went with a competitor"


# --------------------------------------------------------------------------- matching
def test_hard_filters_and_ranking(session):
    h = leadkit.hierarchy(session)
    p = h["p"]
    cfg = leadkit.settings(offer_group_size=5)
    lead = _lead(session, cfg, region="DE-80331")  # Munich: Sued (DE-8) and Direkt (DE)
    res = match_partners(session, lead, cfg, now=T0)
    assert [m.partner for m in res.matches] == ["Sued", "Direkt"]  # Sued has the lead's skill datev
    assert res.rejected["Nord"].startswith("region DE-80331")
    assert res.rejected["Wien"].startswith("region")
    assert "does not take part" in res.rejected["Distri"] and "does not take part" in res.rejected["ACME"]
    sued = res.matches[0]
    assert sued.components["skill"] == 1.0 and res.matches[1].components["skill"] == 0.0

    update_lead(session, lead.id, "user:anna", cfg, required_certifications=["DATEV-Partner"])
    p["direkt"].certifications = ["datev-partner"]
    session.flush()
    res = match_partners(session, lead, cfg, now=T0)
    assert [m.partner for m in res.matches] == ["Direkt"]
    assert res.rejected["Sued"] == "missing certification datev-partner"

    update_lead(session, lead.id, "user:anna", cfg, required_certifications=[], required_skills=["microsoft-365"])
    assert [m.partner for m in match_partners(session, lead, cfg, now=T0).matches] == ["Direkt"]
    update_lead(session, lead.id, "user:anna", cfg, required_skills=[])

    p["direkt"].active = False
    p["sued"].capacity_per_week = 0
    session.flush()
    res = match_partners(session, lead, cfg, now=T0)
    assert res.matches == []
    assert res.rejected["Direkt"] == "inactive" and res.rejected["Sued"].startswith("no capacity left this week")


def test_level_weight_and_smoothed_conversion_rank(session):
    cfg = leadkit.settings(offer_group_size=3, weight_skill=0, weight_load=0, weight_level=0.5, weight_conversion=0.5)
    a = add_partner(session, "A", "reseller", level_weight=1.0)
    b = add_partner(session, "B", "reseller", level_weight=2.0)
    c = add_partner(session, "C", "reseller", level_weight=1.0)
    # history: A won 3 of 4, C lost 2 of 2 → (3+1)/(4+2)=0.667, B none → 0.5, C (0+1)/(2+2)=0.25
    for partner, stages in ((a, ["won", "won", "won", "lost"]), (c, ["lost", "lost"])):
        for st in stages:
            s_lead = _lead(session, cfg)
            s_lead.partner_id = partner.id
            change_stage(session, s_lead.id, st, "x", deal_size=100 if st == "won" else None, reason="r" if st == "lost" else None)
    lead = _lead(session, cfg)
    res = match_partners(session, lead, cfg, now=T0)
    scores = {m.partner: m for m in res.matches}
    assert scores["A"].components["conversion"] == pytest.approx(4 / 6, abs=1e-3)
    assert scores["B"].components["conversion"] == 0.5 and scores["B"].components["level"] == 1.0
    assert scores["C"].components["conversion"] == 0.25
    assert [m.partner for m in res.matches] == ["B", "A", "C"]  # B: .5+.25=.75, A: .25+.333=.583, C: .25+.125


def test_distribution_is_fair_among_equal_partners(session):
    cfg = leadkit.settings(offer_group_size=2)
    partners = [add_partner(session, f"Equal{i}", "reseller", capacity_per_week=100) for i in range(6)]
    for _ in range(30):
        lead = _lead(session, cfg)
        offer_lead(session, lead.id, cfg, now=T0)
    counts = Counter(session.scalars(select(Offer.partner_id)))
    assert sorted(counts.values()) == [10] * 6, counts  # 60 offers over 6 equal partners: 10 each
    assert set(counts) == {p.id for p in partners}


# --------------------------------------------------------------------------- reservation
def test_reserve_first_come_and_teaser_disappears(session):
    h = leadkit.hierarchy(session)
    p = h["p"]
    cfg = leadkit.settings(offer_group_size=2)
    lead = _lead(session, cfg, region="DE")
    offers = offer_lead(session, lead.id, cfg, now=T0)
    offered = {o.partner_id for o in offers}
    assert len(offered) == 2 and lead.status == "offered"
    first, second = sorted(offered)
    r = reserve_lead(session, lead.id, first, user_id=None, cfg=cfg, now=T0 + dt.timedelta(minutes=20))
    assert (r.status, r.feedback_due_at) == ("active", T0 + dt.timedelta(days=7, minutes=20))
    assert lead.status == "reserved" and lead.partner_id == first
    assert reserve_lead(session, lead.id, first, cfg=cfg) .id == r.id  # idempotent for the holder
    with pytest.raises(AlreadyReserved, match="^already reserved by another partner$"):
        reserve_lead(session, lead.id, second, cfg=cfg)
    with pytest.raises(NotOffered, match="not on the pick list"):
        reserve_lead(session, lead.id, p["wien"].id, cfg=cfg)
    statuses = dict(session.execute(select(Offer.partner_id, Offer.status).where(Offer.lead_id == lead.id)).all())
    assert statuses == {first: "reserved", second: "withdrawn"}
    assert session.get(Partner, first).points == 5  # reserved within the hour
    types = session.scalars(select(OutboxEvent.event_type).where(OutboxEvent.lead_id == lead.id).order_by(OutboxEvent.id)).all()
    assert types == ["lead.created", "lead.offered", "lead.reserved"]
    ev = session.scalar(select(OutboxEvent).where(OutboxEvent.event_type == "lead.reserved"))
    assert ev.event_id.startswith("evt_") and len(ev.event_id) == 36
    assert ev.payload["lead"]["status"] == "reserved" and ev.payload["lead"]["partner_id"] == first
    assert ev.payload["event"]["data"]["seconds_to_reserve"] == 1200.0 and ev.payload["event"]["partner_id"] == first


def test_decline_is_final_for_that_partner(session):
    cfg = leadkit.settings(offer_group_size=3, max_rounds=3)
    ps = [add_partner(session, f"P{i}", "reseller") for i in range(4)]
    lead = _lead(session, cfg)
    offers = offer_lead(session, lead.id, cfg, now=T0)
    decliner = offers[0].partner_id
    with pytest.raises(LeadError, match="reason"):
        decline_offer(session, lead.id, decliner, "  ")
    decline_offer(session, lead.id, decliner, "not our field", now=T0)
    with pytest.raises(NotOffered, match="declined"):
        reserve_lead(session, lead.id, decliner, cfg=cfg)
    with pytest.raises(NotOffered):
        decline_offer(session, lead.id, decliner, "again")
    res = match_partners(session, lead, cfg, now=T0)
    assert res.rejected[session.get(Partner, decliner).name] == "declined this lead before"
    ev = session.scalar(select(LeadEvent).where(LeadEvent.kind == "declined"))
    assert ev.data["reason"] == "not our field" and ev.partner_id == decliner
    assert {m.partner_id for m in res.matches} == {p.id for p in ps} - {decliner}


# --------------------------------------------------------------------------- feedback
def test_feedback_moves_stages_and_closes_with_deal(session):
    cfg = leadkit.settings(offer_group_size=1)
    partner = add_partner(session, "Solo", "reseller")
    lead = _lead(session, cfg)
    offer_lead(session, lead.id, cfg, now=T0)
    with pytest.raises(LeadError, match="no active reservation"):
        give_feedback(session, lead.id, partner.id, "contacted", now=T0)
    reserve_lead(session, lead.id, partner.id, cfg=cfg, now=T0 + dt.timedelta(hours=2))  # too slow for points
    assert partner.points == 0
    give_feedback(session, lead.id, partner.id, "contacted", now=T0 + dt.timedelta(days=1), cfg=cfg)
    assert lead.stage == "MQL" and partner.points == 3
    res = session.scalar(select(Reservation).where(Reservation.lead_id == lead.id))
    assert res.feedback_due_at == T0 + dt.timedelta(days=8)  # next report due a week after this one
    give_feedback(session, lead.id, partner.id, "SQL", now=T0 + dt.timedelta(days=2), cfg=cfg)
    assert lead.stage == "SQL"
    with pytest.raises(StageError, match="only move forward"):
        give_feedback(session, lead.id, partner.id, "SAL", now=T0 + dt.timedelta(days=3), cfg=cfg)
    with pytest.raises(LeadError, match="deal size"):
        give_feedback(session, lead.id, partner.id, "won", now=T0 + dt.timedelta(days=3), cfg=cfg)
    with pytest.raises(LeadError, match="unknown outcome"):
        give_feedback(session, lead.id, partner.id, "maybe", cfg=cfg)
    give_feedback(session, lead.id, partner.id, "won", deal_size=18000, now=T0 + dt.timedelta(days=20), cfg=cfg)
    session.refresh(lead)
    session.refresh(res)
    assert (lead.stage, lead.status, lead.deal_size, lead.closed_at) == ("won", "closed", Decimal("18000.00"), T0 + dt.timedelta(days=20))
    assert res.status == "closed"
    assert partner.points == 6  # the won report came late (due day 9): no points for it
    outcomes = session.scalars(select(Feedback.outcome).where(Feedback.lead_id == lead.id).order_by(Feedback.id)).all()
    assert outcomes == ["contacted", "SQL", "won"]
    kinds = session.scalars(select(LeadEvent.kind).where(LeadEvent.lead_id == lead.id).order_by(LeadEvent.id)).all()
    assert kinds == ["created", "offered", "reserved", "feedback", "feedback", "stage_changed", "feedback", "won"]


def test_lost_needs_reason_and_not_interested_goes_back_out(session):
    cfg = leadkit.settings(offer_group_size=1, max_rounds=3)
    a = add_partner(session, "A", "reseller")
    b = add_partner(session, "B", "reseller")
    lead = _lead(session, cfg)
    offer_lead(session, lead.id, cfg, now=T0)
    holder = lead_holder = session.scalar(select(Offer.partner_id).where(Offer.lead_id == lead.id))
    reserve_lead(session, lead.id, holder, cfg=cfg, now=T0)
    with pytest.raises(LeadError, match="reason"):
        give_feedback(session, lead.id, holder, "lost", now=T0, cfg=cfg)
    give_feedback(session, lead.id, lead_holder, "not_interested", reason="too small", now=T0 + dt.timedelta(hours=3), cfg=cfg)
    session.refresh(lead)
    other = ({a.id, b.id} - {holder}).pop()
    assert lead.status == "offered" and lead.partner_id is None
    open_offers = session.execute(select(Offer.partner_id, Offer.round).where(Offer.lead_id == lead.id, Offer.status == "open")).all()
    assert open_offers == [(other, 2)]
    assert session.scalar(select(Reservation.status).where(Reservation.partner_id == holder)) == "released"
    reserve_lead(session, lead.id, other, cfg=cfg, now=T0 + dt.timedelta(hours=4))
    give_feedback(session, lead.id, other, "lost", reason="price", now=T0 + dt.timedelta(days=1), cfg=cfg)
    session.refresh(lead)
    assert (lead.stage, lead.lost_reason) == ("lost", "price")


def test_feedback_gate_blocks_reserving_but_not_seeing(session):
    from radar.leads import pick_list

    cfg = leadkit.settings(offer_group_size=2)
    a = add_partner(session, "A", "reseller")
    add_partner(session, "B", "reseller")
    ua = leadkit.user(session, "ua", "partner", a)
    first = _lead(session, cfg)
    offer_lead(session, first.id, cfg, now=T0)
    reserve_lead(session, first.id, a.id, cfg=cfg, now=T0)
    later = T0 + dt.timedelta(days=8)  # feedback was due on day 7
    second = _lead(session, cfg)
    second_offers = offer_lead(session, second.id, cfg, now=T0 + dt.timedelta(days=6))  # offered before it fell due
    assert a.id in {o.partner_id for o in second_offers}
    teasers = pick_list(session, ua, now=later)
    assert [t["lead_id"] for t in teasers] == [second.id]
    assert teasers[0]["can_reserve"] is False and "feedback overdue" in teasers[0]["blocked_reason"]
    with pytest.raises(FeedbackOverdue, match=f"owes feedback on lead\\(s\\) {first.id}"):
        reserve_lead(session, second.id, a.id, cfg=cfg, now=later)
    # a new lead made while A is overdue is not offered to A at all
    third = _lead(session, cfg)
    res = match_partners(session, third, cfg, now=later)
    assert res.rejected["A"] == "owes feedback on an earlier lead"
    give_feedback(session, first.id, a.id, "contacted", now=later, cfg=cfg)
    assert pick_list(session, ua, now=later)[0]["can_reserve"] is True
    reserve_lead(session, second.id, a.id, cfg=cfg, now=later)


# --------------------------------------------------------------------------- teaser text and events
def test_anonymise_removes_contact_details():
    from radar.leads import anonymise

    text = ("Hallo @anna_k, bitte an max.mustermann@example.de oder +49 171 2345678 melden, "
            "Details unter https://example.com/x?y=1 und www.firma.de")
    out = anonymise(text)
    for secret in ("@anna_k", "max.mustermann", "171 2345678", "example.com", "www.firma.de"):
        assert secret not in out
    assert out.count("[user]") == 1 and "[e-mail]" in out and "[phone]" in out and out.count("[link]") == 2
    long = anonymise("wort " * 100, limit=50)
    assert len(long) <= 52 and long.endswith("…")
    assert anonymise("Version 2024.1.3 kostet 120 Euro") == "Version 2024.1.3 kostet 120 Euro"


def test_events_and_outbox_are_written_together_and_json_safe(db_url):
    import json

    from radar.db import get_sessionmaker
    from radar.leads import record_event

    factory = get_sessionmaker(db_url)
    cfg = leadkit.settings(offer_group_size=1)
    with factory.begin() as s:
        partner = add_partner(s, "Solo", "reseller")
        lead = _lead(s, cfg)
        offer_lead(s, lead.id, cfg, now=T0)
        reserve_lead(s, lead.id, partner.id, cfg=cfg, now=T0)
        give_feedback(s, lead.id, partner.id, "won", deal_size="999.5", now=T0 + dt.timedelta(days=1), cfg=cfg)
        lead_id = lead.id
    with factory() as s:
        events = s.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead_id).order_by(LeadEvent.id)).all()
        outbox = s.scalars(select(OutboxEvent).where(OutboxEvent.lead_id == lead_id).order_by(OutboxEvent.id)).all()
        assert [e.kind for e in events] == ["created", "offered", "reserved", "feedback", "won"]
        assert [o.event_type for o in outbox] == ["lead." + e.kind for e in events]
        assert [o.payload["event"]["lead_event_id"] for o in outbox] == [e.id for e in events]
        assert len({o.event_id for o in outbox}) == len(outbox)
        for o in outbox:
            assert o.payload["event"]["id"] == o.event_id and o.status == "pending"
            json.dumps(o.payload)  # JSON-safe
        won = outbox[-1].payload
        assert won["lead"]["deal_size"] == "999.50" and won["lead"]["stage"] == "won"
        assert won["lead"]["closed_at"] == "2026-03-03T09:00:00+00:00"
        assert won["event"]["from_stage"] == "MQL" and won["event"]["to_stage"] == "won"
    # rolled back: neither the event nor its outbox row remains
    with factory() as s:
        lead = s.get(Lead, lead_id)
        record_event(s, lead, "updated", "user:x", data={"note": "never committed"})
        s.flush()
        s.rollback()
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(LeadEvent).where(LeadEvent.kind == "updated")) == 0
        assert s.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.event_type == "lead.updated")) == 0
        with pytest.raises(ValueError, match="unknown lead event kind"):
            record_event(s, s.get(Lead, lead_id), "teleported", "x")
