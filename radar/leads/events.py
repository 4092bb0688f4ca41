"""The one way a lead's history is written: :func:`record_event` appends the ``LeadEvent`` and the
``OutboxEvent`` for the distribution system in the same transaction (the transactional outbox), so
an event is exported if and only if the change it describes was committed."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from radar.models import Lead, LeadEvent, OutboxEvent, User, utcnow

EVENT_KINDS = (
    "created", "updated", "qualified", "disqualified", "offered", "reserved", "declined", "feedback",
    "stage_changed", "won", "lost", "escalated", "reminded", "revoked", "released",
)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_json_safe(v) for v in value]
    return value


def lead_record(lead: Lead) -> dict[str, Any]:
    """The full lead as a JSON-safe dict (times ISO 8601 UTC, money a decimal string).

    Full means full: URL, contact and origin are in it. Give it only to those who may see the
    lead's details (the distribution system, the reserving partner, staff); teasers are built by
    :func:`radar.leads.visibility.teaser`.
    """
    return _json_safe({
        "id": lead.id, "opportunity_id": lead.opportunity_id, "mention_id": lead.mention_id,
        "stage": lead.stage, "status": lead.status, "title": lead.title, "summary": lead.summary,
        "score": lead.score, "temperature": lead.temperature, "intent": lead.intent, "persona": lead.persona,
        "language": lead.language, "region": lead.region, "skills": list(lead.skills or []),
        "origin": dict(lead.origin or {}), "contact": dict(lead.contact or {}),
        "qualification": dict(lead.qualification or {}), "partner_id": lead.partner_id,
        "deal_size": lead.deal_size, "lost_reason": lead.lost_reason, "closed_at": lead.closed_at,
        "created_by": lead.created_by, "created_at": lead.created_at, "updated_at": lead.updated_at,
    })


def actor_name(actor: str | User | None) -> str:
    """``"system"``, a free text actor, or ``"user:<username>"`` for a user."""
    if actor is None:
        return "system"
    if isinstance(actor, User):
        return f"user:{actor.username}"
    return str(actor)


def record_event(session: Session, lead: Lead, kind: str, actor: str | User | None, partner_id: int | None = None,
                 from_stage: str | None = None, to_stage: str | None = None, data: dict[str, Any] | None = None,
                 at: dt.datetime | None = None) -> LeadEvent:
    """Append a lead event and its outbox event (``event_type`` ``"lead." + kind``) in this transaction.

    The outbox payload is ``{"event": {...}, "lead": lead_record(lead)}`` with the lead as it is
    after the change. Returns the ``LeadEvent``.

    Example: ``record_event(s, lead, "reserved", "user:anna", partner_id=3, data={"reservation_id": 9})``
    """
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown lead event kind {kind!r}; use one of {', '.join(EVENT_KINDS)}")
    at = at or utcnow()
    if lead.id is None:
        session.flush()
    event = LeadEvent(lead_id=lead.id, at=at, kind=kind, actor=actor_name(actor), partner_id=partner_id,
                      from_stage=from_stage, to_stage=to_stage, data=_json_safe(data or {}))
    session.add(event)
    session.flush()
    lead.updated_at = at
    event_id = "evt_" + uuid.uuid4().hex
    payload = {
        "event": {"id": event_id, "type": f"lead.{kind}", "lead_event_id": event.id, "at": at, "actor": event.actor,
                  "partner_id": partner_id, "from_stage": from_stage, "to_stage": to_stage, "data": event.data},
        "lead": lead_record(lead),
    }
    session.add(OutboxEvent(event_id=event_id, event_type=f"lead.{kind}", lead_id=lead.id,
                            payload=_json_safe(payload), created_at=at))
    return event
