"""Database locks (service_locks) on SQLite and PostgreSQL: one holder, heartbeats, stale takeover."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import socket
import subprocess
import sys

from radar.db import dispose_all, session_scope
from radar.locks import LEADER_LOCK, heartbeat, lock_info, make_holder, release, try_acquire
from radar.models import ServiceLock, utcnow


def test_one_holder_at_a_time_and_release(db_url):
    a, b = make_holder(), make_holder()
    with session_scope(db_url) as s:
        assert try_acquire(s, LEADER_LOCK, a, 60) is None
    with session_scope(db_url) as s:
        other = try_acquire(s, LEADER_LOCK, b, 60)
    assert other is not None and other.holder == a and other.age() < 5
    with session_scope(db_url) as s:
        assert try_acquire(s, LEADER_LOCK, a, 60) is None  # re-entrant for its holder
        assert heartbeat(s, LEADER_LOCK, a) and not heartbeat(s, LEADER_LOCK, b)
        assert not release(s, LEADER_LOCK, b)
        assert release(s, LEADER_LOCK, a)
    with session_scope(db_url) as s:
        assert try_acquire(s, LEADER_LOCK, b, 60) is None


def test_stale_lock_is_taken_over_and_the_old_holder_learns_it(db_url):
    old = "otherhost:999:deadbeef"
    with session_scope(db_url) as s:
        t = utcnow() - dt.timedelta(seconds=120)
        s.add(ServiceLock(name=LEADER_LOCK, holder=old, acquired_at=t, heartbeat_at=t))
    me = make_holder()
    with session_scope(db_url) as s:
        assert try_acquire(s, LEADER_LOCK, me, 300) is not None  # not stale yet for a 5-minute timeout
    with session_scope(db_url) as s:
        assert try_acquire(s, LEADER_LOCK, me, 60) is None
    with session_scope(db_url) as s:
        assert not heartbeat(s, LEADER_LOCK, old)  # the old holder, if it wakes up, must stop
        assert lock_info(s, LEADER_LOCK).holder == me


def test_lock_of_a_dead_process_on_this_host_is_free_at_once(db_url):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    with session_scope(db_url) as s:
        now = utcnow()
        s.add(ServiceLock(name=LEADER_LOCK, holder=f"{socket.gethostname()}:{dead}:abcd", acquired_at=now, heartbeat_at=now))
    me = make_holder()
    with session_scope(db_url) as s:
        assert try_acquire(s, LEADER_LOCK, me, 3600) is None
    # a live process on this host keeps its lock
    alive = f"{socket.gethostname()}:{os.getppid()}:abcd"
    with session_scope(db_url) as s:
        s.get(ServiceLock, LEADER_LOCK).holder = alive
    with session_scope(db_url) as s:
        assert try_acquire(s, LEADER_LOCK, me, 3600).holder == alive


def _contend(url: str, barrier, results) -> None:
    dispose_all()  # no connections inherited from the parent
    me = make_holder()
    barrier.wait()
    with session_scope(url) as s:
        results.put(try_acquire(s, LEADER_LOCK, me, 60) is None)
    barrier.wait()  # stay alive until all have tried: a winner that exited would be a dead holder


def test_racing_processes_get_exactly_one_winner(db_url):
    """Eight processes race for a free lock, then for a stale one: one winner each time."""
    ctx = multiprocessing.get_context("fork")
    for stale in (False, True):
        with session_scope(db_url) as s:
            s.query(ServiceLock).delete()
            if stale:
                t = utcnow() - dt.timedelta(hours=1)
                s.add(ServiceLock(name=LEADER_LOCK, holder="gone:1:x", acquired_at=t, heartbeat_at=t))
        dispose_all()
        barrier, results = ctx.Barrier(8), ctx.Queue()
        procs = [ctx.Process(target=_contend, args=(db_url, barrier, results)) for _ in range(8)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert all(p.exitcode == 0 for p in procs)
        wins = [results.get(timeout=5) for _ in procs]
        assert wins.count(True) == 1, (stale, wins)
