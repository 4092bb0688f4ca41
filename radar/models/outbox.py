"""Outgoing work kept in the database so nothing is lost: webhook events, e-mails,
single-use action tokens; and the service's own bookkeeping (leader lock, job state)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from radar.models.base import Base, created, intpk, utcnow

DELIVERY_STATUSES = ("pending", "delivered", "failed", "dead")


class OutboxEvent(Base):
    """A lead event for the distribution system, written in the same transaction as the change."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        CheckConstraint(f"status IN {DELIVERY_STATUSES!r}", name="status"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_lead", "lead_id", "id"),
    )

    id: Mapped[intpk]
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_type: Mapped[str] = mapped_column(String(50))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[created]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[dt.datetime | None]


class WebhookDelivery(Base):
    """The delivery log: one row per attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_event", "event_id"),)

    id: Mapped[intpk]
    event_id: Mapped[str] = mapped_column(String(64))
    endpoint: Mapped[str] = mapped_column(Text)
    at: Mapped[created]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[float | None] = mapped_column(Float)


ENDPOINT_STATUSES = ("active", "gone")


class WebhookEndpoint(Base):
    """State of one webhook endpoint: flagged ``gone`` when it answers 410, so delivery stops
    until an operator re-enables it (``radar export endpoint-enable``)."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (CheckConstraint(f"status IN {ENDPOINT_STATUSES!r}", name="status"),)

    id: Mapped[intpk]
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    flagged_at: Mapped[dt.datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    last_success_at: Mapped[dt.datetime | None]
    last_failure_at: Mapped[dt.datetime | None]
    created_at: Mapped[created]


class EmailMessage(Base):
    """The mail queue: a down SMTP server delays mail and loses none."""

    __tablename__ = "email_messages"
    __table_args__ = (
        CheckConstraint(f"status IN {DELIVERY_STATUSES!r}", name="status"),
        Index("ix_email_due", "status", "next_attempt_at"),
    )

    id: Mapped[intpk]
    to_address: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40), default="notice")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[created]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None]


class ActionToken(Base):
    """Marks a one-click e-mail token as used (single use)."""

    __tablename__ = "action_tokens"

    id: Mapped[intpk]
    token_id: Mapped[str] = mapped_column(String(64), unique=True)
    action: Mapped[str] = mapped_column(String(40))
    used_at: Mapped[created]


class ServiceLock(Base):
    """Leader lock: one scheduler per database, held by a heartbeat."""

    __tablename__ = "service_locks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(300))
    acquired_at: Mapped[created]
    heartbeat_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class JobState(Base):
    """Last and next run of each periodic job, for `radar status` and the dashboard."""

    __tablename__ = "job_states"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_run_at: Mapped[dt.datetime | None]
    last_status: Mapped[str | None] = mapped_column(String(20))
    last_error: Mapped[str | None] = mapped_column(Text)
    next_run_at: Mapped[dt.datetime | None]
    runs: Mapped[int] = mapped_column(default=0)


class APSchedulerJob(Base):
    """APScheduler 3.x SQLAlchemyJobStore's table, owned here so Alembic creates it."""

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(String(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
