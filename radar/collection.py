"""Query and store functions of the collection: source health, mention listings, retention.
They take a ``session``; CLI commands and dashboard loaders call them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterator

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from radar.models import CrawlRun, Lead, Mention, Opportunity, Source, utcnow


@dataclass
class SourceHealth:
    name: str
    kind: str
    enabled: bool
    interval_seconds: int
    last_run_at: dt.datetime | None
    last_status: str | None
    last_new: int | None
    items_total: int
    error_streak: int
    last_error: str | None


def source_health(session: Session) -> list[SourceHealth]:
    """Every source with its health and the new items of its last finished run."""
    last_run = (
        select(CrawlRun.source_id, func.max(CrawlRun.id).label("run_id"))
        .where(CrawlRun.status != "running")
        .group_by(CrawlRun.source_id)
        .subquery()
    )
    rows = session.execute(
        select(Source, CrawlRun.items_new)
        .outerjoin(last_run, last_run.c.source_id == Source.id)
        .outerjoin(CrawlRun, CrawlRun.id == last_run.c.run_id)
        .order_by(Source.name)
    ).all()
    return [
        SourceHealth(s.name, s.kind, s.enabled, s.interval_seconds, s.last_run_at, s.last_status, new, s.items_total or 0,
                     s.error_streak or 0, s.last_error)
        for s, new in rows
    ]


def recent_runs(session: Session, source_name: str, limit: int = 10) -> list[CrawlRun]:
    return list(session.scalars(
        select(CrawlRun).join(Source).where(Source.name == source_name).order_by(CrawlRun.id.desc()).limit(limit)
    ))


def iter_mentions(session: Session, since: dt.datetime | None = None, sources: list[str] | None = None,
                  limit: int | None = None, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Mentions fetched since ``since`` (newest first), as plain dicts, streamed in batches."""
    q = select(Mention, Source.name).join(Source, Source.id == Mention.source_id)
    if since is not None:
        q = q.where(Mention.fetched_at >= since)
    if sources:
        q = q.where(Source.name.in_(sources))
    q = q.order_by(Mention.fetched_at.desc(), Mention.id.desc())
    if limit:
        q = q.limit(limit)
    for m, source_name in session.execute(q.execution_options(yield_per=batch)):
        yield {
            "id": m.id, "source": source_name, "external_id": m.external_id, "url": m.url, "title": m.title,
            "text": m.body, "author": m.author, "language": m.language,
            "published_at": m.published_at.isoformat() if m.published_at else None,
            "fetched_at": m.fetched_at.isoformat(), "group_id": m.group_id,
            "classified": m.classified_at is not None,
        }


def purgeable(cutoff: dt.datetime):
    """Mentions older than ``cutoff`` (by publication, else fetch time) that never became a lead."""
    became_lead = or_(
        exists().where(Lead.mention_id == Mention.id),
        exists().where(and_(Opportunity.mention_id == Mention.id, or_(Opportunity.status == "lead",
                                                                     exists().where(Lead.opportunity_id == Opportunity.id)))),
    )
    return and_(func.coalesce(Mention.published_at, Mention.fetched_at) < cutoff, ~became_lead)


def count_purgeable(session: Session, days: int, now: dt.datetime | None = None) -> int:
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    return session.scalar(select(func.count()).select_from(Mention).where(purgeable(cutoff))) or 0


def purge_mentions(session_factory, days: int, now: dt.datetime | None = None, batch: int = 1000) -> int:
    """Delete mentions older than ``days`` that never became a lead, with their classifications,
    opportunities and labels (the database cascades). Short transactions of ``batch`` rows, so
    the service keeps writing meanwhile. Returns the number deleted.

    Example: ``purge_mentions(get_sessionmaker(url), cfg.settings.retention.days)``
    """
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    total = 0
    while True:
        with session_factory.begin() as session:
            ids = list(session.scalars(select(Mention.id).where(purgeable(cutoff)).order_by(Mention.id).limit(batch)))
            if not ids:
                return total
            # group members keep their text; their pointer to a purged leader is cleared
            session.execute(Mention.__table__.update().where(Mention.group_id.in_(ids)).values(group_id=None))
            session.execute(delete(Mention).where(Mention.id.in_(ids)))
            total += len(ids)
