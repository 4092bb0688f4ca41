"""The periodic routing job: nothing lies untouched.

1. Opportunities above ``auto_lead_min_score`` become leads; ready leads are offered (round 1).
2. An offer round that nobody reserved within ``offer_window`` (or that everyone declined) goes
   to a wider group: the next ``offer_group_size`` matches join (earlier offers stay open), up to
   ``max_rounds``; then to the distributor above the partners, then to the manufacturer's channel
   manager.
3. A reservation whose feedback is past due is reminded once; ``revoke_after`` later it is revoked
   and the lead is offered to the next partners (never again to the one who sat on it).

Every step is a lead event (and so an outbox event for the distribution system).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from radar.config import Config, LeadSettings
from radar.leads.core import auto_create_leads, gate_problems, get_lead_row, lead_settings, seconds
from radar.leads.errors import LeadError
from radar.leads.events import record_event
from radar.leads.matching import _current_round, _make_offers, _offered_ids, escalate_to_channel, match_partners, offer_lead
from radar.leads.reservation import release_reservation
from radar.models import Lead, Offer, Partner, Reservation, utcnow


@dataclass
class EscalationReport:
    created: list[int] = field(default_factory=list)
    offered: list[int] = field(default_factory=list)
    widened: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)
    revoked: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{len(self.created)} leads created, {len(self.offered)} offered, {len(self.widened)} widened, "
                f"{len(self.escalated)} escalated, {len(self.reminded)} reminded, {len(self.revoked)} revoked and re-offered"
                + (f", {len(self.waiting)} waiting at the channel manager" if self.waiting else "")
                + (f", {len(self.errors)} errors" if self.errors else ""))

    def as_dict(self) -> dict[str, list]:
        return {k: list(v) for k, v in self.__dict__.items()}


def _widen(session: Session, lead: Lead, s: LeadSettings, cfg: Config | LeadSettings | None, now: dt.datetime) -> str:
    """One step for a lead whose current round ran out: 'widened', 'escalated' or 'waiting'."""
    round_no = _current_round(session, lead.id)
    latest = list(session.scalars(select(Offer).where(Offer.lead_id == lead.id, Offer.round == round_no)))
    latest_types = {session.get(Partner, o.partner_id).type for o in latest}
    if lead.status == "offered" and round_no < s.max_rounds:
        result = match_partners(session, lead, cfg, now, exclude=_offered_ids(session, lead.id))
        picked = result.matches[: s.offer_group_size]
        if picked:
            offers = _make_offers(session, lead, [(m.partner_id, m.score) for m in picked], round_no + 1, s, now)
            # the earlier offers stay open, with the new deadline: the group grows
            session.execute(update(Offer).where(Offer.lead_id == lead.id, Offer.status == "open", Offer.round < round_no + 1)
                            .values(expires_at=offers[0].expires_at).execution_options(synchronize_session=False))
            record_event(session, lead, "escalated", "system", data={
                "to": "wider group", "round": round_no + 1, "expires_at": offers[0].expires_at,
                "partners": [{"partner_id": m.partner_id, "partner": m.partner, "score": m.score, "components": m.components} for m in picked]},
                at=now)
            return "widened"
    if latest_types and latest_types <= {"manufacturer"}:
        return "waiting"
    offers = escalate_to_channel(session, lead, s, now, reason=f"no reservation after round {round_no}")
    return "escalated" if offers else "waiting"


def escalate(session: Session, cfg: Config | LeadSettings | None, now: dt.datetime | None = None, route: bool = True) -> EscalationReport:
    """Run the routing job once (see the module doc). ``route=False`` skips step 1.

    Example: ``print(escalate(s, cfg))``  →  "2 leads created, 2 offered, 1 widened, ..."
    """
    s = lead_settings(cfg)
    now = now or utcnow()
    report = EscalationReport()
    if route:
        report.created = [lead.id for lead in auto_create_leads(session, s, now)]
        for lead_id in session.scalars(select(Lead.id).where(Lead.status == "ready").order_by(Lead.id)):
            lead = get_lead_row(session, lead_id)
            if gate_problems(lead, s):
                continue
            try:
                if offer_lead(session, lead_id, cfg, now=now):
                    report.offered.append(lead_id)
                else:
                    report.waiting.append(lead_id)
            except LeadError as exc:
                report.errors.append(f"lead {lead_id}: {exc}")

    # 2. rounds that ran out: no open offer of the latest round is still within its window
    open_until = (select(Offer.lead_id, func.max(Offer.expires_at).label("until"))
                  .where(Offer.status == "open").group_by(Offer.lead_id).subquery())
    stale = session.execute(
        select(Lead.id).outerjoin(open_until, open_until.c.lead_id == Lead.id)
        .where(Lead.status.in_(("offered", "escalated")))
        .where((open_until.c.until.is_(None)) | (open_until.c.until <= now))
        .order_by(Lead.id)).scalars().all()
    for lead_id in stale:
        lead = get_lead_row(session, lead_id)
        outcome = _widen(session, lead, s, cfg, now)
        {"widened": report.widened, "escalated": report.escalated, "waiting": report.waiting}[outcome].append(lead_id)

    # 3. feedback past due: remind once, then revoke and re-offer
    due = session.scalars(select(Reservation).where(Reservation.status == "active", Reservation.feedback_due_at <= now)
                          .order_by(Reservation.feedback_due_at)).all()
    for r in due:
        if now >= r.feedback_due_at + seconds(s.revoke_after):
            if release_reservation(session, r.lead_id, r.partner_id, "system",
                                   reason=f"no feedback {s.revoke_after} after it was due", now=now, cfg=cfg,
                                   kind="revoked", due_before=now - seconds(s.revoke_after)):
                session.execute(update(Offer).where(Offer.id == r.offer_id).values(status="expired")
                                .execution_options(synchronize_session=False))
                report.revoked.append(r.lead_id)
        elif r.reminded_at is None:
            res = session.execute(update(Reservation).where(Reservation.id == r.id, Reservation.status == "active",
                                                            Reservation.reminded_at.is_(None))
                                  .values(reminded_at=now).execution_options(synchronize_session=False))
            if res.rowcount == 1:
                lead = get_lead_row(session, r.lead_id)
                record_event(session, lead, "reminded", "system", partner_id=r.partner_id,
                             data={"reservation_id": r.id, "feedback_due_at": r.feedback_due_at,
                                   "revoke_at": r.feedback_due_at + seconds(s.revoke_after)}, at=now)
                report.reminded.append(r.lead_id)
    session.flush()
    return report
