"""Matching partners to a lead and making offers.

Hard filters first (active, partner type, region, required certifications and skills, capacity
left this week, not declined or revoked before, no overdue feedback), then a soft score::

    score = weight_skill * skill overlap            (share of the lead's skills the partner has)
          + weight_level * level weight / max level weight of the candidates
          + weight_conversion * (won + 1) / (closed + 2)
          + weight_load * 1 / (1 + offers received within load_window / capacity per week)

The smoothed conversion keeps a new partner (0 of 0 → 0.5) from being ranked as 0 % or 100 %;
the load term rotates leads among otherwise equal partners, so distribution stays fair.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from radar.config import Config, LeadSettings
from radar.leads.core import check_gate, get_lead_row, lead_settings, seconds
from radar.leads.errors import LeadClosed, LeadError
from radar.leads.events import record_event
from radar.leads.partners import channel_manager
from radar.leads.query import region_matches
from radar.models import Lead, Offer, Partner, Reservation, User, utcnow


@dataclass
class Match:
    partner_id: int
    partner: str
    score: float
    components: dict[str, float]


@dataclass
class MatchResult:
    """Ranked candidates and, for the explanation, every partner filtered out with its reason."""

    matches: list[Match] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)


def week_start(now: dt.datetime, tz: str = "UTC") -> dt.datetime:
    """Monday 00:00 of ``now``'s week in time zone ``tz``, as UTC."""
    local = now.astimezone(ZoneInfo(tz))
    monday = (local - dt.timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return monday.astimezone(dt.timezone.utc)


def overdue_partner_ids(session: Session, now: dt.datetime) -> set[int]:
    """Partners with an active reservation whose feedback is past due."""
    return set(session.scalars(select(Reservation.partner_id).where(
        Reservation.status == "active", Reservation.feedback_due_at < now).distinct()))


def conversion_counts(session: Session) -> dict[int, tuple[int, int]]:
    """partner id → (won, closed) over all its leads."""
    rows = session.execute(
        select(Lead.partner_id, func.sum(case((Lead.stage == "won", 1), else_=0)), func.count())
        .where(Lead.partner_id.is_not(None), Lead.stage.in_(("won", "lost"))).group_by(Lead.partner_id))
    return {pid: (int(won or 0), int(closed)) for pid, won, closed in rows}


def _norm(values: list[str] | None) -> set[str]:
    return {str(v).strip().lower() for v in values or [] if str(v).strip()}


def match_partners(session: Session, lead: Lead | int, cfg: Config | LeadSettings | None = None, now: dt.datetime | None = None,
                   exclude: set[int] | None = None, timezone: str | None = None) -> MatchResult:
    """Rank the partners for ``lead`` (best first); ``exclude`` are partners already offered.

    Example: ``[m.partner for m in match_partners(s, 12, cfg).matches[:3]]``
    """
    s = lead_settings(cfg)
    tz = timezone or (cfg.settings.general.timezone if isinstance(cfg, Config) else "UTC")
    now = now or utcnow()
    lead = get_lead_row(session, lead) if isinstance(lead, int) else lead
    exclude = set(exclude or ())
    result = MatchResult()
    partners = list(session.scalars(select(Partner).order_by(Partner.id)))
    declined = set(session.scalars(select(Offer.partner_id).where(Offer.lead_id == lead.id, Offer.status.in_(("declined",)))))
    had = set(session.scalars(select(Reservation.partner_id).where(Reservation.lead_id == lead.id,
                                                                  Reservation.status.in_(("revoked", "released")))))
    overdue = overdue_partner_ids(session, now)
    since_week = week_start(now, tz)
    used = dict(session.execute(select(Reservation.partner_id, func.count()).where(Reservation.reserved_at >= since_week)
                                .group_by(Reservation.partner_id)).all())
    load = dict(session.execute(select(Offer.partner_id, func.count()).where(Offer.offered_at >= now - seconds(s.load_window))
                                .group_by(Offer.partner_id)).all())
    conv = conversion_counts(session)
    qual = lead.qualification or {}
    need_certs, need_skills = _norm(qual.get("required_certifications")), _norm(qual.get("required_skills"))
    lead_skills = _norm(lead.skills)
    candidates: list[Partner] = []
    for p in partners:
        reason = None
        if p.id in exclude:
            reason = "already offered"
        elif not p.active:
            reason = "inactive"
        elif p.type not in s.offer_partner_types:
            reason = f"type {p.type} does not take part in matching ([leads] offer_partner_types)"
        elif not region_matches(lead.region, p.regions):
            reason = f"region {lead.region} not in {', '.join(p.regions)}"
        elif not need_certs <= _norm(p.certifications):
            reason = "missing certification " + ", ".join(sorted(need_certs - _norm(p.certifications)))
        elif not need_skills <= _norm(p.skills):
            reason = "missing skill " + ", ".join(sorted(need_skills - _norm(p.skills)))
        elif used.get(p.id, 0) >= p.capacity_per_week:
            reason = f"no capacity left this week ({used.get(p.id, 0)} of {p.capacity_per_week} reserved)"
        elif p.id in declined:
            reason = "declined this lead before"
        elif p.id in had:
            reason = "had this lead before (released or revoked)"
        elif p.id in overdue:
            reason = "owes feedback on an earlier lead"
        if reason:
            result.rejected[p.name] = reason
        else:
            candidates.append(p)
    max_level = max((p.level_weight for p in candidates), default=0) or 1.0
    for p in candidates:
        skill = len(lead_skills & _norm(p.skills)) / len(lead_skills) if lead_skills else 0.0
        level = p.level_weight / max_level
        won, closed = conv.get(p.id, (0, 0))
        conversion = (won + 1) / (closed + 2)
        load_score = 1.0 / (1.0 + load.get(p.id, 0) / max(p.capacity_per_week, 1))
        components = {"skill": round(skill, 4), "level": round(level, 4), "conversion": round(conversion, 4), "load": round(load_score, 4)}
        total = s.weight_skill * skill + s.weight_level * level + s.weight_conversion * conversion + s.weight_load * load_score
        result.matches.append(Match(p.id, p.name, round(total, 6), components))
    # ties: the partner with fewer recent offers, then the older partner
    result.matches.sort(key=lambda m: (-m.score, load.get(m.partner_id, 0), m.partner_id))
    return result


def _current_round(session: Session, lead_id: int) -> int:
    return int(session.scalar(select(func.max(Offer.round)).where(Offer.lead_id == lead_id)) or 0)


def _offered_ids(session: Session, lead_id: int) -> set[int]:
    return set(session.scalars(select(Offer.partner_id).where(Offer.lead_id == lead_id)))


def _make_offers(session: Session, lead: Lead, targets: list[tuple[int, float]], round_no: int, s: LeadSettings,
                 now: dt.datetime) -> list[Offer]:
    offers = []
    for pid, score in targets:
        offer = Offer(lead_id=lead.id, partner_id=pid, round=round_no, status="open", match_score=score,
                      offered_at=now, expires_at=now + seconds(s.offer_window))
        session.add(offer)
        offers.append(offer)
    session.flush()
    return offers


def offer_lead(session: Session, lead_id: int, cfg: Config | LeadSettings | None = None, actor: str | User | None = "system",
               now: dt.datetime | None = None, group_size: int | None = None) -> list[Offer]:
    """Offer a qualified lead to the top ``offer_group_size`` matches (the next round after any
    earlier one). With no partner left to match, the lead goes to the channel manager at once.

    Raises :class:`QualificationError` when the gate does not pass.
    Example: ``offer_lead(s, 12, cfg)``
    """
    s = lead_settings(cfg)
    now = now or utcnow()
    lead = get_lead_row(session, lead_id)
    if lead.stage in ("won", "lost") or lead.status == "closed":
        raise LeadClosed(f"lead {lead_id} is closed ({lead.stage})")
    if lead.status == "reserved":
        raise LeadError(f"lead {lead_id} is reserved; it is offered again only if the reservation is revoked or released")
    check_gate(lead, s)
    round_no = _current_round(session, lead.id) + 1
    result = match_partners(session, lead, cfg, now, exclude=_offered_ids(session, lead.id))
    picked = result.matches[: group_size or s.offer_group_size]
    if not picked:
        return escalate_to_channel(session, lead, s, now, reason="no partner passed the hard filters",
                                   rejected=result.rejected)
    # claim the status change first: a concurrent reservation wins over a stale re-offer
    res = session.execute(update(Lead).where(Lead.id == lead.id, Lead.status.in_(("new", "ready", "qualifying", "offered", "escalated")))
                          .values(status="offered", updated_at=now).execution_options(synchronize_session=False))
    if res.rowcount != 1:
        raise LeadError(f"lead {lead_id} changed meanwhile (reserved or closed); not offered")
    session.refresh(lead)
    offers = _make_offers(session, lead, [(m.partner_id, m.score) for m in picked], round_no, s, now)
    record_event(session, lead, "offered", actor, data={
        "round": round_no, "expires_at": offers[0].expires_at,
        "partners": [{"partner_id": m.partner_id, "partner": m.partner, "score": m.score, "components": m.components} for m in picked],
        "filtered_out": result.rejected}, at=now)
    return offers


def escalate_to_channel(session: Session, lead: Lead, s: LeadSettings, now: dt.datetime, reason: str,
                        rejected: dict[str, str] | None = None) -> list[Offer]:
    """Offer the lead to the distributor above the partners offered so far, or, when there is none
    or the distributor had it already, to the manufacturer's channel manager.

    A partner that declined the lead, gave it back or has it open on its pick list is not asked
    (again); one whose earlier offer was withdrawn (a reservation that was later revoked) is.
    With nobody left the lead is marked escalated and waits for staff."""
    offers_so_far = list(session.scalars(select(Offer).where(Offer.lead_id == lead.id)))
    offered = {o.partner_id for o in offers_so_far}
    blocked = {o.partner_id for o in offers_so_far if o.status in ("open", "declined")}
    blocked |= set(session.scalars(select(Reservation.partner_id).where(Reservation.lead_id == lead.id,
                                                                       Reservation.status.in_(("revoked", "released")))))
    partners = {p.id: p for p in session.scalars(select(Partner).where(Partner.id.in_(offered)))} if offered else {}
    had_distributor = any(p.type == "distributor" for p in partners.values())
    targets: dict[int, Partner] = {}
    if not had_distributor:
        for pid in sorted(offered):
            cm = channel_manager(session, pid)
            if cm is not None and cm.type == "distributor" and cm.id not in blocked:
                targets[cm.id] = cm
    if not targets:
        cm = channel_manager(session, None)
        if cm is not None and cm.id not in blocked:
            targets[cm.id] = cm
    was = lead.status
    res = session.execute(update(Lead).where(Lead.id == lead.id, Lead.status.in_(("new", "ready", "qualifying", "offered", "escalated")))
                          .values(status="escalated", updated_at=now).execution_options(synchronize_session=False))
    if res.rowcount != 1:
        return []
    session.refresh(lead)
    if not targets:
        if was != "escalated":
            record_event(session, lead, "escalated", "system", data={
                "to": "nobody", "reason": reason + "; no distributor or channel manager left to ask: staff must decide",
                **({"filtered_out": rejected} if rejected else {})}, at=now)
        return []
    level = "distributor" if all(t.type == "distributor" for t in targets.values()) else "channel manager"
    round_no = _current_round(session, lead.id) + 1
    offers = _make_offers(session, lead, [(pid, 0.0) for pid in targets], round_no, s, now)
    record_event(session, lead, "escalated", "system", data={
        "to": level, "round": round_no, "reason": reason,
        "partners": [{"partner_id": p.id, "partner": p.name, "type": p.type} for p in targets.values()],
        **({"filtered_out": rejected} if rejected else {})}, at=now)
    return offers
