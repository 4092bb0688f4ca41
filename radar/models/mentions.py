"""Mentions (public posts), their classifications, the consultant's opportunity state,
labels, personas and model versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from radar.models.base import Base, created, intpk, name_str, utcnow

INTENTS = ("recommendation", "supplier", "support", "experience", "comparison", "none")
TEMPERATURES = ("hot", "warm", "cold")
OPPORTUNITY_STATUSES = ("new", "seen", "dismissed", "contacted", "lead")


class Mention(Base):
    """One public post. Unique per source and external id; near-duplicates point at the first
    of their group through ``group_id`` and do not become opportunities of their own."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id", name="uq_mentions_source_external"),
        Index("ix_mentions_canonical_url", "canonical_url"),
        Index("ix_mentions_content_hash", "content_hash"),
        Index("ix_mentions_published_at", "published_at"),
        Index("ix_mentions_fetched_at", "fetched_at"),
        Index("ix_mentions_group_id", "group_id"),
        Index("ix_mentions_unclassified", "classified_at"),
    )

    id: Mapped[intpk]
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    published_at: Mapped[dt.datetime | None]
    fetched_at: Mapped[created]
    content_hash: Mapped[str] = mapped_column(String(64))
    simhash: Mapped[int | None] = mapped_column(BigInteger)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id", ondelete="SET NULL"))
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    classified_at: Mapped[dt.datetime | None]

    classifications: Mapped[list["Classification"]] = relationship(back_populates="mention", cascade="all, delete-orphan", passive_deletes=True)
    opportunity: Mapped["Opportunity | None"] = relationship(back_populates="mention", uselist=False)


class Classification(Base):
    __tablename__ = "classifications"
    __table_args__ = (
        UniqueConstraint("mention_id", "model_version", name="uq_classifications_mention_model"),
        CheckConstraint(f"intent IN {INTENTS!r}", name="intent"),
        CheckConstraint(f"temperature IN {TEMPERATURES!r}", name="temperature"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        CheckConstraint("request_probability >= 0 AND request_probability <= 1", name="probability_range"),
        CheckConstraint("urgency >= 0 AND urgency <= 100", name="urgency_range"),
    )

    id: Mapped[intpk]
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    model_version: Mapped[str] = mapped_column(String(100))
    language: Mapped[str | None] = mapped_column(String(8))
    is_request: Mapped[bool]
    request_probability: Mapped[float] = mapped_column(Float)
    intent: Mapped[str] = mapped_column(String(20))
    urgency: Mapped[float] = mapped_column(Float, default=0)
    score: Mapped[float] = mapped_column(Float)
    temperature: Mapped[str] = mapped_column(String(10))
    best_persona: Mapped[str | None] = mapped_column(String(200))
    persona_fit: Mapped[dict[str, Any]] = mapped_column(default=dict)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[created]

    mention: Mapped[Mention] = relationship(back_populates="classifications")


class Opportunity(Base):
    """A consultant's view of one mention group, denormalised for the daily inbox."""

    __tablename__ = "opportunities"
    __table_args__ = (
        CheckConstraint(f"status IN {OPPORTUNITY_STATUSES!r}", name="status"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        CheckConstraint(f"temperature IN {TEMPERATURES!r}", name="temperature"),
        Index("ix_opportunities_inbox", "status", "published_at", "score"),
        Index("ix_opportunities_score", "score"),
        Index("ix_opportunities_published", "published_at"),
    )

    id: Mapped[intpk]
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"), unique=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default="new")
    dismissed_reason: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float, default=0)
    temperature: Mapped[str] = mapped_column(String(10), default="cold")
    intent: Mapped[str | None] = mapped_column(String(20))
    persona: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_at: Mapped[created]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    mention: Mapped[Mention] = relationship(back_populates="opportunity")


class Label(Base):
    """A human verdict on a mention: 1 help request, 0 not; with an intent when known."""

    __tablename__ = "labels"
    __table_args__ = (
        CheckConstraint("label IN (0, 1)", name="label"),
        CheckConstraint(f"intent IS NULL OR intent IN {INTENTS!r}", name="intent"),
        Index("ix_labels_mention", "mention_id"),
    )

    id: Mapped[intpk]
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    label: Mapped[int]
    intent: Mapped[str | None] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(30), default="dashboard")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created]


class Persona(Base):
    """A buyer persona; the definition is the validated TOML table (see config/personas.toml)."""

    __tablename__ = "personas"

    id: Mapped[intpk]
    name: Mapped[name_str] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    definition: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ModelVersion(Base):
    __tablename__ = "model_versions"
    __table_args__ = (
        Index("uq_model_versions_one_active", "active", unique=True, sqlite_where=text("active = 1"), postgresql_where=text("active")),
    )

    id: Mapped[intpk]
    version: Mapped[str] = mapped_column(String(100), unique=True)
    artifact_path: Mapped[str] = mapped_column(Text)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(default=False)
    previous_version: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created]
