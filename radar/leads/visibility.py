"""Who sees what, enforced here (the dashboard and CLI only call these functions).

* admin, marketing, consultant, and users of the manufacturer: every lead.
* a partner user: the leads its own partner holds or held; a distributor's users: those of the
  distributor's whole subtree (its resellers).
* a qualifier: the leads waiting for qualification, plus those of its own partner's subtree.
* before reserving, a partner sees only a teaser on its pick list (temperature, intent, persona,
  region, an anonymised summary) — never the URL, the author or the full text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from radar.leads.core import anonymise
from radar.leads.errors import NotFound, NotVisible
from radar.leads.events import _json_safe, lead_record
from radar.leads.matching import overdue_partner_ids
from radar.leads.partners import subtree_ids
from radar.models import Lead, LeadEvent, Offer, Partner, Reservation, User, utcnow

STAFF_ROLES = ("admin", "marketing", "consultant")


def visible_partner_ids(session: Session, user: User) -> set[int] | None:
    """The partners whose leads ``user`` may see in full; ``None`` means all of them."""
    if not user.active:
        return set()
    if user.role in STAFF_ROLES:
        return None
    if user.partner_id is None:
        return set()
    partner = session.get(Partner, user.partner_id)
    if partner is None or not partner.active:
        return set()
    if partner.type == "manufacturer" and user.role == "partner":
        return None
    return subtree_ids(session, partner.id)


def _scope(session: Session, user: User, stmt: Select) -> Select:
    ids = visible_partner_ids(session, user)
    if ids is None:
        return stmt
    conds = [Lead.partner_id.in_(ids)] if ids else []
    if user.role == "qualifier" and user.active:
        conds.append(Lead.status.in_(("new", "qualifying")))
    if not conds:
        return stmt.where(Lead.id.is_(None))
    return stmt.where(or_(*conds))


def can_see(session: Session, user: User, lead: Lead) -> bool:
    """Whether ``user`` may see ``lead`` in full."""
    ids = visible_partner_ids(session, user)
    if ids is None:
        return True
    if lead.partner_id is not None and lead.partner_id in ids:
        return True
    return user.role == "qualifier" and user.active and lead.status in ("new", "qualifying")


def visible_leads(session: Session, user: User, *, stage: str | None = None, status: str | None = None,
                  limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
    """Every lead ``user`` may see in full (newest first), as lead records.

    Example: ``visible_leads(s, anna, stage="SQL")``
    """
    stmt = select(Lead).order_by(Lead.created_at.desc(), Lead.id.desc())
    if stage:
        stmt = stmt.where(Lead.stage == stage)
    if status:
        stmt = stmt.where(Lead.status == status)
    stmt = _scope(session, user, stmt).limit(limit).offset(offset)
    return [lead_record(lead) for lead in session.scalars(stmt)]


def my_leads(session: Session, user: User, *, open_only: bool = False) -> list[dict[str, Any]]:
    """A partner user: the leads its own partner holds or held (not the subtree's). Staff: the
    leads they created. Each record carries ``reservation`` (status, feedback due, overdue).

    Example: ``my_leads(s, reseller_user, open_only=True)``
    """
    if not user.active:
        return []
    if user.partner_id is not None and user.role in ("partner", "qualifier"):
        stmt = select(Lead).where(Lead.partner_id == user.partner_id)
    else:
        stmt = select(Lead).where(Lead.created_by == user.id)
    if open_only:
        stmt = stmt.where(Lead.status != "closed")
    now = utcnow()
    out = []
    for lead in session.scalars(stmt.order_by(Lead.updated_at.desc(), Lead.id.desc())):
        rec = lead_record(lead)
        r = session.scalar(select(Reservation).where(Reservation.lead_id == lead.id, Reservation.partner_id == lead.partner_id)
                           .order_by(Reservation.id.desc()).limit(1)) if lead.partner_id else None
        rec["reservation"] = _json_safe({"id": r.id, "status": r.status, "reserved_at": r.reserved_at,
                                         "feedback_due_at": r.feedback_due_at,
                                         "overdue": r.status == "active" and r.feedback_due_at < now}) if r else None
        out.append(rec)
    return out


def get_lead(session: Session, user: User, lead_id: int) -> dict[str, Any]:
    """The full lead with its event log, if ``user`` may see it; else :class:`NotVisible`
    (a partner with only an offer is told to reserve first).

    Example: ``get_lead(s, anna, 12)["origin"]["url"]``
    """
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"no lead {lead_id}")
    if not can_see(session, user, lead):
        if user.partner_id is not None and session.scalar(select(Offer.id).where(
                Offer.lead_id == lead_id, Offer.partner_id == user.partner_id, Offer.status == "open").limit(1)):
            raise NotVisible(f"lead {lead_id} is on your pick list; reserve it to see its details")
        raise NotVisible(f"user {user.username!r} may not see lead {lead_id}")
    rec = lead_record(lead)
    rec["events"] = [_json_safe({"id": e.id, "at": e.at, "kind": e.kind, "actor": e.actor, "partner_id": e.partner_id,
                                 "from_stage": e.from_stage, "to_stage": e.to_stage, "data": e.data})
                     for e in session.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead_id).order_by(LeadEvent.id))]
    return rec


def teaser(lead: Lead, offer: Offer | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """What a partner sees before reserving: no URL, author, contact, title or full text."""
    now = now or utcnow()
    origin = lead.origin or {}
    return _json_safe({
        "lead_id": lead.id, "temperature": lead.temperature, "score": round(lead.score), "intent": lead.intent,
        "persona": lead.persona, "region": lead.region, "language": lead.language, "skills": list(lead.skills or []),
        "summary": anonymise(lead.summary or ""), "stage": lead.stage, "source_kind": origin.get("source_kind"),
        "age_hours": round((now - lead.created_at).total_seconds() / 3600, 1),
        "offer_id": offer.id if offer else None, "round": offer.round if offer else None,
        "offered_at": offer.offered_at if offer else None, "expires_at": offer.expires_at if offer else None,
    })


def pick_list(session: Session, user: User, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The teasers of the leads offered to the user's partner and not yet reserved (hottest
    first). Each item has ``can_reserve`` false and ``blocked_reason`` set when the partner owes
    feedback: it still sees new leads but reserves after reporting. Staff see every open offer's lead.

    Example: ``[t["summary"] for t in pick_list(s, reseller_user)]``
    """
    now = now or utcnow()
    if not user.active:
        return []
    taken = exists().where(Reservation.lead_id == Lead.id, Reservation.status == "active")
    stmt = (select(Offer, Lead).join(Lead, Lead.id == Offer.lead_id)
            .where(Offer.status == "open", Lead.status.in_(("offered", "escalated")), ~taken))
    if user.role in STAFF_ROLES:
        pass
    elif user.partner_id is not None and user.role == "partner":
        stmt = stmt.where(Offer.partner_id == user.partner_id)
    else:
        return []
    blocked = user.partner_id in overdue_partner_ids(session, now) if user.partner_id is not None else False
    seen: set[int] = set()
    out = []
    order = {"hot": 0, "warm": 1, "cold": 2}
    for offer, lead in session.execute(stmt.order_by(Offer.offered_at.desc(), Offer.id)):
        if lead.id in seen:
            continue
        seen.add(lead.id)
        item = teaser(lead, offer if user.role == "partner" else None, now)
        item["can_reserve"] = user.role == "partner" and not blocked
        item["blocked_reason"] = "feedback overdue: report on your reserved leads first" if blocked else None
        out.append(item)
    out.sort(key=lambda t: (order.get(t["temperature"], 3), -t["score"], t["lead_id"]))
    return out


def get_teaser(session: Session, user: User, lead_id: int) -> dict[str, Any]:
    """One lead's teaser for a partner that has it on its pick list (or anyone who may see it)."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"no lead {lead_id}")
    offer = None
    if user.partner_id is not None:
        offer = session.scalar(select(Offer).where(Offer.lead_id == lead_id, Offer.partner_id == user.partner_id)
                               .order_by(Offer.round.desc()).limit(1))
    if offer is None and not can_see(session, user, lead):
        raise NotVisible(f"lead {lead_id} was not offered to user {user.username!r}'s partner")
    return teaser(lead, offer)
