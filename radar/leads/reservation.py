"""First come, first served: reserving an offered lead, declining it, and reporting on it.

The reservation is ONE statement: ``INSERT ... ON CONFLICT DO NOTHING`` against the unique
partial index ``uq_reservations_one_active_per_lead`` (one *active* reservation per lead). The
database decides who was first; nothing is checked in Python and then acted upon. On PostgreSQL
the second inserter waits for the first transaction and then inserts nothing; on SQLite writers
are serialised by the database lock (busy timeout 30 s). The loser gets :class:`AlreadyReserved`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from radar.config import Config, LeadSettings
from radar.leads.core import _money, change_stage, get_lead_row, lead_settings, seconds
from radar.leads.errors import AlreadyReserved, FeedbackOverdue, LeadClosed, LeadError, NotFound, NotOffered, StageError
from radar.leads.events import record_event
from radar.models import FEEDBACK_OUTCOMES, STAGE_ORDER, Feedback, Lead, Offer, Partner, Reservation, User, utcnow


def _partner(session: Session, partner_id: int) -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(f"no partner {partner_id}; `radar partners list` shows them")
    return partner


def overdue_reservations(session: Session, partner_id: int, now: dt.datetime) -> list[Reservation]:
    """The partner's active reservations whose feedback is past due."""
    return list(session.scalars(select(Reservation).where(
        Reservation.partner_id == partner_id, Reservation.status == "active", Reservation.feedback_due_at < now)
        .order_by(Reservation.feedback_due_at)))


def _insert_reservation(session: Session, values: dict[str, Any]) -> int | None:
    """The atomic step: the new reservation's id, or None when the lead has an active one."""
    dialect = session.get_bind().dialect.name
    where = text("status = 'active'")
    if dialect == "postgresql":
        stmt = postgresql.insert(Reservation).values(**values).on_conflict_do_nothing(index_elements=["lead_id"], index_where=where)
    elif dialect == "sqlite":
        stmt = sqlite.insert(Reservation).values(**values).on_conflict_do_nothing(index_elements=["lead_id"], index_where=where)
    else:  # pragma: no cover - other engines: the unique index raises, in a savepoint
        try:
            with session.begin_nested():
                return session.execute(insert(Reservation).values(**values).returning(Reservation.id)).scalar_one()
        except IntegrityError:
            return None
    return session.execute(stmt.returning(Reservation.id)).scalar_one_or_none()


