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


@pytest.fixture
def env(monkeypatch, db_url):
    monkeypatch.setenv("RADAR_TEST_MIN_INTERVAL", "1")
    monkeypatch.setenv("RADAR_CRAWL_COMMAND", f"{sys.executable} {FAKE_CRAWL} --source {{source}}")
    monkeypatch.setenv("RADAR_DATABASE_URL", db_url)
    return db_url


@contextmanager
def running(cfg_dir: Path, jobs=(), **kw):
    """A Service in a thread (signals are the main thread's; here ``stop`` ends it)."""
    stop = threading.Event()
    svc = Service(load_config(cfg_dir), with_dashboard=False, jobs=tuple(jobs), stop=stop, **kw)
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


def wait_for(predicate, timeout: float, step: float = 0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


# --------------------------------------------------------------------------- schedule
def test_sources_run_on_their_own_schedule(env, server, tmp_path):
    server.set("a", posts=2)
    server.set("b", posts=1)
    cfg_dir = write_instance(tmp_path, env, {"a": (server.url("a"), "2s"), "b": (server.url("b"), "4s")})
    t0 = time.monotonic()
    with running(cfg_dir):
        assert wait_for(lambda: len(runs(env, "a")) >= 3, 15)
    elapsed = time.monotonic() - t0
    a, b = runs(env, "a"), runs(env, "b")
    assert all(r.status == "ok" for r in a[:-1] + b[:-1])  # the last ones may have been stopped by the test's end
    assert all(r.status in ("ok", "aborted") for r in a + b)
    assert len(b) >= 1 and len(b) < len(a)
    # runs start about one interval apart (first one soon after start)
    starts = [r.started_at for r in a]
    gaps = [(y - x).total_seconds() for x, y in zip(starts, starts[1:])]
    assert all(1.5 <= g <= 3.5 for g in gaps), gaps
    assert len(a) <= elapsed / 2 + 2
    with session_scope(env) as s:
        assert s.scalar(select(Mention.id).where(Mention.external_id == "a-1")) is not None
        assert source_row(env, "a").error_streak == 0


def test_hung_server_is_timed_out_without_blocking_another_source(env, server, tmp_path):
    server.set("hung", hang=True)
    server.set("fast", posts=1)
    cfg_dir = write_instance(tmp_path, env, {"hung": (server.url("hung"), "2s"), "fast": (server.url("fast"), "1s")},
                             crawl_timeout="2s", shutdown_grace="4s")
    with running(cfg_dir):
        assert wait_for(lambda: any(r.status == "timeout" for r in runs(env, "hung")), 15)
        fast_during = [r for r in runs(env, "fast") if r.status == "ok"]
        # the next run of the hung source happens (and times out again)
        assert wait_for(lambda: sum(r.status == "timeout" for r in runs(env, "hung")) >= 2, 15)
    assert len(fast_during) >= 3, "the fast source was blocked by the hung one"
    hung = runs(env, "hung")
    assert all(r.status in ("timeout", "aborted") for r in hung)
    timed_out = [r for r in hung if r.status == "timeout"]
    assert all(r.finished_at is not None and "crawl_timeout" in r.errors[-1]["error"] for r in timed_out)
    src = source_row(env, "hung")
    assert src.last_status in ("timeout", "aborted") and src.error_streak >= 2


def test_crash_is_recorded_and_the_next_run_happens(env, server, tmp_path):
    server.set("crashy", posts=1, crash=True)
    cfg_dir = write_instance(tmp_path, env, {"crashy": (server.url("crashy"), "1s")})
    with running(cfg_dir):
        assert wait_for(lambda: sum(r.status == "failed" for r in runs(env, "crashy")) >= 2, 15)
        assert source_row(env, "crashy").error_streak >= 2
        server.set("crashy", posts=3)  # the site is fine again
        assert wait_for(lambda: runs(env, "crashy")[-1].status == "ok", 10)
    failed = [r for r in runs(env, "crashy") if r.status == "failed"]
    assert all("SIGABRT" in r.errors[-1]["error"] and r.finished_at for r in failed)
    assert source_row(env, "crashy").error_streak == 0  # the good run reset it


def test_config_changes_are_picked_up_without_restart(env, server, tmp_path):
    server.set("one", posts=1)
    server.set("two", posts=1)
    cfg_dir = write_instance(tmp_path, env, {"one": (server.url("one"), "1s")})
    with running(cfg_dir) as (svc, _):
        assert wait_for(lambda: runs(env, "one"), 10)
        write_sources(cfg_dir, {"two": (server.url("two"), "1s")})
        sync(cfg_dir, env)  # what `radar config load` does
        assert wait_for(lambda: runs(env, "two"), 10), "a new source was not scheduled"
        assert wait_for(lambda: svc.scheduler.get_job("source:one") is None, 5), "a removed source is still scheduled"
        n_one = len(runs(env, "one"))
        time.sleep(2.5)
        assert len(runs(env, "one")) <= n_one + 1  # at most one that was already running


# --------------------------------------------------------------------------- periodic jobs
calls: list[str] = []


def record_call(session, cfg):
    calls.append(cfg.folder.name)
    return {"sources": session.scalar(select(Source.id).limit(1))}


def fail_always(session, cfg):
    raise RuntimeError("boom")


def test_periodic_jobs_run_and_record_their_state(env, tmp_path):
    cfg_dir = write_instance(tmp_path, env, {})
    jobs = [PeriodicJob("good", "test_service:record_call", "classify_interval"),
            PeriodicJob("bad", "test_service:fail_always", "classify_interval")]
    calls.clear()
    with running(cfg_dir, jobs=jobs):
        assert wait_for(lambda: len(calls) >= 3, 10)
        with session_scope(env) as s:
            assert wait_for(lambda: (s.get(JobState, "bad", populate_existing=True) or JobState(runs=0)).runs >= 2, 10)
    with session_scope(env) as s:
        good, bad = s.get(JobState, "good"), s.get(JobState, "bad")
        assert good.last_status == "ok" and good.runs >= 3 and good.next_run_at is not None
        assert bad.last_status == "failed" and "RuntimeError: boom" in bad.last_error


def test_retention_purge_job_is_in_the_table():
    from radar.jobs import PERIODIC_JOBS

    job = {j.name: j for j in PERIODIC_JOBS}["retention-purge"]
    assert callable(job.function())


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
        assert wait_for(lambda: runs(env, "slow") and runs(env, "often"), 10)
    before = _next_runs(env)
    assert set(before) == {"source:slow", "source:often", "job:good"}
    slow_next = before["source:slow"]
    assert slow_next > time.time() + 200  # first run happened, the next is an interval away
    n_slow = len(runs(env, "slow"))

    # down for 3 intervals of "often"
    time.sleep(6.5)
    with running(cfg_dir, jobs=jobs) as (svc, _):
        assert wait_for(lambda: len(runs(env, "often")) >= 2, 5)
        time.sleep(0.8)  # long enough for catch-up runs, shorter than the next interval
        after_often = len(runs(env, "often"))
        assert svc.scheduler.get_job("source:slow").next_run_time.timestamp() == pytest.approx(slow_next, abs=0.01)
    assert _next_runs(env)["source:slow"] == pytest.approx(slow_next, abs=0.01)
    assert len(runs(env, "slow")) == n_slow, "a restart must not re-run a source before its time"
    assert after_often == 2, "missed runs after downtime must run once (coalesced)"


def test_a_job_store_row_that_cannot_be_unpickled_is_rescheduled(env, server, tmp_path):
    server.set("a", posts=1)
    cfg_dir = write_instance(tmp_path, env, {"a": (server.url("a"), "1s")})
    with session_scope(env) as s:
        s.add(APSchedulerJob(id="source:a", next_run_time=time.time() + 3600, job_state=b"not a pickle"))
    with running(cfg_dir):
        assert wait_for(lambda: runs(env, "a"), 10)


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
        time.sleep(3)
        assert worker.poll() is None, worker.stderr.read()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(20) == 0
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
    assert took <= 6 + 1.5, f"took {took:.1f}s for shutdown_grace 6s"
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
def test_radar_status_shows_schedule_results_and_jobs(env, server, tmp_path):
    from click.testing import CliRunner

    from radar.cli import main

    server.set("good", posts=1)
    server.set("broken", crash=True)
    cfg_dir = write_instance(tmp_path, env, {"good": (server.url("good"), "1m"), "broken": (server.url("broken"), "1m")})
    jobs = [PeriodicJob("good-job", "test_service:record_call", "purge_interval")]
    with running(cfg_dir, jobs=jobs) as (svc, _):
        assert wait_for(lambda: runs(env, "good") and runs(env, "broken") and runs(env, "broken")[-1].status == "failed", 10)
        assert wait_for(lambda: calls, 5)
        result = CliRunner().invoke(main, ["--config", str(cfg_dir), "status"], env={"RADAR_DATABASE_URL": env})
        assert result.exit_code == 0, result.output
        out = result.output
        assert "scheduler: running" in out and svc.holder in out
        good_line = next(line for line in out.splitlines() if line.strip().startswith("good "))
        assert "every 1m" in good_line and " ok " in good_line and "in " in good_line  # next run ahead
        broken_line = next(line for line in out.splitlines() if line.strip().startswith("broken "))
        assert "failed" in broken_line and broken_line.split()[-4] == "1" or " 1 " in broken_line
        assert "SIGABRT" in out
        assert "good-job" in out
        as_json = CliRunner().invoke(main, ["--config", str(cfg_dir), "status", "--json"], env={"RADAR_DATABASE_URL": env})
        assert '"error_streak": 1' in as_json.output
    result = CliRunner().invoke(main, ["--config", str(cfg_dir), "status"], env={"RADAR_DATABASE_URL": env})
    assert "scheduler: not running" in result.output
