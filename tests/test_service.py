"""The always-on service: a real APScheduler, real crawl subprocesses, a real HTTP server on
127.0.0.1, intervals of seconds (allowed through RADAR_TEST_MIN_INTERVAL only)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from service_support.instance import FAKE_CRAWL, service_env, sync, write_instance, write_sources
from service_support.postserver import PostServer
from sqlalchemy import select

from radar.config import load_config
from radar.db import dispose_all, session_scope
from radar.jobs import PeriodicJob
from radar.models import APSchedulerJob, CrawlRun, JobState, Mention, ServiceLock, Source
from radar.service import LeaderLockHeld, Service

# wall-clock assertions (schedules, timeouts, SIGTERM grace): one xdist worker runs all of these in order
pytestmark = pytest.mark.xdist_group("timing")


@pytest.fixture(autouse=True)
def _key_value_logs(caplog):
    from radar.logs import KeyValueFormatter

    caplog.handler.setFormatter(KeyValueFormatter())
    caplog.set_level("DEBUG", logger="radar")


@pytest.fixture
def server():
    srv = PostServer()
    yield srv
    srv.close()


def _env(monkeypatch, url: str) -> str:
    monkeypatch.setenv("RADAR_TEST_MIN_INTERVAL", "1")
    monkeypatch.setenv("RADAR_CRAWL_COMMAND", f"{sys.executable} {FAKE_CRAWL} --source {{source}}")
    monkeypatch.setenv("RADAR_DATABASE_URL", url)
    return url


@pytest.fixture
def env(monkeypatch, db_url):
    """Both engines: for what the database decides (job store, locks, consistency after SIGTERM)."""
    return _env(monkeypatch, db_url)


@pytest.fixture
def sqlite_env(monkeypatch, sqlite_url):
    """SQLite only: for process management, which does not depend on the engine."""
    return _env(monkeypatch, sqlite_url)


@contextmanager
def running(cfg_dir: Path, jobs=(), service_class=Service, **kw):
    """A Service in a thread (signals are the main thread's; here ``stop`` ends it)."""
    stop = threading.Event()
    svc = service_class(load_config(cfg_dir), with_dashboard=False, jobs=tuple(jobs), stop=stop, **kw)
    out: dict = {}

    def _run():
        try:
            out["code"] = svc.run()
        except BaseException as exc:  # noqa: BLE001
            out["error"] = exc

    t = threading.Thread(target=_run, daemon=True)
    t.start()
    try:
        yield svc, out
    finally:
        stop.set()
        t.join(30)
        assert not t.is_alive(), "the service did not stop"


def runs(db_url: str, source: str) -> list[CrawlRun]:
    with session_scope(db_url) as s:
        return list(s.scalars(select(CrawlRun).join(Source).where(Source.name == source).order_by(CrawlRun.id)))


def source_row(db_url: str, name: str) -> Source:
    with session_scope(db_url) as s:
        return s.scalar(select(Source).where(Source.name == name))


def crawl_locks(db_url: str) -> list[str]:
    with session_scope(db_url) as s:
        return list(s.scalars(select(ServiceLock.name).where(ServiceLock.name.like("crawl:%"))))


def job_runs(db_url: str, name: str) -> int:
    with session_scope(db_url) as s:
        state = s.get(JobState, name)
        return state.runs if state else 0


def read_lines(proc: subprocess.Popen) -> list[str]:
    """Collect a process's stderr lines in the background."""
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()
    return lines


def wait_for(predicate, timeout: float, step: float = 0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


# --------------------------------------------------------------------------- schedule
class ObservedService(Service):
    """The real service, with a listener on the scheduler's job submissions (what ran for which
    scheduled time), attached before the scheduler starts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.submissions: list = []
        self.submitted_at: list = []  # (job id, wall time of the submission)

    def _make_scheduler(self):
        from apscheduler.events import EVENT_JOB_SUBMITTED

        scheduler = super()._make_scheduler()
        scheduler.add_listener(lambda e: self.submissions.append((e.job_id, list(e.scheduled_run_times))), EVENT_JOB_SUBMITTED)
        scheduler.add_listener(lambda e: self.submitted_at.append((e.job_id, time.time())), EVENT_JOB_SUBMITTED)
        return scheduler


def started_events(caplog, source: str) -> list[float]:
    return [r.created for r in caplog.records if getattr(r, "event", None) == "crawl.started" and getattr(r, "source", None) == source]


def test_sources_run_on_their_own_schedule(sqlite_env, server, tmp_path, caplog):
    server.set("a", posts=2)
    server.set("b", posts=1)
    cfg_dir = write_instance(tmp_path, sqlite_env, {"a": (server.url("a"), "2s"), "b": (server.url("b"), "5s")})
    with running(cfg_dir, service_class=ObservedService) as (svc, _):
        assert wait_for(lambda: len(runs(sqlite_env, "a")) >= 3 and len(runs(sqlite_env, "b")) >= 2, 40)
    a, b = runs(sqlite_env, "a"), runs(sqlite_env, "b")
    assert all(r.status == "ok" for r in a[:-1] + b[:-1])  # the last ones may have been stopped by the test's end
    assert all(r.status in ("ok", "aborted") for r in a + b)
    for name, rows, interval in (("a", a, 2), ("b", b, 5)):
        scheduled = [t[0].timestamp() for j, t in svc.submissions if j == f"source:{name}"]
        assert len(scheduled) >= len(rows)
        # each on its own grid: first run soon after start, then every `interval` seconds
        assert all((y - scheduled[0]) % interval == pytest.approx(0, abs=0.01) or
                   (y - scheduled[0]) % interval == pytest.approx(interval, abs=0.01) for y in scheduled[1:])
        assert all(y - x >= interval - 0.01 for x, y in zip(scheduled, scheduled[1:]))
        # each crawl process started at its scheduled time
        started = started_events(caplog, name)
        assert len(started) == len(scheduled)
        assert all(0 <= st - sc < 1.5 for st, sc in zip(started, scheduled)), list(zip(started, scheduled))
        for x, y in zip(rows, rows[1:]):
            assert y.started_at >= x.finished_at  # never two runs of one source at once
    with session_scope(sqlite_env) as s:
        assert s.scalar(select(Mention.id).where(Mention.external_id == "a-1")) is not None
    assert source_row(sqlite_env, "a").error_streak == 0


def test_hung_server_is_timed_out_without_blocking_another_source(sqlite_env, server, tmp_path):
    server.set("hung", hang=True)
    server.set("fast", posts=1)
    cfg_dir = write_instance(tmp_path, sqlite_env, {"hung": (server.url("hung"), "2s"), "fast": (server.url("fast"), "1s")},
                             crawl_timeout="4s", shutdown_grace="3s")
    with running(cfg_dir):
        assert wait_for(lambda: any(r.status == "timeout" for r in runs(sqlite_env, "hung")), 30)
        first_hung = runs(sqlite_env, "hung")[0]
        fast_during = [r for r in runs(sqlite_env, "fast") if r.status == "ok" and r.finished_at <= first_hung.finished_at]
        # the next run of the hung source happens (and times out again)
        assert wait_for(lambda: any(r.started_at >= first_hung.finished_at for r in runs(sqlite_env, "hung")), 30)
    assert len(fast_during) >= 2, "the fast source was blocked by the hung one"
    hung = runs(sqlite_env, "hung")
    assert all(r.status in ("timeout", "aborted") for r in hung)
    timed_out = [r for r in hung if r.status == "timeout"]
    assert all(r.finished_at is not None and "crawl_timeout" in r.errors[-1]["error"] for r in timed_out)
    # the fake crawl ignores its own timeout: the service stops it after timeout + backstop (2 s) + TERM grace (1.5 s)
    assert all((r.finished_at - r.started_at).total_seconds() < 4 + 2 + 1.5 + 3 for r in timed_out)
    src = source_row(sqlite_env, "hung")
    assert src.last_status in ("timeout", "aborted") and src.error_streak >= 1


def test_crash_is_recorded_and_the_next_run_happens(sqlite_env, server, tmp_path):
    server.set("crashy", posts=1, crash=True)
    cfg_dir = write_instance(tmp_path, sqlite_env, {"crashy": (server.url("crashy"), "1s")})
    with running(cfg_dir):
        assert wait_for(lambda: sum(r.status == "failed" for r in runs(sqlite_env, "crashy")) >= 2, 30)
        assert source_row(sqlite_env, "crashy").error_streak >= 2
        server.set("crashy", posts=3)  # the site is fine again
        assert wait_for(lambda: runs(sqlite_env, "crashy")[-1].status == "ok", 30)
    failed = [r for r in runs(sqlite_env, "crashy") if r.status == "failed"]
    assert all("SIGKILL" in r.errors[-1]["error"] and r.finished_at for r in failed)
    assert source_row(sqlite_env, "crashy").error_streak == 0  # the good run reset it


def test_config_changes_are_picked_up_without_restart(sqlite_env, server, tmp_path):
    server.set("one", posts=1)
    server.set("two", posts=1)
    cfg_dir = write_instance(tmp_path, sqlite_env, {"one": (server.url("one"), "1s")})
    with running(cfg_dir) as (svc, _):
        assert wait_for(lambda: runs(sqlite_env, "one"), 30)
        write_sources(cfg_dir, {"two": (server.url("two"), "1s")})
        sync(cfg_dir, sqlite_env)  # what `radar config load` does
        assert wait_for(lambda: runs(sqlite_env, "two"), 30), "a new source was not scheduled"
        assert wait_for(lambda: svc.scheduler.get_job("source:one") is None, 5), "a removed source is still scheduled"
        n_one = len(runs(sqlite_env, "one"))
        time.sleep(2.5)
        assert len(runs(sqlite_env, "one")) <= n_one + 1  # at most one that was already running


# --------------------------------------------------------------------------- periodic jobs
calls: list[str] = []


def record_call(session, cfg):
    calls.append(cfg.folder.name)
    return {"sources": session.scalar(select(Source.id).limit(1))}


def fail_always(session, cfg):
    raise RuntimeError("boom")


def test_periodic_jobs_run_and_record_their_state(sqlite_env, tmp_path):
    cfg_dir = write_instance(tmp_path, sqlite_env, {})
    jobs = [PeriodicJob("good", "test_service:record_call", "classify_interval"),
            PeriodicJob("bad", "test_service:fail_always", "classify_interval")]
    calls.clear()
    with running(cfg_dir, jobs=jobs):
        assert wait_for(lambda: len(calls) >= 3, 10)
        assert wait_for(lambda: job_runs(sqlite_env, "bad") >= 2, 10)
    with session_scope(sqlite_env) as s:
        good, bad = s.get(JobState, "good"), s.get(JobState, "bad")
        assert good.last_status == "ok" and good.runs >= 3 and good.next_run_at is not None
        assert bad.last_status == "failed" and "RuntimeError: boom" in bad.last_error


def test_every_job_in_the_table_runs_on_an_empty_database(env, tmp_path):
    """Each line of PERIODIC_JOBS: the import path resolves, the interval setting exists, and the
    job runs with its calling convention (recorded ok in job_states)."""
    from radar.config import parse_duration
    from radar.jobs import PERIODIC_JOBS

    cfg_dir = write_instance(tmp_path, env, {})
    svc = Service(load_config(cfg_dir), with_dashboard=False)
    for job in PERIODIC_JOBS:
        assert callable(job.function())
        assert job.cron(svc.cfg) if job.at else parse_duration(getattr(svc.cfg.settings.scheduler, job.interval)) > 0
        svc.periodic(job.name)
    with session_scope(env) as s:
        for job in PERIODIC_JOBS:
            state = s.get(JobState, job.name)
            assert state is not None and state.last_status == "ok" and state.runs == 1, (job.name, state and state.last_error)


# --------------------------------------------------------------------------- restart
def _next_runs(db_url: str) -> dict[str, float]:
    with session_scope(db_url) as s:
        return dict(s.execute(select(APSchedulerJob.id, APSchedulerJob.next_run_time)).all())


def test_restart_keeps_the_schedule_and_coalesces_missed_runs(env, server, tmp_path):
    server.set("slow", posts=1)
    server.set("often", posts=1)
    cfg_dir = write_instance(tmp_path, env, {"slow": (server.url("slow"), "5m"), "often": (server.url("often"), "2s")})
    jobs = [PeriodicJob("good", "test_service:record_call", "purge_interval")]
    with running(cfg_dir, jobs=jobs):
        assert wait_for(lambda: runs(env, "slow") and runs(env, "often"), 30)
    before = _next_runs(env)
    assert set(before) == {"source:slow", "source:often", "job:good"}
    slow_next = before["source:slow"]
    assert slow_next > time.time() + 200  # first run happened, the next is an interval away
    n_slow = len(runs(env, "slow"))

    time.sleep(6.5)  # down for 3 intervals of "often"
    restarted = time.time()
    with running(cfg_dir, jobs=jobs, service_class=ObservedService) as (svc, _):
        assert wait_for(lambda: sum(j == "source:often" for j, _ in svc.submissions) >= 2, 30)
        assert svc.scheduler.get_job("source:slow").next_run_time.timestamp() == pytest.approx(slow_next, abs=0.01)
    often = [times for j, times in svc.submissions if j == "source:often"]
    first_submitted = next(t for j, t in svc.submitted_at if j == "source:often")
    # the missed runs ran once (coalesced), for the latest missed time; then on the old grid again.
    # "before" and "before + 2" fell into the 6.5 s down time; the catch-up run is for a time at
    # least 4 s later that was due when the restarted scheduler submitted it (not `< restarted`:
    # a grid point can fall into the few ms between `restarted` and the scheduler's first look).
    assert len(often[0]) == 1 and often[0][0].timestamp() <= first_submitted
    assert often[0][0].timestamp() >= before["source:often"] + 4 - 0.01
    assert often[1][0].timestamp() > restarted
    assert (often[1][0].timestamp() - before["source:often"]) % 2 == pytest.approx(0, abs=0.01)
    assert _next_runs(env)["source:slow"] == pytest.approx(slow_next, abs=0.01)
    assert len(runs(env, "slow")) == n_slow, "a restart must not re-run a source before its time"
    assert not any(j == "source:slow" for j, _ in svc.submissions)


def test_a_job_store_row_that_cannot_be_unpickled_is_rescheduled(sqlite_env, server, tmp_path):
    server.set("a", posts=1)
    cfg_dir = write_instance(tmp_path, sqlite_env, {"a": (server.url("a"), "1s")})
    with session_scope(sqlite_env) as s:
        s.add(APSchedulerJob(id="source:a", next_run_time=time.time() + 3600, job_state=b"not a pickle"))
    with running(cfg_dir):
        assert wait_for(lambda: runs(sqlite_env, "a"), 30)


# --------------------------------------------------------------------------- leader lock
def test_a_second_scheduler_is_refused_and_a_worker_is_not(env, tmp_path):
    cfg_dir = write_instance(tmp_path, env, {})
    with running(cfg_dir) as (svc, _):
        assert wait_for(lambda: svc.scheduler is not None, 5)
        proc = subprocess.run([sys.executable, "-m", "radar", "run", "--no-dashboard"], env=service_env(cfg_dir, env),
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 3
        assert "Another scheduler is running on this database" in proc.stderr and "--worker" in proc.stderr
        with pytest.raises(LeaderLockHeld):
            Service(load_config(cfg_dir), with_dashboard=False).run()
        worker = subprocess.Popen([sys.executable, "-m", "radar", "run", "--worker"], env=service_env(cfg_dir, env),
                                  stderr=subprocess.PIPE, text=True)
        lines = read_lines(worker)
        assert wait_for(lambda: any("event=service.started" in x and "role=worker" in x for x in lines), 30), lines
        assert worker.poll() is None, lines
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(20) == 0, lines
    with session_scope(env) as s:
        assert s.get(ServiceLock, "scheduler") is None  # released on exit


def test_stale_lock_of_a_dead_scheduler_is_taken_over(env, tmp_path):
    from radar.models import utcnow

    cfg_dir = write_instance(tmp_path, env, {})
    with session_scope(env) as s:
        old = utcnow() - dt.timedelta(seconds=30)
        s.add(ServiceLock(name="scheduler", holder="elsewhere:4242:abcd", acquired_at=old, heartbeat_at=old))
    with running(cfg_dir) as (svc, out):
        assert wait_for(lambda: svc.scheduler is not None, 5), out
        with session_scope(env) as s:
            assert s.get(ServiceLock, "scheduler").holder == svc.holder


# --------------------------------------------------------------------------- SIGTERM
def test_sigterm_mid_crawl_exits_in_time_with_exit_0_and_stored_mentions_intact(db_url, server, tmp_path):
    posts = server.set("big", posts=80, delay=0.15)
    server.set("stuck", hang=True)
    cfg_dir = write_instance(tmp_path, db_url, {"big": (server.url("big"), "1h"), "stuck": (server.url("stuck"), "1h")},
                             crawl_timeout="10m", shutdown_grace="6s")
    proc = subprocess.Popen([sys.executable, "-m", "radar", "run", "--no-dashboard"], env=service_env(cfg_dir, db_url),
                            stderr=subprocess.PIPE, text=True)

    def stored() -> int:
        with session_scope(db_url) as s:
            return len(s.scalars(select(Mention.id)).all())

    try:
        assert wait_for(lambda: stored() >= 5, 20), proc.stderr.read() if proc.poll() is not None else "no mentions"
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(20)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
    log = proc.stderr.read()
    assert rc == 0, log
    # the grace period bounds the wait for crawls; after it the service kills what is left, records it
    # and exits: allow 3 s for that teardown on a loaded 2-core machine (7.9 s was seen under load 6)
    assert took <= 6 + 3, f"took {took:.1f}s for shutdown_grace 6s"
    assert "event=service.stopped" in log and "source=big" in log
    dispose_all()
    by_id = {p["id"]: p for p in posts}
    with session_scope(db_url) as s:
        mentions = s.scalars(select(Mention)).all()
        assert 5 <= len(mentions) < len(posts)  # stopped mid-crawl
        for m in mentions:  # every stored mention whole
            assert m.title == by_id[m.external_id]["title"] and m.body == by_id[m.external_id]["body"]
        all_runs = s.scalars(select(CrawlRun)).all()
        assert all(r.status != "running" and r.finished_at for r in all_runs)
        big = s.scalar(select(CrawlRun).join(Source).where(Source.name == "big"))
        assert big.status == "aborted" and big.items_new == len(mentions)
        assert s.scalars(select(ServiceLock)).all() == []  # leader and crawl locks released


# --------------------------------------------------------------------------- status
def test_radar_status_shows_schedule_results_and_jobs(sqlite_env, server, tmp_path):
    from click.testing import CliRunner

    from radar.cli import main

    server.set("good", posts=1)
    server.set("broken", crash=True)
    cfg_dir = write_instance(tmp_path, sqlite_env, {"good": (server.url("good"), "1m"), "broken": (server.url("broken"), "1m")})
    jobs = [PeriodicJob("good-job", "test_service:record_call", "purge_interval")]
    with running(cfg_dir, jobs=jobs) as (svc, _):
        assert wait_for(lambda: runs(sqlite_env, "good") and runs(sqlite_env, "broken") and runs(sqlite_env, "broken")[-1].status == "failed", 30)
        assert wait_for(lambda: calls, 5)
        assert wait_for(lambda: not crawl_locks(sqlite_env), 10)  # both crawls over and their locks released
        result = CliRunner().invoke(main, ["--config", str(cfg_dir), "status"], env={"RADAR_DATABASE_URL": sqlite_env})
        assert result.exit_code == 0, result.output
        out = result.output
        assert "scheduler: running" in out and svc.holder in out
        good_line = next(line for line in out.splitlines() if line.strip().startswith("good "))
        assert "every 1m" in good_line and " ok " in good_line and "in " in good_line  # next run ahead
        broken_line = next(line for line in out.splitlines() if line.strip().startswith("broken "))
        assert "failed" in broken_line and broken_line.split()[-4] == "1" or " 1 " in broken_line
        assert "SIGKILL" in out
        assert "good-job" in out
        as_json = CliRunner().invoke(main, ["--config", str(cfg_dir), "status", "--json"], env={"RADAR_DATABASE_URL": sqlite_env})
        assert '"error_streak": 1' in as_json.output
    result = CliRunner().invoke(main, ["--config", str(cfg_dir), "status"], env={"RADAR_DATABASE_URL": sqlite_env})
    assert "scheduler: not running" in result.output


def test_daily_and_weekly_jobs_run_at_their_local_time_not_at_start(sqlite_env, tmp_path):
    from zoneinfo import ZoneInfo

    from radar.models import utcnow

    cfg_dir = write_instance(tmp_path, sqlite_env, {}, extra='\n[notify]\ndigest_time = "07:30"\nweekly_report_day = "fri"\n')
    jobs = [PeriodicJob("daily", "test_service:record_call", at="daily"), PeriodicJob("weekly", "test_service:record_call", at="weekly")]
    calls.clear()
    with running(cfg_dir, jobs=jobs) as (svc, _):
        assert wait_for(lambda: svc.scheduler is not None and svc.scheduler.get_job("job:weekly") is not None, 10)
        daily = svc.scheduler.get_job("job:daily").next_run_time.astimezone(ZoneInfo("Europe/Berlin"))
        weekly = svc.scheduler.get_job("job:weekly").next_run_time.astimezone(ZoneInfo("Europe/Berlin"))
        time.sleep(1)
    assert (daily.hour, daily.minute) == (7, 30) and 0 < (daily - utcnow()).total_seconds() <= 86400
    assert (weekly.hour, weekly.minute, weekly.strftime("%a")) == (7, 30, "Fri") and (weekly - utcnow()).days < 7
    assert calls == []  # not run at start
    assert _next_runs(sqlite_env)["job:daily"] == pytest.approx(daily.timestamp())  # stored for the restart
