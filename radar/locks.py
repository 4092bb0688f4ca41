"""Locks in the database (``service_locks``): one leader scheduler per database, one run per source.

A lock is a row ``(name, holder, acquired_at, heartbeat_at)``. Its holder beats regularly; a lock
whose heartbeat is older than the staleness timeout belongs to a dead process and may be taken
over. Taking, beating and releasing are single conditional statements, so two processes (on one
machine or on several sharing a PostgreSQL database) can never both believe they hold a lock:

- take: ``INSERT … ON CONFLICT DO NOTHING``, then
  ``UPDATE … WHERE name = :n AND (holder = :me OR heartbeat_at < :stale_cutoff)`` — one row means ours;
- beat: ``UPDATE … SET heartbeat_at = now WHERE name = :n AND holder = :me`` — no row means we lost it;
- release: ``DELETE … WHERE name = :n AND holder = :me``.

A holder on the same host whose process id no longer exists is dead at once (a crashed service
restarted by systemd need not wait for the timeout). Times are the machines' UTC clocks; keep them
in sync (NTP) to well within the timeout.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from radar.models import ServiceLock, utcnow

LEADER_LOCK = "scheduler"


def crawl_lock_name(source_name: str) -> str:
    return f"crawl:{source_name}"


def make_holder() -> str:
    """``host:pid:token``: who holds a lock, unique per process start."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class LockInfo:
    name: str
    holder: str
    acquired_at: dt.datetime
    heartbeat_at: dt.datetime

    @property
    def host(self) -> str:
        return self.holder.split(":")[0]

    @property
    def pid(self) -> int | None:
        parts = self.holder.split(":")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None

    def age(self, now: dt.datetime | None = None) -> float:
        """Seconds since the last heartbeat."""
        return ((now or utcnow()) - self.heartbeat_at).total_seconds()


def _insert_ignore(session: Session, values: dict) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(ServiceLock).values(**values).on_conflict_do_nothing(index_elements=["name"]))


def _process_gone(info: LockInfo) -> bool:
    """True when the holder ran on this host and its process no longer exists."""
    if info.host != socket.gethostname() or info.pid is None or info.pid == os.getpid():
        return False
    try:
        os.kill(info.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def lock_info(session: Session, name: str) -> LockInfo | None:
    row = session.execute(select(ServiceLock).where(ServiceLock.name == name).execution_options(populate_existing=True)).scalar_one_or_none()
    if row is None:
        return None
    return LockInfo(row.name, row.holder, row.acquired_at, row.heartbeat_at)


def try_acquire(session: Session, name: str, holder: str, stale_after: float) -> LockInfo | None:
    """Take lock ``name`` for ``holder``. Returns ``None`` when it is ours now, otherwise the live
    holder's :class:`LockInfo`. The caller commits (``session_scope``)."""
    now = utcnow()
    _insert_ignore(session, {"name": name, "holder": holder, "acquired_at": now, "heartbeat_at": now})
    cutoff = now - dt.timedelta(seconds=stale_after)
    taken = session.execute(
        update(ServiceLock)
        .where(ServiceLock.name == name, (ServiceLock.holder == holder) | (ServiceLock.heartbeat_at < cutoff))
        .values(holder=holder, heartbeat_at=now, acquired_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken == 1:
        return None
    info = lock_info(session, name)
    if info is None:  # released between our statements: try once more
        _insert_ignore(session, {"name": name, "holder": holder, "acquired_at": now, "heartbeat_at": now})
        info = lock_info(session, name)
        return None if info is not None and info.holder == holder else info
    if _process_gone(info):
        taken = session.execute(
            update(ServiceLock)
            .where(ServiceLock.name == name, ServiceLock.holder == info.holder)
            .values(holder=holder, heartbeat_at=now, acquired_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken == 1:
            return None
        info = lock_info(session, name) or info
    return info


def heartbeat(session: Session, name: str, holder: str) -> bool:
    """Renew the lock; ``False`` means it is no longer ours (taken over as stale)."""
    return session.execute(
        update(ServiceLock).where(ServiceLock.name == name, ServiceLock.holder == holder)
        .values(heartbeat_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount == 1


def release(session: Session, name: str, holder: str) -> bool:
    """Give the lock up (only if still ours)."""
    return session.execute(
        delete(ServiceLock).where(ServiceLock.name == name, ServiceLock.holder == holder).execution_options(synchronize_session=False)
    ).rowcount == 1
