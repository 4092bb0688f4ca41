"""The always-on service (`radar run`): APScheduler 3.x schedules every enabled source and the
periodic jobs; each crawl runs in its own subprocess; the dashboard runs beside it.

Why a subprocess per crawl (measured in ``bench/service.py``, figures in bench/README.md): the
service's memory stays flat whatever Scrapy leaves behind, a hung crawl is ended for certain
(SIGTERM, then SIGKILL of its process group), a crashing crawl cannot take the scheduler with it,
and there is no Twisted reactor to share with APScheduler's threads.

Layout of one leader process::

    main thread   signals, leader-lock heartbeat, resync of sources → jobs, dashboard watchdog, shutdown
    scheduler     BackgroundScheduler, SQLAlchemyJobStore (table apscheduler_jobs, same database)
      "crawls"    thread pool ([scheduler] max_parallel_crawls): one thread waits on one crawl subprocess
      "periodic"  thread pool (2): the jobs of radar.jobs.PERIODIC_JOBS, in-process, one transaction each

The job store pickles only ``radar.service:run_source_job`` / ``run_periodic_job`` and a name, so a
stored schedule never refers to code that may move.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import logging
import os
import random
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from radar.config import Config, parse_duration
from radar.jobs import PERIODIC_JOBS, PeriodicJob
from radar.logs import event
from radar.models import CrawlRun, JobState, Source, utcnow
from radar.processes import dashboard_command

log = logging.getLogger("radar.service")

EXIT_OK = 0
EXIT_LOCK_LOST = 1
EXIT_LOCK_HELD = 3
CRAWL_COMMAND_ENV = "RADAR_CRAWL_COMMAND"
SOURCE_JOB_PREFIX = "source:"
PERIODIC_JOB_PREFIX = "job:"
BACKSTOP = 30.0  # a crawl still running this long after crawl_timeout (at most half of it) is stopped by the service
TERM_GRACE = 5.0  # a timed-out crawl gets this long (at most half of shutdown_grace) after SIGTERM before SIGKILL

_ACTIVE: "Service | None" = None


class LeaderLockHeld(Exception):
    """Another scheduler holds the leader lock on this database."""

    def __init__(self, info, timeout: float):
        self.info = info
        age = info.age()
        super().__init__(
            f"Another scheduler is running on this database: {info.holder} (since {info.acquired_at:%Y-%m-%d %H:%M:%S} UTC, "
            f"last heartbeat {age:.0f} s ago).\n"
            f"Only one `radar run` may schedule per database. Stop the other one first, or start this one as a crawl "
            f"worker with `radar run --worker`.\nIf that process is dead, its lock is free {max(0.0, timeout - age):.0f} s "
            f"from now ([scheduler] lock_timeout = {timeout:.0f} s); on the same host a dead process frees it at once."
        )


# --------------------------------------------------------------------------- crawl commands
def crawl_command(cfg: Config, source_name: str) -> list[str]:
    """argv of one crawl: ``python -m radar.crawl --source NAME``.

    ``$RADAR_CRAWL_COMMAND`` (a template with ``{source}`` and ``{python}``) replaces it; tests and
    benchmarks use it to run a crawl that hangs or crashes on purpose.
    """
    template = os.environ.get(CRAWL_COMMAND_ENV)
    if template:
        return [part.format(source=source_name, python=sys.executable) for part in shlex.split(template)]
    return [sys.executable, "-m", "radar.crawl", "--source", source_name]


# --------------------------------------------------------------------------- recording outcomes
def record_crawl_outcome(session: Session, source_name: str, pid: int, started_at: dt.datetime, status: str,
                         error: str, count_as_error: bool = True) -> int | None:
    """Record a crawl that did not record its own end (hung, crashed, killed): its ``running``
    CrawlRun (matched by source and pid) is closed with ``status``, or a new run row is written
    when the child never got as far as creating one; the source's health is updated.

    A run the child closed itself is left alone, except that one the service had to stop for
    running past its timeout is recorded as ``timeout`` even when it closed as ``aborted``.
    Returns the run id.
    """
    src = session.scalar(select(Source).where(Source.name == source_name))
    if src is None:
        return None
    run = session.scalar(
        select(CrawlRun).where(CrawlRun.source_id == src.id, CrawlRun.pid == pid,
                               CrawlRun.started_at >= started_at - dt.timedelta(seconds=5))
        .order_by(CrawlRun.id.desc()).limit(1)
    )
    now = utcnow()
    if run is not None and run.status != "running" and not (status == "timeout" and run.status == "aborted"):
        return run.id  # the crawl closed its run itself (a timed-out one that closed as "aborted" is corrected)
    if run is None:
        run = CrawlRun(source_id=src.id, started_at=started_at, pid=pid, status=status, errors=[])
        session.add(run)
    run.status = status
    run.finished_at = now
    run.errors = [*(run.errors or []), {"at": now.isoformat(), "error": error[-2000:]}]
    src.last_run_at = now
    src.last_status = status
    src.last_error = error[-2000:]
    if count_as_error:
        src.error_streak = (src.error_streak or 0) + 1
    session.flush()
    return run.id


# --------------------------------------------------------------------------- job entry points
def run_source_job(source_name: str) -> None:
    """What the job store calls for a source (by this import path)."""
    if _ACTIVE is None:
        log.error("run_source_job(%r) called outside a running service", source_name)
        return
    _ACTIVE.crawl(source_name)


def run_periodic_job(name: str) -> None:
    """What the job store calls for a periodic job (by this import path)."""
    if _ACTIVE is None:
        log.error("run_periodic_job(%r) called outside a running service", name)
        return
    _ACTIVE.periodic(name)


def _signature(trigger: Any) -> str:
    """What makes two triggers the same schedule (str() of a trigger leaves out jitter and time zone)."""
    interval = getattr(trigger, "interval", None)
    if interval is not None:
        return f"interval {interval.total_seconds()} jitter {trigger.jitter or 0}"
    return f"{trigger} tz {getattr(trigger, 'timezone', '')} jitter {getattr(trigger, 'jitter', 0) or 0}"


def _scheduler_class():
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.base import STATE_RUNNING

    class Scheduler(BackgroundScheduler):
        def _process_jobs(self):
            # APScheduler 3 makes one more pass over due jobs after shutdown(): it would fail to
            # submit them to the stopped executors yet advance their stored next run time, so a
            # run due at shutdown would be lost instead of caught up after the restart.
            if self.state != STATE_RUNNING:
                return None
            return super()._process_jobs()

    return Scheduler


@dataclass
class _Crawl:
    source: str
    proc: subprocess.Popen
    started_at: dt.datetime
    signalled: str | None = None  # "timeout" or "shutdown"
    stderr_tail: collections.deque = field(default_factory=lambda: collections.deque(maxlen=30))
    summary: dict[str, Any] | None = None


class Service:
    """One `radar run` process. ``run()`` blocks until SIGTERM/SIGINT (or ``stop`` is set)."""

    def __init__(self, cfg: Config, *, worker: bool = False, with_dashboard: bool = True,
                 jobs: tuple[PeriodicJob, ...] = PERIODIC_JOBS, stop: threading.Event | None = None,
                 dashboard_port: int | None = None):
        from radar.db import get_engine, get_sessionmaker
        from radar.locks import make_holder

        self.cfg = cfg
        self.worker = worker
        self.with_dashboard = with_dashboard and not worker
        self.dashboard_port = dashboard_port
        self.jobs = {j.name: j for j in jobs}
        self.stop = stop or threading.Event()
        self.reload = threading.Event()
        self.stopping = threading.Event()
        self.holder = make_holder()
        self.engine = get_engine(cfg.database_url)
        self.sessions = get_sessionmaker(cfg.database_url)
        self.crawls: dict[int, _Crawl] = {}
        self._crawls_lock = threading.Lock()
        self._dashboard: subprocess.Popen | None = None
        self._dashboard_restarts: list[float] = []
        self.scheduler = None
        self.exit_code = EXIT_OK
        sched = cfg.settings.scheduler
        self.lock_timeout = parse_duration(sched.lock_timeout)
        self.shutdown_grace = parse_duration(sched.shutdown_grace)
        self.crawl_timeout = parse_duration(cfg.settings.crawl.crawl_timeout)
        self.term_grace = min(TERM_GRACE, self.shutdown_grace / 2)
        self.backstop = min(BACKSTOP, max(1.0, self.crawl_timeout / 2))

    # ------------------------------------------------------------------ lifecycle
    def run(self) -> int:
        global _ACTIVE
        from radar.locks import LEADER_LOCK, release, try_acquire

        if not self.worker:
            with self.sessions.begin() as s:
                other = try_acquire(s, LEADER_LOCK, self.holder, self.lock_timeout)
            if other is not None:
                raise LeaderLockHeld(other, self.lock_timeout)
        # the handlers first: "service.started" tells a supervisor (and the tests) that SIGTERM now
        # shuts down cleanly; logged before them, a SIGTERM right after the line killed the process
        self._install_signals()
        event(log, "service.started", role="worker" if self.worker else "leader", holder=self.holder, pid=os.getpid())
        _ACTIVE = self
        try:
            if self.with_dashboard:
                self._start_dashboard()
            self._start_scheduler()
            self._main_loop()
        finally:
            self._shutdown()
            _ACTIVE = None
            if not self.worker:
                try:
                    with self.sessions.begin() as s:
                        release(s, LEADER_LOCK, self.holder)
                except Exception:  # noqa: BLE001 - the lock goes stale by itself
                    log.exception("could not release the leader lock")
            event(log, "service.stopped", exit_code=self.exit_code)
        return self.exit_code

    def _install_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return

        def _stop(signum, _frame):
            if self.stop.is_set():  # a second Ctrl-C: do not wait for crawls
                event(log, "service.signal", signal=signal.Signals(signum).name, action="abort-now")
                self._signal_crawls(signal.SIGKILL, "shutdown")
                return
            event(log, "service.signal", signal=signal.Signals(signum).name, action="shutdown")
            self.stop.set()

        def _hup(_signum, _frame):
            event(log, "service.signal", signal="SIGHUP", action="reload")
            self.reload.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, _hup)

    def _make_scheduler(self):
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.jobstores.memory import MemoryJobStore
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

        sched = self.cfg.settings.scheduler
        store = MemoryJobStore() if self.worker else SQLAlchemyJobStore(engine=self.engine, tablename="apscheduler_jobs")
        return _scheduler_class()(
            jobstores={"default": store},
            executors={"crawls": ThreadPoolExecutor(sched.max_parallel_crawls), "periodic": ThreadPoolExecutor(2)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": max(1, int(parse_duration(sched.misfire_grace)))},
            timezone=dt.timezone.utc,
        )

    def _start_scheduler(self) -> None:
        self.scheduler = self._make_scheduler()
        self.scheduler.start(paused=True)
        self.reconcile()
        self.scheduler.resume()

    def _main_loop(self) -> None:
        from radar.locks import LEADER_LOCK, heartbeat

        beat_every = max(0.5, self.lock_timeout / 4)
        resync_every = parse_duration(self.cfg.settings.scheduler.resync_interval)
        next_beat = next_resync = time.monotonic()
        next_beat += beat_every
        next_resync += resync_every
        while not self.stop.wait(0.25):
            now = time.monotonic()
            if not self.worker and now >= next_beat:
                next_beat = now + beat_every
                try:
                    with self.sessions.begin() as s:
                        ours = heartbeat(s, LEADER_LOCK, self.holder)
                except Exception:  # noqa: BLE001 - a database hiccup; the next beat retries
                    log.exception("leader heartbeat failed")
                    ours = True
                if not ours:
                    event(log, "service.lock_lost", logging.ERROR, holder=self.holder,
                          message="the leader lock was taken over (this process was presumed dead); stopping")
                    self.exit_code = EXIT_LOCK_LOST
                    return
            if self.reload.is_set():
                self.reload.clear()
                self._reload_config()
                next_resync = now
            if now >= next_resync:
                next_resync = now + resync_every
                try:
                    self.reconcile()
                except Exception:  # noqa: BLE001
                    log.exception("resync of sources failed")
            if self.with_dashboard:
                self._watch_dashboard()

    def _reload_config(self) -> None:
        from radar.config import ConfigError, load_config
        from radar.sync import sync_all

        try:
            cfg = load_config(self.cfg.folder)
        except ConfigError as exc:
            event(log, "config.reload_failed", logging.ERROR, problems="; ".join(exc.problems))
            return
        if not self.worker:
            with self.sessions.begin() as s:
                reports = sync_all(s, cfg)
            event(log, "config.reloaded", **{k: str(v) for k, v in reports.items()})
        self.cfg = cfg

    # ------------------------------------------------------------------ schedule
    def _jitter(self, interval: float) -> int:
        return int(min(self.cfg.settings.scheduler.jitter_seconds, interval / 4))

    def reconcile(self) -> dict[str, list[str]]:
        """Make the scheduler's jobs match the enabled sources (and the periodic job table):
        add new ones (a new interval job runs soon), re-time changed schedules, drop disabled or
        removed ones. Unchanged jobs keep their stored next run time, which is what survives a restart."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        changes: dict[str, list[str]] = {"added": [], "changed": [], "removed": []}
        with self.sessions() as s:
            sources = {name: interval for name, interval in s.execute(
                select(Source.name, Source.interval_seconds).where(Source.enabled.is_(True)))}
        desired: dict[str, tuple[Any, str, list, str]] = {}
        for name, interval in sources.items():
            trigger = IntervalTrigger(seconds=interval, jitter=self._jitter(interval) or None, timezone=dt.timezone.utc)
            desired[SOURCE_JOB_PREFIX + name] = (trigger, "radar.service:run_source_job", [name], "crawls")
        if not self.worker:
            from zoneinfo import ZoneInfo

            for job in self.jobs.values():
                interval = job.interval_seconds(self.cfg)
                if interval is None:
                    trigger = CronTrigger(timezone=ZoneInfo(self.cfg.settings.general.timezone), **job.cron(self.cfg))
                else:
                    trigger = IntervalTrigger(seconds=interval, jitter=self._jitter(interval) or None, timezone=dt.timezone.utc)
                desired[PERIODIC_JOB_PREFIX + job.name] = (trigger, "radar.service:run_periodic_job", [job.name], "periodic")
        existing = {j.id: j for j in self.scheduler.get_jobs()}
        now = dt.datetime.now(dt.timezone.utc)
        for job_id, (trigger, func, args, executor) in desired.items():
            job = existing.get(job_id)
            soon = None
            if isinstance(trigger, IntervalTrigger):
                soon = now + dt.timedelta(seconds=random.uniform(0, min(trigger.jitter or 0, 5) or 0.5))
            if job is None:
                self.scheduler.add_job(func, trigger=trigger, args=args, id=job_id, name=job_id, executor=executor,
                                       replace_existing=True, **({"next_run_time": soon} if soon else {}))
                changes["added"].append(job_id)
            elif _signature(job.trigger) != _signature(trigger) or job.func_ref != func or job.executor != executor:
                natural = trigger.get_next_fire_time(None, now)
                old_next = job.next_run_time
                self.scheduler.add_job(func, trigger=trigger, args=args, id=job_id, name=job_id, executor=executor,
                                       next_run_time=min(old_next, natural) if old_next and natural else natural,
                                       replace_existing=True)
                changes["changed"].append(job_id)
        for job_id in existing:
            if job_id not in desired:
                self.scheduler.remove_job(job_id)
                changes["removed"].append(job_id)
        if any(changes.values()):
            event(log, "schedule.synced", **{k: ",".join(v) for k, v in changes.items() if v})
        return changes

    # ------------------------------------------------------------------ crawls
    def crawl(self, source_name: str) -> str | None:
        """Run one crawl of ``source_name`` in a subprocess and wait for it (in a pool thread).
        Returns the final status, or ``None`` when skipped."""
        from radar.locks import crawl_lock_name, heartbeat, release, try_acquire

        if self.stopping.is_set() or self.stop.is_set():
            event(log, "crawl.skipped", source=source_name, reason="shutting down")
            return None
        with self.sessions() as s:
            src = s.scalar(select(Source).where(Source.name == source_name))
            if src is None or not src.enabled:
                event(log, "crawl.skipped", source=source_name, reason="source disabled or removed")
                return None
            if self.worker and not self._overdue(src):
                return None
        lock = crawl_lock_name(source_name)
        with self.sessions.begin() as s:
            other = try_acquire(s, lock, self.holder, self.lock_timeout)
        if other is not None:
            event(log, "crawl.skipped", source=source_name, reason="running elsewhere", holder=other.holder)
            return None
        started = utcnow()
        t0 = time.monotonic()
        try:
            cmd = crawl_command(self.cfg, source_name)
            env = {**os.environ, "RADAR_CONFIG": str(self.cfg.folder), "RADAR_DATABASE_URL": self.cfg.database_url}
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                    env=env, start_new_session=True, text=True, errors="replace")
            crawl = _Crawl(source_name, proc, started)
            with self._crawls_lock:
                self.crawls[proc.pid] = crawl
            event(log, "crawl.started", source=source_name, pid=proc.pid)
            readers = [threading.Thread(target=self._read_stdout, args=(crawl,), daemon=True),
                       threading.Thread(target=self._read_stderr, args=(crawl,), daemon=True)]
            for r in readers:
                r.start()
            if self.stop.is_set():  # shutdown began while we were starting
                self._signal(crawl, signal.SIGTERM, "shutdown")
            # The crawl closes itself at crawl_timeout (Scrapy CLOSESPIDER_TIMEOUT) and records
            # "timeout"; this deadline is the backstop for a crawl that cannot even do that.
            deadline = t0 + self.crawl_timeout + self.backstop
            beat_every = max(0.5, self.lock_timeout / 4)
            killed_at: float | None = None
            next_beat = t0 + beat_every
            while True:
                now = time.monotonic()
                wake = min(next_beat, deadline if crawl.signalled is None else (killed_at or now) + self.term_grace)
                try:
                    proc.wait(timeout=max(0.05, min(wake - now, beat_every)))
                    break
                except subprocess.TimeoutExpired:
                    pass
                now = time.monotonic()
                if now >= next_beat:
                    next_beat = now + beat_every
                    with self.sessions.begin() as s:
                        heartbeat(s, lock, self.holder)
                if crawl.signalled is None and now >= deadline:
                    event(log, "crawl.timeout", logging.WARNING, source=source_name, pid=proc.pid, seconds=round(now - t0, 1))
                    self._signal(crawl, signal.SIGTERM, "timeout")
                    killed_at = now
                elif crawl.signalled == "timeout" and killed_at and now - killed_at > self.term_grace:
                    self._signal(crawl, signal.SIGKILL, "timeout")
                    killed_at = None
            for r in readers:
                r.join(5)
            return self._finish(crawl, time.monotonic() - t0)
        except Exception as exc:  # noqa: BLE001 - a failed start is a failed run, never a dead scheduler
            event(log, "crawl.error", logging.ERROR, source=source_name, error=repr(exc), exc_info=True)
            with self.sessions.begin() as s:
                record_crawl_outcome(s, source_name, -1, started, "failed", f"could not start the crawl: {exc!r}")
            return "failed"
        finally:
            with self._crawls_lock:
                for pid, c in list(self.crawls.items()):
                    if c.source == source_name and c.proc.poll() is not None:
                        del self.crawls[pid]
            try:
                with self.sessions.begin() as s:
                    release(s, lock, self.holder)
            except Exception:  # noqa: BLE001 - goes stale by itself
                log.exception("could not release %s", lock)

    def _overdue(self, src: Source) -> bool:
        """A worker crawls a source only when the leader is late with it."""
        if src.last_run_at is None:
            return True
        slack = self._jitter(src.interval_seconds) + 30
        return (utcnow() - src.last_run_at).total_seconds() > src.interval_seconds + slack

    def _read_stdout(self, crawl: _Crawl) -> None:
        for line in crawl.proc.stdout:  # type: ignore[union-attr]
            line = line.strip()
            if line.startswith("{"):
                try:
                    crawl.summary = json.loads(line)
                except ValueError:
                    pass

    def _read_stderr(self, crawl: _Crawl) -> None:
        for line in crawl.proc.stderr:  # type: ignore[union-attr]
            line = line.rstrip()
            if not line:
                continue
            crawl.stderr_tail.append(line)
            level = logging.WARNING if any(w in line for w in (" ERROR", " CRITICAL", "Traceback", "level=ERROR")) else logging.DEBUG
            event(log, "crawl.output", level, source=crawl.source, pid=crawl.proc.pid, line=line[:500])

    def _signal(self, crawl: _Crawl, sig: int, why: str) -> None:
        crawl.signalled = crawl.signalled or why
        try:
            os.killpg(crawl.proc.pid, sig)  # the crawl's whole process group
        except (ProcessLookupError, PermissionError):
            pass

    def _signal_crawls(self, sig: int, why: str) -> None:
        with self._crawls_lock:
            crawls = list(self.crawls.values())
        for c in crawls:
            if c.proc.poll() is None:
                self._signal(c, sig, why)

    def _finish(self, crawl: _Crawl, seconds: float) -> str:
        rc = crawl.proc.returncode
        summary = crawl.summary or {}
        if crawl.signalled == "timeout":
            status, error = "timeout", (f"still running {self.backstop:.0f} s after [crawl] crawl_timeout = "
                                        f"{self.cfg.settings.crawl.crawl_timeout}; stopped by the service (exit {rc})")
        elif crawl.signalled == "shutdown":
            status, error = "aborted", f"stopped by service shutdown (exit {rc})"
        elif rc == 0:
            status, error = summary.get("status", "ok"), ""
        else:
            how = f"killed by {signal.Signals(-rc).name}" if rc < 0 else f"exit code {rc}"
            tail = " | ".join(list(crawl.stderr_tail)[-5:])
            status, error = "failed", f"crawl process failed ({how}): {tail}"
        run_id = summary.get("run_id")
        if status in ("timeout", "aborted", "failed"):
            with self.sessions.begin() as s:
                run_id = record_crawl_outcome(s, crawl.source, crawl.proc.pid, crawl.started_at, status, error,
                                              count_as_error=status != "aborted") or run_id
        fields = {k: v for k, v in summary.items() if k in ("pages", "items_new", "items_duplicate", "items_failed")}
        event(log, "crawl.finished", logging.INFO if status in ("ok", "partial") else logging.WARNING,
              source=crawl.source, run=run_id, pid=crawl.proc.pid, status=status, exit_code=rc,
              seconds=round(seconds, 2), error=error or None, **fields)
        return status

    # ------------------------------------------------------------------ periodic jobs
    def periodic(self, name: str) -> None:
        job = self.jobs.get(name)
        if job is None or self.stop.is_set():
            return
        started = utcnow()
        t0 = time.monotonic()
        status, error, result = "ok", None, None
        try:
            fn = job.function()
            if job.calling == "factory":
                result = fn(self.sessions, self.cfg)
            elif job.calling == "config":
                result = fn(self.cfg)
            else:
                with self.sessions.begin() as s:
                    result = fn(s, self.cfg)
        except Exception as exc:  # noqa: BLE001 - recorded; the next run happens on time
            status, error = "failed", f"{type(exc).__name__}: {exc}"
            event(log, "job.failed", logging.ERROR, job=name, error=error, exc_info=True)
        next_run = None
        if self.scheduler is not None:
            sjob = self.scheduler.get_job(PERIODIC_JOB_PREFIX + name)
            next_run = sjob.next_run_time if sjob is not None else None
        with self.sessions.begin() as s:
            state = s.get(JobState, name) or JobState(name=name, runs=0)
            s.add(state)
            state.last_run_at, state.last_status, state.last_error = started, status, error
            state.runs = (state.runs or 0) + 1
            state.next_run_at = next_run.astimezone(dt.timezone.utc) if next_run else None
        if status == "ok":
            if isinstance(result, (list, tuple, set)):
                result = len(result)
            event(log, "job.finished", job=name, seconds=round(time.monotonic() - t0, 2),
                  result=json.dumps(result, default=str)[:300] if result is not None else None)

    # ------------------------------------------------------------------ dashboard
    def _start_dashboard(self) -> None:
        cmd = dashboard_command(self.cfg, self.dashboard_port)
        env = {**os.environ, "RADAR_CONFIG": str(self.cfg.folder), "RADAR_DATABASE_URL": self.cfg.database_url}
        # Own session: a terminal's Ctrl-C reaches only the service, which stops the dashboard itself.
        self._dashboard = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, start_new_session=True)
        port = self.dashboard_port or self.cfg.settings.dashboard.port
        event(log, "dashboard.started", pid=self._dashboard.pid, url=f"http://{self.cfg.settings.dashboard.address}:{port}")

    def _watch_dashboard(self) -> None:
        if self._dashboard is None or self._dashboard.poll() is None:
            return
        rc = self._dashboard.returncode
        now = time.monotonic()
        self._dashboard_restarts = [t for t in self._dashboard_restarts if now - t < 600]
        if len(self._dashboard_restarts) >= 5:
            event(log, "dashboard.gave_up", logging.ERROR, exit_code=rc,
                  message="the dashboard exited 5 times in 10 minutes; crawling goes on without it (see its output above)")
            self._dashboard = None
            return
        event(log, "dashboard.exited", logging.ERROR, exit_code=rc, message="dashboard exited; restarting it")
        self._dashboard_restarts.append(now)
        self._start_dashboard()

    def _stop_dashboard(self, deadline: float) -> None:
        proc = self._dashboard
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(max(0.5, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        event(log, "dashboard.stopped", pid=proc.pid, exit_code=proc.returncode)

    # ------------------------------------------------------------------ shutdown
    def _shutdown(self) -> None:
        """Stop taking work, forward SIGTERM to running crawls, wait for them up to
        ``shutdown_grace`` (less a margin for the bookkeeping), SIGKILL what is left."""
        self.stopping.set()
        self.stop.set()
        t0 = time.monotonic()
        deadline = t0 + max(1.0, self.shutdown_grace - 2.0)
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        with self._crawls_lock:
            running = [c for c in self.crawls.values() if c.proc.poll() is None]
        if running:
            event(log, "service.stopping", crawls=",".join(c.source for c in running), grace=self.shutdown_grace)
        self._signal_crawls(signal.SIGTERM, "shutdown")
        self._stop_dashboard(deadline)
        while time.monotonic() < deadline:
            with self._crawls_lock:
                if not any(c.proc.poll() is None for c in self.crawls.values()):
                    break
            time.sleep(0.1)
        with self._crawls_lock:
            left = [c for c in self.crawls.values() if c.proc.poll() is None]
        for c in left:
            event(log, "crawl.killed", logging.WARNING, source=c.source, pid=c.proc.pid, reason="shutdown grace exceeded")
            self._signal(c, signal.SIGKILL, "shutdown")
        # the crawl threads record the outcome of what they waited for; give them a moment
        end = time.monotonic() + 2.0
        while time.monotonic() < end:
            with self._crawls_lock:
                if not self.crawls:
                    break
            time.sleep(0.05)
        event(log, "service.drained", seconds=round(time.monotonic() - t0, 2))


def run_service(cfg: Config, with_dashboard: bool = True, stop: threading.Event | None = None, worker: bool = False,
                jobs: tuple[PeriodicJob, ...] = PERIODIC_JOBS, dashboard_port: int | None = None) -> int:
    """Run until SIGTERM/SIGINT (or ``stop`` is set); return the exit code.
    Raises :class:`LeaderLockHeld` when another scheduler runs on the same database."""
    return Service(cfg, worker=worker, with_dashboard=with_dashboard, jobs=jobs, stop=stop, dashboard_port=dashboard_port).run()
