"""Retention: mentions older than ``[retention] days`` that never became a lead are purged.

Kept regardless of age: mentions a lead points at (the lead's origin stays provable) and mentions a
person labelled (training data). Classifications and opportunities go with their mention (ON DELETE
CASCADE); near-duplicates that pointed at a purged mention lose their group link (SET NULL).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from radar.config import Config
from radar.models import Label, Lead, Mention, utcnow


def purge_expired_mentions(session: Session, cfg: Config, now: dt.datetime | None = None) -> int:
    """Delete expired mentions; return how many. Example: ``purge_expired_mentions(s, cfg) -> 1204``"""
    cutoff = (now or utcnow()) - dt.timedelta(days=cfg.settings.retention.days)
    doomed = (
        select(Mention.id)
        .where(Mention.fetched_at < cutoff)
        .where(~exists().where(Lead.mention_id == Mention.id))
        .where(~exists().where(Label.mention_id == Mention.id))
    )
    ids = list(session.scalars(doomed))
    for start in range(0, len(ids), 500):
        session.execute(delete(Mention).where(Mention.id.in_(ids[start:start + 500])).execution_options(synchronize_session=False))
    return len(ids)
