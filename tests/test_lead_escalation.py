"""Escalation with a controllable clock: wider group, distributor, channel manager; reminders,
revocation and re-offer. Every step an event (and an outbox event)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from radar.leads import (
    FeedbackOverdue, create_lead, escalate, give_feedback, pick_list, reserve_lead,
)
from radar.models import LeadEvent, Offer, OutboxEvent, Reservation

import leadkit
from leadkit import T0

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def _open(s, lead_id):
    return sorted(s.execute(select(Offer.partner_id, Offer.round).where(Offer.lead_id == lead_id, Offer.status == "open")).all())


def test_unreserved_offer_widens_then_goes_to_distributor_then_channel_manager(session):
    h = leadkit.hierarchy(session)
    p, u = h["p"], h["u"]
    cfg = leadkit.settings(offer_group_size=1, max_rounds=2, offer_window="24h")
    opp = leadkit.opportunity(session, title="DATEV Hilfe in Hamburg", body="Suche DATEV Betreuung")
    lead = create_lead(session, opp.id, "user:anna", cfg, now=T0, region="DE-20095")  # Nord (DE-2) and Direkt (DE)

    rep = escalate(session, cfg, now=T0)
    assert rep.offered == [lead.id]
    assert _open(session, lead.id) == [(p["nord"].id, 1)]  # Nord has the skill and the higher level
    assert [t["lead_id"] for t in pick_list(session, u["nord"], now=T0)] == [lead.id]
    assert pick_list(session, u["direkt"], now=T0) == []

    rep = escalate(session, cfg, now=T0 + 23 * H)
    assert (rep.widened, rep.escalated) == ([], [])

    rep = escalate(session, cfg, now=T0 + 25 * H)
    assert rep.widened == [lead.id]
    assert _open(session, lead.id) == sorted([(p["nord"].id, 1), (p["direkt"].id, 2)])  # the group grew
    assert {o.expires_at for o in session.scalars(select(Offer).where(Offer.lead_id == lead.id))} == {T0 + 49 * H}

    rep = escalate(session, cfg, now=T0 + 50 * H)
    assert rep.escalated == [lead.id]
    assert (p["distri"].id, 3) in _open(session, lead.id)
    assert lead.status == "escalated"
    ev = session.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead.id, LeadEvent.kind == "escalated")
                         .order_by(LeadEvent.id)).all()
    assert [e.data["to"] for e in ev] == ["wider group", "distributor"]
    assert [t["lead_id"] for t in pick_list(session, u["distri"], now=T0 + 50 * H)] == [lead.id]

    rep = escalate(session, cfg, now=T0 + 75 * H)
    assert rep.escalated == [lead.id]
    assert (p["acme"].id, 4) in _open(session, lead.id)
    rep = escalate(session, cfg, now=T0 + 100 * H)
    assert rep.escalated == [] and rep.waiting == [lead.id]
    ev = session.scalars(select(LeadEvent.data).where(LeadEvent.lead_id == lead.id, LeadEvent.kind == "escalated")
                         .order_by(LeadEvent.id)).all()
    assert [e["to"] for e in ev] == ["wider group", "distributor", "channel manager"]
    outbox = session.scalars(select(OutboxEvent.event_type).where(OutboxEvent.lead_id == lead.id)).all()
    assert outbox.count("lead.escalated") == 3

    # anyone in the group may still take it; the others' teasers disappear
    reserve_lead(session, lead.id, p["direkt"].id, cfg=cfg, now=T0 + 101 * H)
    assert pick_list(session, u["nord"], now=T0 + 101 * H) == []
    assert pick_list(session, u["acme"], now=T0 + 101 * H) == []


def test_all_declined_moves_on_without_waiting_for_the_window(session):
    from radar.leads import add_partner, decline_offer

    cfg = leadkit.settings(offer_group_size=1, max_rounds=3)
    a, b = add_partner(session, "A", "reseller"), add_partner(session, "B", "reseller")
    lead = create_lead(session, leadkit.opportunity(session).id, "x", cfg, now=T0)
    escalate(session, cfg, now=T0)
    first = session.scalar(select(Offer.partner_id).where(Offer.lead_id == lead.id))
    decline_offer(session, lead.id, first, "busy", now=T0 + H)
    rep = escalate(session, cfg, now=T0 + 2 * H)
    assert rep.widened == [lead.id]
    assert _open(session, lead.id) == [(({a.id, b.id} - {first}).pop(), 2)]


def test_missing_feedback_is_reminded_then_revoked_and_reoffered(session):
    h = leadkit.hierarchy(session)
    p, u = h["p"], h["u"]
    cfg = leadkit.settings(offer_group_size=1, max_rounds=3, feedback_due="7d", revoke_after="3d")
    lead = create_lead(session, leadkit.opportunity(session).id, "x", cfg, now=T0, region="DE-20095")
    escalate(session, cfg, now=T0)
    reserve_lead(session, lead.id, p["nord"].id, user_id=u["nord"].id, cfg=cfg, now=T0 + H)
    due = T0 + H + 7 * D

    assert escalate(session, cfg, now=due - H).reminded == []
    rep = escalate(session, cfg, now=due + H)
    assert rep.reminded == [lead.id] and rep.revoked == []
    assert escalate(session, cfg, now=due + 2 * H).reminded == []  # once
    reminder = session.scalar(select(LeadEvent).where(LeadEvent.kind == "reminded"))
    assert reminder.partner_id == p["nord"].id and reminder.at == due + H

    # meanwhile Nord cannot reserve anything else
    other = create_lead(session, leadkit.opportunity(session).id, "x", cfg, now=due, region="DE-20095")
    session.add(Offer(lead_id=other.id, partner_id=p["nord"].id, round=1, offered_at=due, expires_at=due + D))
    other.status = "offered"
    session.flush()
    try:
        reserve_lead(session, other.id, p["nord"].id, cfg=cfg, now=due + 2 * H)
        raise AssertionError("an overdue partner reserved")
    except FeedbackOverdue:
        pass

    rep = escalate(session, cfg, now=due + 3 * D + H, route=False)
    assert rep.revoked == [lead.id]
    res = session.scalar(select(Reservation).where(Reservation.lead_id == lead.id))
    session.refresh(res)
    assert (res.status, res.ended_at) == ("revoked", due + 3 * D + H)
    session.refresh(lead)
    assert lead.partner_id is None and lead.status == "offered"
    assert _open(session, lead.id) == [(p["direkt"].id, 2)]  # re-offered, not to Nord
    kinds = session.scalars(select(LeadEvent.kind).where(LeadEvent.lead_id == lead.id).order_by(LeadEvent.id)).all()
    assert kinds == ["created", "offered", "reserved", "reminded", "revoked", "offered"]
    assert "lead.revoked" in session.scalars(select(OutboxEvent.event_type).where(OutboxEvent.lead_id == lead.id)).all()


def test_feedback_in_time_prevents_revocation(session):
    from radar.leads import add_partner

    cfg = leadkit.settings(offer_group_size=1, feedback_due="7d", revoke_after="3d")
    a = add_partner(session, "A", "reseller")
    lead = create_lead(session, leadkit.opportunity(session).id, "x", cfg, now=T0)
    escalate(session, cfg, now=T0)
    reserve_lead(session, lead.id, a.id, cfg=cfg, now=T0)
    escalate(session, cfg, now=T0 + 8 * D)  # reminded
    give_feedback(session, lead.id, a.id, "contacted", now=T0 + 9 * D, cfg=cfg)  # late, but before revocation
    rep = escalate(session, cfg, now=T0 + 10 * D + H)
    assert rep.revoked == [] and rep.reminded == []
    assert session.scalar(select(Reservation.status).where(Reservation.lead_id == lead.id)) == "active"
    rep = escalate(session, cfg, now=T0 + 16 * D + H)  # the next report (due day 16) is missing
    assert rep.reminded == [lead.id]