def reserve_lead(session: Session, lead_id: int, partner_id: int, user_id: int | None = None,
                 cfg: Config | LeadSettings | None = None, now: dt.datetime | None = None) -> Reservation:
    """Reserve an offered lead for ``partner_id`` (first come, first served).

    Raises :class:`AlreadyReserved` ("already reserved by another partner") when another partner
    was first, :class:`FeedbackOverdue` when the partner owes feedback on an earlier lead,
    :class:`NotOffered` when the lead is not on the partner's pick list. Reserving a lead the partner
    holds already returns its reservation. The caller commits.

    Example: ``reserve_lead(s, lead_id=12, partner_id=3, user_id=8, cfg=cfg)``
    """
    s = lead_settings(cfg)
    now = now or utcnow()
    # One read up front. It can only refuse or return what is already ours (committed state);
    # it never grants: the INSERT below decides who wins.
    was_offered = select(func.count(Offer.id)).where(Offer.lead_id == lead_id, Offer.partner_id == partner_id).scalar_subquery()
    row = session.execute(
        select(Lead.stage, Lead.status, Reservation.id, Reservation.partner_id, was_offered)
        .outerjoin(Reservation, (Reservation.lead_id == Lead.id) & (Reservation.status == "active"))
        .where(Lead.id == lead_id)).first()
    if row is None:
        raise NotFound(f"no lead {lead_id}; `radar leads list` shows them")
    stage, status, held_id, holder, n_offers = row
    if not n_offers:
        name = session.scalar(select(Partner.name).where(Partner.id == partner_id))
        if name is None:
            raise NotFound(f"no partner {partner_id}; `radar partners list` shows them")
        raise NotOffered(f"lead {lead_id} is not on the pick list of partner {name!r}")
    if held_id is not None:
        if holder == partner_id:
            return session.get(Reservation, held_id)
        raise AlreadyReserved()
    if stage in ("won", "lost") or status == "closed":
        raise LeadClosed(f"lead {lead_id} is closed ({stage}); it cannot be reserved")
    partner = _partner(session, partner_id)
    if not partner.active:
        raise LeadError(f"partner {partner.name!r} is inactive and cannot reserve leads")
    offers = list(session.scalars(select(Offer).where(Offer.lead_id == lead_id, Offer.partner_id == partner_id)
                                  .order_by(Offer.round.desc(), Offer.id.desc())))
    offer = next((o for o in offers if o.status == "open"), None)
    if offer is None:
        if any(o.status in ("withdrawn", "reserved") for o in offers):
            # the winner committed between our first read and now, withdrawing our offer
            holder = session.scalar(select(Reservation.partner_id).where(Reservation.lead_id == lead_id, Reservation.status == "active"))
            if holder is not None and holder != partner_id:
                raise AlreadyReserved()
        if any(o.status == "declined" for o in offers):
            raise NotOffered(f"partner {partner.name!r} declined lead {lead_id}; it is not offered again")
        raise NotOffered(f"lead {lead_id} is not on the pick list of partner {partner.name!r}")
    overdue = overdue_reservations(session, partner_id, now)
    if overdue:
        ids = ", ".join(str(r.lead_id) for r in overdue[:5])
        raise FeedbackOverdue(f"partner {partner.name!r} owes feedback on lead(s) {ids}; report it "
                              f"(`radar leads feedback LEAD --partner {partner.name!r} --outcome ...`) and then reserve")
    reservation_id = _insert_reservation(session, {
        "lead_id": lead_id, "partner_id": partner_id, "user_id": user_id, "offer_id": offer.id, "status": "active",
        "reserved_at": now, "feedback_due_at": now + seconds(s.feedback_due)})
    if reservation_id is None:
        mine = session.scalar(select(Reservation).where(Reservation.lead_id == lead_id, Reservation.status == "active"))
        if mine is not None and mine.partner_id == partner_id:
            return mine
        raise AlreadyReserved(by_database=True)
    # we won: the rest follows in the same transaction
    session.execute(update(Offer).where(Offer.id == offer.id).values(status="reserved", responded_at=now)
                    .execution_options(synchronize_session=False))
    session.execute(update(Offer).where(Offer.lead_id == lead_id, Offer.status == "open", Offer.id != offer.id)
                    .values(status="withdrawn").execution_options(synchronize_session=False))
    session.execute(update(Lead).where(Lead.id == lead_id).values(status="reserved", partner_id=partner_id, updated_at=now)
                    .execution_options(synchronize_session=False))
    offered_at = offer.offered_at
    to_reserve = (now - offered_at).total_seconds()
    points = s.points_fast_reservation if to_reserve <= seconds(s.fast_reservation_within).total_seconds() else 0
    if points:
        session.execute(update(Partner).where(Partner.id == partner_id).values(points=Partner.points + points)
                        .execution_options(synchronize_session=False))
    lead = get_lead_row(session, lead_id)
    session.refresh(lead)
    if points:
        session.refresh(partner)
    reservation = session.get(Reservation, reservation_id)
    user = session.get(User, user_id) if user_id else None
    record_event(session, lead, "reserved", user or f"partner:{partner.name}", partner_id=partner_id, data={
        "reservation_id": reservation_id, "offer_id": offer.id, "round": offer.round,
        "seconds_to_reserve": round(to_reserve, 1), "points": points, "feedback_due_at": reservation.feedback_due_at}, at=now)
    return reservation


def decline_offer(session: Session, lead_id: int, partner_id: int, reason: str, user_id: int | None = None,
                  now: dt.datetime | None = None) -> Offer:
    """Decline an offered lead with a reason; the partner is never offered this lead again.

    Example: ``decline_offer(s, 12, 3, "outside our region")``
    """
    now = now or utcnow()
    if not (reason or "").strip():
        raise LeadError("give a reason for declining (e.g. 'no capacity', 'not our field'); it improves matching")
    lead = get_lead_row(session, lead_id)
    partner = _partner(session, partner_id)
    res = session.execute(update(Offer).where(Offer.lead_id == lead_id, Offer.partner_id == partner_id, Offer.status == "open")
                          .values(status="declined", decline_reason=reason.strip(), responded_at=now)
                          .execution_options(synchronize_session=False))
    if res.rowcount == 0:
        raise NotOffered(f"lead {lead_id} is not on the pick list of partner {partner.name!r}")
    offer = session.scalar(select(Offer).where(Offer.lead_id == lead_id, Offer.partner_id == partner_id, Offer.status == "declined")
                           .order_by(Offer.round.desc()).limit(1))
    session.refresh(offer)
    user = session.get(User, user_id) if user_id else None
    record_event(session, lead, "declined", user or f"partner:{partner.name}", partner_id=partner_id,
                 data={"offer_id": offer.id, "round": offer.round, "reason": reason.strip()}, at=now)
    return offer


_OUTCOME_STAGE = {"SAL": "SAL", "SQL": "SQL", "won": "won", "lost": "lost"}


