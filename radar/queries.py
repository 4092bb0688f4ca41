"""Read-side query functions for the dashboard and CLI (the dashboard never builds SQL)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from radar.models import Lead, Mention, Opportunity, Partner, Source


def overview_counts(session: Session) -> dict[str, int]:
    """Headline counts. Example: ``overview_counts(s) -> {"Sources": 9, ...}``"""
    return {
        "Sources": session.scalar(select(func.count()).select_from(Source).where(Source.enabled.is_(True))) or 0,
        "Mentions": session.scalar(select(func.count()).select_from(Mention)) or 0,
        "Open opportunities": session.scalar(select(func.count()).select_from(Opportunity).where(Opportunity.status.in_(("new", "seen")))) or 0,
        "Leads": session.scalar(select(func.count()).select_from(Lead)) or 0,
        "Partners": session.scalar(select(func.count()).select_from(Partner).where(Partner.active.is_(True))) or 0,
    }
