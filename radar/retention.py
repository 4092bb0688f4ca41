"""The retention purge as a periodic job: ``[retention] days`` applied by
:func:`radar.collection.purge_mentions` (short transactions, so crawls keep writing meanwhile)."""

from __future__ import annotations

from radar.collection import purge_mentions
from radar.config import Config


def purge_expired_mentions(session_factory, cfg: Config) -> int:
    """Delete mentions older than ``[retention] days`` that never became a lead; return how many."""
    return purge_mentions(session_factory, cfg.settings.retention.days)