def give_feedback(session: Session, lead_id: int, partner_id: int, outcome: str, deal_size: Any = None,
                  reason: str | None = None, user_id: int | None = None, now: dt.datetime | None = None,
                  note: str | None = None, cfg: Config | LeadSettings | None = None) -> Feedback:
    """Report on a reserved lead: ``contacted``, ``SAL``, ``SQL``, ``won`` (with ``deal_size``),
    ``lost`` (with ``reason``) or ``not_interested`` (the lead goes back out to other partners).

    Feedback before it is due earns ``points_timely_feedback``; the next report is due
    ``feedback_due`` later (until the lead is won or lost).

    Example: ``give_feedback(s, 12, 3, "won", deal_size=18000)``
    """
    s = lead_settings(cfg)
    now = now or utcnow()
    if outcome not in FEEDBACK_OUTCOMES:
        raise LeadError(f"unknown outcome {outcome!r}; use one of {', '.join(FEEDBACK_OUTCOMES)}")
    lead = get_lead_row(session, lead_id)
    partner = _partner(session, partner_id)
    reservation = session.scalar(select(Reservation).where(Reservation.lead_id == lead_id, Reservation.partner_id == partner_id,
                                                           Reservation.status == "active"))
    if reservation is None:
        raise LeadError(f"partner {partner.name!r} holds no active reservation of lead {lead_id}; only the reserving partner reports")
    amount = None
    if outcome == "won":
        if deal_size is None:
            raise LeadError("a won lead needs its deal size (e.g. --deal-size 12500)")
        amount = _money(deal_size)
    if outcome == "lost" and not (reason or "").strip():
        raise LeadError("a lost lead needs a reason (e.g. 'price', 'went with a competitor')")
    target = _OUTCOME_STAGE.get(outcome)
    if target and target not in ("won", "lost") and STAGE_ORDER[target] < STAGE_ORDER[lead.stage]:
        raise StageError(f"lead {lead_id} is at {lead.stage} already; stages only move forward, not back to {target}")
    timely = now <= reservation.feedback_due_at
    points = s.points_timely_feedback if timely else 0
    feedback = Feedback(reservation_id=reservation.id, lead_id=lead_id, partner_id=partner_id, user_id=user_id, at=now,
                        outcome=outcome, deal_size=amount, reason=(reason or "").strip() or None, note=note)
    session.add(feedback)
    # conditional: a revocation that ran meanwhile wins, and this feedback is refused
    res = session.execute(update(Reservation).where(Reservation.id == reservation.id, Reservation.status == "active")
                          .values(last_feedback_at=now, reminded_at=None, feedback_due_at=now + seconds(s.feedback_due))
                          .execution_options(synchronize_session=False))
    if res.rowcount != 1:
        raise LeadError(f"the reservation of lead {lead_id} ended meanwhile; feedback not recorded")
    if points:
        session.execute(update(Partner).where(Partner.id == partner_id).values(points=Partner.points + points)
                        .execution_options(synchronize_session=False))
        session.refresh(partner)
    session.flush()
    user = session.get(User, user_id) if user_id else None
    actor = user or f"partner:{partner.name}"
    record_event(session, lead, "feedback", actor, partner_id=partner_id, data={
        "feedback_id": feedback.id, "outcome": outcome, "deal_size": amount, "reason": feedback.reason,
        "timely": timely, "points": points}, at=now)
    if target and target != lead.stage:
        change_stage(session, lead_id, target, actor, now=now, deal_size=amount, reason=reason, partner_id=partner_id)
    elif outcome == "not_interested":
        release_reservation(session, lead_id, partner_id, actor, reason=feedback.reason or "not interested", now=now, cfg=s)
    session.refresh(reservation)
    return feedback


def release_reservation(session: Session, lead_id: int, partner_id: int, actor: Any, reason: str, now: dt.datetime,
                        cfg: Config | LeadSettings | None = None, kind: str = "released",
                        due_before: dt.datetime | None = None) -> bool:
    """End a partner's active reservation (``released`` by the partner or ``revoked`` by the
    escalation job) and offer the lead to the next partners. False if there was none."""
    from radar.leads.matching import offer_lead

    status = "revoked" if kind == "revoked" else "released"
    cond = [Reservation.lead_id == lead_id, Reservation.partner_id == partner_id, Reservation.status == "active"]
    if due_before is not None:  # a revocation loses against feedback that came in meanwhile
        cond.append(Reservation.feedback_due_at <= due_before)
    res = session.execute(update(Reservation).where(*cond)
                          .values(status=status, ended_at=now).execution_options(synchronize_session=False))
    if res.rowcount != 1:
        return False
    session.execute(update(Lead).where(Lead.id == lead_id).values(status="ready", partner_id=None, updated_at=now)
                    .execution_options(synchronize_session=False))
    lead = get_lead_row(session, lead_id)
    session.refresh(lead)
    record_event(session, lead, kind, actor, partner_id=partner_id, data={"reason": reason}, at=now)
    try:
        offer_lead(session, lead_id, cfg, actor="system", now=now)
    except LeadError as exc:  # e.g. the gate no longer passes: it waits for a consultant
        record_event(session, lead, "updated", "system", data={"note": f"not re-offered: {exc}"}, at=now)
    return True
