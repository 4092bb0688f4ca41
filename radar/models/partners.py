"""Partners (the channel hierarchy), users with roles, and radars (keyword subscriptions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from radar.models.base import Base, created, intpk, name_str

PARTNER_TYPES = ("manufacturer", "distributor", "reseller", "agency")
ROLES = ("admin", "marketing", "consultant", "partner", "qualifier")
CADENCES = ("instant", "daily", "weekly")
CHANNELS = ("email", "webhook")


class Partner(Base):
    __tablename__ = "partners"
    __table_args__ = (
        CheckConstraint(f"type IN {PARTNER_TYPES!r}", name="type"),
        CheckConstraint("capacity_per_week >= 0", name="capacity"),
        Index("ix_partners_parent", "parent_id"),
    )

    id: Mapped[intpk]
    name: Mapped[name_str] = mapped_column(unique=True)
    type: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="RESTRICT"))
    level: Mapped[str] = mapped_column(String(50), default="standard")
    level_weight: Mapped[float] = mapped_column(Float, default=1.0)
    certifications: Mapped[list[Any]] = mapped_column(default=list)
    skills: Mapped[list[Any]] = mapped_column(default=list)
    regions: Mapped[list[Any]] = mapped_column(default=list)
    capacity_per_week: Mapped[int] = mapped_column(default=5)
    active: Mapped[bool] = mapped_column(default=True)
    points: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[created]

    parent: Mapped["Partner | None"] = relationship(remote_side="Partner.id", back_populates="children")
    children: Mapped[list["Partner"]] = relationship(back_populates="parent")
    users: Mapped[list["User"]] = relationship(back_populates="partner")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role"),
        CheckConstraint("role <> 'partner' OR partner_id IS NOT NULL", name="partner_user_has_partner"),
        CheckConstraint(f"notify_cadence IN {CADENCES!r}", name="cadence"),
        CheckConstraint(f"notify_channel IN {CHANNELS!r}", name="channel"),
        Index("ix_users_partner", "partner_id"),
    )

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(300), default="")
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(default=True)
    notify_channel: Mapped[str] = mapped_column(String(20), default="email")
    notify_cadence: Mapped[str] = mapped_column(String(20), default="daily")
    notify_min_temperature: Mapped[str] = mapped_column(String(10), default="warm")
    last_login_at: Mapped[dt.datetime | None]
    created_at: Mapped[created]

    partner: Mapped[Partner | None] = relationship(back_populates="users")


class Radar(Base):
    __tablename__ = "radars"
    __table_args__ = (
        CheckConstraint("min_score >= 0 AND min_score <= 100", name="min_score"),
        CheckConstraint(f"cadence IN {CADENCES!r}", name="cadence"),
        CheckConstraint(f"channel IN {CHANNELS!r}", name="channel"),
        Index("ix_radars_partner", "partner_id"),
        Index("ix_radars_owner", "owner_id"),
    )

    id: Mapped[intpk]
    name: Mapped[name_str]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    query: Mapped[str] = mapped_column(Text)
    languages: Mapped[list[Any]] = mapped_column(default=list)
    min_score: Mapped[int] = mapped_column(default=0)
    personas: Mapped[list[Any]] = mapped_column(default=list)
    regions: Mapped[list[Any]] = mapped_column(default=list)
    cadence: Mapped[str] = mapped_column(String(20), default="daily")
    channel: Mapped[str] = mapped_column(String(20), default="email")
    active: Mapped[bool] = mapped_column(default=True)
    last_notified_at: Mapped[dt.datetime | None]
    created_at: Mapped[created]
