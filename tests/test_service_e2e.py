"""The service end to end with the real crawl (`python -m radar.crawl` subprocesses) against the
local replay server: posts appear within an interval, a hung server is timed out without blocking
another source, SIGTERM leaves a consistent database and exit code 0."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from httpserver import Reply
from sqlalchemy import func, select

from radar.db import dispose_all, session_scope
from radar.demo import load_posts, rss
from radar.models import CrawlRun, Mention, ServiceLock, Source

from service_support.instance import REPO, sync, write_sources  # noqa: I001

# wall-clock assertions (intervals, timeouts, SIGTERM grace): one xdist worker runs all of these in order
pytestmark = pytest.mark.xdist_group("timing")


@pytest.fixture(autouse=True)
def _short_intervals(monkeypatch):
    monkeypatch.setenv("RADAR_TEST_MIN_INTERVAL", "1")


RADAR_TOML = """
[scheduler]
jitter_seconds = 0
shutdown_grace = "{grace}"
lock_timeout = "10s"
resync_interval = "1s"

[crawl]
download_delay = 0
autothrottle = false
retry_times = 0
download_timeout = 60
crawl_timeout = "{timeout}"
"""


def _instance(tmp_path, db_url, sources, timeout="60s", grace="20s"):
    cfg_dir = tmp_path / "config"
    cfg_dir.mkdir(parents=True)
    (cfg_dir / "radar.toml").write_text(RADAR_TOML.format(grace=grace, timeout=timeout))
    write_sources(cfg_dir, sources)
    sync(cfg_dir, db_url)
    return cfg_dir


def _env(cfg_dir, db_url):
    env = {k: v for k, v in os.environ.items() if k != "RADAR_CRAWL_COMMAND"}  # the real crawl
    env.update({"RADAR_CONFIG": str(cfg_dir), "RADAR_DATABASE_URL": db_url, "RADAR_TEST_MIN_INTERVAL": "1", "PYTHONPATH": str(REPO)})
    return env


def _feed(posts):
    return Reply(body=rss("computerhilfe", posts, "http://forum.example", dt.datetime.now(dt.timezone.utc)),
                 content_type="application/rss+xml; charset=utf-8")


def _start(cfg_dir, db_url):
    proc = subprocess.Popen([sys.executable, "-m", "radar", "run", "--no-dashboard"], env=_env(cfg_dir, db_url),
                            stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()
    return proc, lines


def _wait(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.25)
    return pred()


def _count(db_url, source=None):
    with session_scope(db_url) as s:
        q = select(func.count()).select_from(Mention)
        if source:
            q = q.join(Source).where(Source.name == source)
        return s.scalar(q)


def _runs(db_url, source):
    with session_scope(db_url) as s:
        return list(s.scalars(select(CrawlRun).join(Source).where(Source.name == source).order_by(CrawlRun.id)))


def test_posts_appear_within_an_interval_and_sigterm_leaves_a_consistent_database(db_url, replay_server, tmp_path):
    posts = load_posts("computerhilfe")
    replay_server.route("/feed.xml", _feed(posts[:8]))
    cfg_dir = _instance(tmp_path, db_url, {"forum": (replay_server.url("/feed.xml"), "4s")})
    proc, lines = _start(cfg_dir, db_url)
    try:
        assert _wait(lambda: _count(db_url) == 8, 60), "".join(lines[-30:])
        replay_server.route("/feed.xml", _feed(posts[:11]))  # three new posts on the site
        t0 = time.monotonic()
        assert _wait(lambda: _count(db_url) == 11, 30), "".join(lines[-30:])
        assert time.monotonic() - t0 < 4 + 15  # within one interval (plus a crawl's start-up)
        # the next crawl hangs on the server; SIGTERM while it runs
        replay_server.route("/feed.xml", Reply(delay=120))
        n_runs = len(_runs(db_url, "forum"))
        hits = replay_server.hits("/feed.xml")
        # a crawl is running *and* its request is hanging on the server (a run row alone is not
        # enough on a loaded machine: a crawl that fetched the old feed just before the route
        # changed may commit its row after n_runs was counted, and then finish normally)
        assert _wait(lambda: replay_server.hits("/feed.xml") > hits and len(_runs(db_url, "forum")) > n_runs
                     and _runs(db_url, "forum")[-1].status == "running", 30)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(40)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
    log = "".join(lines)
    assert rc == 0, log[-3000:]
    assert took < 20 + 2, took
    dispose_all()
    with session_scope(db_url) as s:
        mentions = s.scalars(select(Mention)).all()
        assert len(mentions) == 11
        by_title = {p["title"]: p for p in posts}
        assert all(m.title in by_title and m.body for m in mentions)
        runs = s.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()  # (no ORDER BY: any order on PostgreSQL)
        assert all(r.status != "running" and r.finished_at is not None for r in runs)
        assert runs[-1].status in ("aborted", "timeout"), [(r.id, r.status) for r in runs]
        assert s.scalars(select(ServiceLock)).all() == []
    assert "event=crawl.finished source=forum" in log and "items_new=3" in log


def test_a_hung_server_times_out_the_real_crawl_without_blocking_another_source(sqlite_url, replay_server, tmp_path):
    posts = load_posts("techsupport")
    replay_server.route("/hung.xml", Reply(delay=120))
    replay_server.route("/ok.xml", _feed(posts[:5]))
    cfg_dir = _instance(tmp_path, sqlite_url, {"hung": (replay_server.url("/hung.xml"), "2s"), "ok": (replay_server.url("/ok.xml"), "2s")},
                        timeout="6s", grace="10s")
    proc, lines = _start(cfg_dir, sqlite_url)
    try:
        assert _wait(lambda: any(r.status == "timeout" for r in _runs(sqlite_url, "hung")), 60), "".join(lines[-30:])
        hung = next(r for r in _runs(sqlite_url, "hung") if r.status == "timeout")
        ok_meanwhile = [r for r in _runs(sqlite_url, "ok") if r.status == "ok" and r.finished_at <= hung.finished_at]
        assert _wait(lambda: any(r.started_at >= hung.finished_at for r in _runs(sqlite_url, "hung")), 30), "the next run did not happen"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert len(ok_meanwhile) >= 1, ("the other source was blocked", [(r.status, r.started_at, r.finished_at) for r in _runs(sqlite_url, "ok")],
                                    (hung.started_at, hung.finished_at), "".join(lines)[-4000:])
    assert _count(sqlite_url, "ok") == 5
    assert (hung.finished_at - hung.started_at).total_seconds() < 6 + 3 + 5 + 2  # timeout + backstop + TERM grace
    with session_scope(sqlite_url) as s:
        src = s.scalar(select(Source).where(Source.name == "hung"))
        assert src.error_streak >= 1 and src.last_status in ("timeout", "aborted")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_radar_run_starts_the_dashboard_and_ctrl_c_stops_both(sqlite_url, tmp_path):
    import re
    import urllib.request

    port = _free_port()
    cfg_dir = _instance(tmp_path, sqlite_url, {})
    with (cfg_dir / "radar.toml").open("a") as fh:
        fh.write(f'\n[dashboard]\nport = {port}\n')
    proc, lines = _start_with_dashboard(cfg_dir, sqlite_url)
    try:
        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as resp:
                    return resp.read() == b"ok"
            except OSError:
                return False

        assert _wait(healthy, 90), "".join(lines[-30:])
        pid = int(re.search(r"event=dashboard.started pid=(\d+)", "".join(lines)).group(1))
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        rc = proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 0, "".join(lines[-30:])
    assert _wait(lambda: not _pid_alive(pid), 5), "the dashboard outlived the service"
    assert not healthy()


def _start_with_dashboard(cfg_dir, db_url):
    proc = subprocess.Popen([sys.executable, "-m", "radar", "run"], env=_env(cfg_dir, db_url), stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()
    return proc, lines


def test_demo_crawls_the_replayed_sources(tmp_path):
    """`radar demo` on its own instance: every demo source is crawled by the real crawl."""
    from radar.demo import FEEDS, FIRST_BATCH

    env = {k: v for k, v in os.environ.items() if k not in ("RADAR_CRAWL_COMMAND", "RADAR_DATABASE_URL", "RADAR_CONFIG")}
    folder = tmp_path / "demo"
    proc = subprocess.Popen([sys.executable, "-m", "radar", "demo", "--dir", str(folder), "--no-dashboard"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    url = f"sqlite:///{folder / 'data' / 'radar.db'}"
    try:
        def feeds_done() -> bool:
            if not (folder / "data" / "radar.db").exists():
                return False
            try:
                return all(_count(url, f"demo-{n}") >= FIRST_BATCH for n in FEEDS)
            except Exception:  # noqa: BLE001 - the schema is still being created
                return False

        assert _wait(feeds_done, 90), "".join(lines[-40:])
        proc.send_signal(signal.SIGINT)
        rc = proc.wait(40)
    finally:
        if proc.poll() is None:
            proc.kill()
    out = "".join(lines)
    assert rc == 0, out[-3000:]
    assert "admin / demo-admin" in out and "replay server : http://127.0.0.1:" in out
    dispose_all()
    with session_scope(url) as s:
        assert s.scalar(select(func.count()).select_from(Mention).where(Mention.body.like("%CPU ist bei 100%%"))) == 1
