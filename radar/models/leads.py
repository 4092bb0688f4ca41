"""Leads, their append-only event log, offers, reservations and feedback."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from radar.models.base import Base, created, intpk, utcnow

STAGES = ("MQL", "SAL", "SQL", "won", "lost")
STAGE_ORDER = {"MQL": 0, "SAL": 1, "SQL": 2, "won": 3, "lost": 3}
LEAD_STATUSES = ("new", "qualifying", "ready", "offered", "reserved", "escalated", "closed")
OFFER_STATUSES = ("open", "reserved", "declined", "expired", "withdrawn")
RESERVATION_STATUSES = ("active", "released", "revoked", "closed")
FEEDBACK_OUTCOMES = ("contacted", "SAL", "SQL", "won", "lost", "not_interested")


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        CheckConstraint(f"stage IN {STAGES!r}", name="stage"),
        CheckConstraint(f"status IN {LEAD_STATUSES!r}", name="status"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        CheckConstraint("temperature IN ('hot', 'warm', 'cold')", name="temperature"),
        CheckConstraint("deal_size IS NULL OR deal_size >= 0", name="deal_size"),
        CheckConstraint("stage <> 'won' OR deal_size IS NOT NULL", name="won_has_deal_size"),
        Index("ix_leads_status_score", "status", "score"),
        Index("ix_leads_stage", "stage"),
        Index("ix_leads_created", "created_at"),
        Index("ix_leads_partner", "partner_id"),
    )

    id: Mapped[intpk]
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id", ondelete="SET NULL"), unique=True)
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id", ondelete="SET NULL"))
    stage: Mapped[str] = mapped_column(String(10), default="MQL")
    status: Mapped[str] = mapped_column(String(20), default="new")
    title: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float] = mapped_column(Float, default=0)
    temperature: Mapped[str] = mapped_column(String(10), default="cold")
    intent: Mapped[str | None] = mapped_column(String(20))
    persona: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    region: Mapped[str | None] = mapped_column(String(50))
    skills: Mapped[list[Any]] = mapped_column(default=list)
    origin: Mapped[dict[str, Any]] = mapped_column(default=dict)
    contact: Mapped[dict[str, Any]] = mapped_column(default=dict)
    qualification: Mapped[dict[str, Any]] = mapped_column(default=dict)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"))
    deal_size: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    lost_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[dt.datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    events: Mapped[list["LeadEvent"]] = relationship(back_populates="lead", order_by="LeadEvent.id")


class LeadEvent(Base):
    """Append-only: who did what to a lead, and when."""

    __tablename__ = "lead_events"
    __table_args__ = (Index("ix_lead_events_lead", "lead_id", "id"), Index("ix_lead_events_at", "at"))

    id: Mapped[intpk]
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    at: Mapped[created]
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200), default="system")
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"))
    from_stage: Mapped[str | None] = mapped_column(String(10))
    to_stage: Mapped[str | None] = mapped_column(String(10))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    lead: Mapped[Lead] = relationship(back_populates="events")


class Offer(Base):
    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint(f"status IN {OFFER_STATUSES!r}", name="status"),
        UniqueConstraint("lead_id", "partner_id", "round", name="uq_offers_lead_partner_round"),
        Index("ix_offers_picklist", "partner_id", "status", "expires_at"),
        Index("ix_offers_lead", "lead_id", "status"),
    )

    id: Mapped[intpk]
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(20), default="open")
    match_score: Mapped[float] = mapped_column(Float, default=0)
    offered_at: Mapped[created]
    expires_at: Mapped[dt.datetime]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[dt.datetime | None]


class Reservation(Base):
    """At most one *active* reservation per lead, enforced by a unique partial index."""

    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint(f"status IN {RESERVATION_STATUSES!r}", name="status"),
        Index(
            "uq_reservations_one_active_per_lead",
            "lead_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_reservations_partner", "partner_id", "status"),
        Index("ix_reservations_due", "status", "feedback_due_at"),
    )

    id: Mapped[intpk]
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="active")
    reserved_at: Mapped[created]
    feedback_due_at: Mapped[dt.datetime]
    reminded_at: Mapped[dt.datetime | None]
    last_feedback_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint(f"outcome IN {FEEDBACK_OUTCOMES!r}", name="outcome"),
        CheckConstraint("outcome <> 'won' OR deal_size IS NOT NULL", name="won_has_deal_size"),
        CheckConstraint("deal_size IS NULL OR deal_size >= 0", name="deal_size"),
        Index("ix_feedback_lead", "lead_id"),
        Index("ix_feedback_partner", "partner_id", "at"),
    )

    id: Mapped[intpk]
    reservation_id: Mapped[int] = mapped_column(ForeignKey("reservations.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[created]
    outcome: Mapped[str] = mapped_column(String(20))
    deal_size: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
