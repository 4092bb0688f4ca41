"""The generic HTML forum spider end to end, the subprocess entry point, and kill -9 mid-crawl."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from crawlkit import make_config
from forumsite import POSTS, SELECTORS, serve_forum
from radar.crawl import crawl_command, run_crawl
from radar.db import get_sessionmaker
from radar.models import CrawlRun, Mention

pytestmark = pytest.mark.skipif(not POSTS.exists(), reason="../shared/data/posts is not available")


def _forum_cfg(tmp_path, db_url, server, **crawl):
    return make_config(tmp_path, db_url, [{"name": "forum", "kind": "forum", "language": "de",
                                           "url": server.url("/forum/viewforum.php?f=7"), "selectors": SELECTORS}], crawl)


def _count(db_url) -> int:
    with get_sessionmaker(db_url)() as s:
        return s.scalar(select(func.count()).select_from(Mention))


def test_forum_pages_threads_and_fields(replay_server, db_url, tmp_path):
    threads = serve_forum(replay_server, 12)
    result = run_crawl(_forum_cfg(tmp_path, db_url, replay_server), "forum")
    assert (result.status, result.items_new, result.pages) == ("ok", 12, 15)  # 3 listing pages + 12 threads
    with get_sessionmaker(db_url)() as s:
        stored = {m.external_id: m for m in s.scalars(select(Mention))}
    for t in threads:
        m = stored[f"/forum/viewtopic.php?t={t['tid']}"]  # the session id is not part of the identity
        assert m.title == t["title"] and m.author == t["author"] and m.language == "de"
        assert m.published_at == dt.datetime.fromisoformat(t["published"])
        assert m.url == replay_server.url(f"/forum/viewtopic.php?t={t['tid']}&sid=0123abcd")
        assert "\n\n" in m.body and "track()" not in m.body and "Antwort:" not in m.body
        assert " ".join(m.body.split()) == " ".join(t["text"].split())


def test_forum_recrawl_fetches_only_listings_and_stores_nothing(replay_server, db_url, tmp_path):
    serve_forum(replay_server, 12)
    cfg = _forum_cfg(tmp_path, db_url, replay_server)
    assert run_crawl(cfg, "forum").items_new == 12
    replay_server.clear_log()
    again = run_crawl(cfg, "forum")
    assert (again.status, again.items_new, again.items_duplicate) == ("ok", 0, 0)
    assert not [r for r in replay_server.requests if "viewtopic" in r.path]
    assert _count(db_url) == 12


def test_forum_max_pages(replay_server, db_url, tmp_path):
    serve_forum(replay_server, 12)
    result = run_crawl(_forum_cfg(tmp_path, db_url, replay_server, max_pages=2), "forum")
    assert result.items_new == 10 and replay_server.hits("/forum/viewforum.php") == 2


def test_forum_selector_matching_nothing_is_a_clear_error(replay_server, db_url, tmp_path):
    serve_forum(replay_server, 3)
    cfg = make_config(tmp_path, db_url, [{"name": "forum", "kind": "forum", "url": replay_server.url("/forum/viewforum.php?f=7"),
                                          "selectors": {**SELECTORS, "thread_link": "a.no-such-class"}}])
    result = run_crawl(cfg, "forum")
    assert result.status == "failed" and "selectors.thread_link" in result.first_error


def test_forum_robots_disallowed_threads_are_skipped(replay_server, db_url, tmp_path):
    serve_forum(replay_server, 5)
    replay_server.robots("User-agent: *\nDisallow: /forum/viewtopic.php?t=1003\n")
    result = run_crawl(_forum_cfg(tmp_path, db_url, replay_server), "forum")
    assert result.status == "partial" and result.items_new == 4
    assert replay_server.hits("/forum/viewtopic.php?t=1003&sid=0123abcd") == 0
    assert any("robots.txt" in e["reason"] for e in result.errors)


def test_subprocess_entry_point_prints_one_json_line(replay_server, db_url, tmp_path):
    serve_forum(replay_server, 3)
    cfg = _forum_cfg(tmp_path, db_url, replay_server)
    proc = subprocess.run(crawl_command("forum", cfg.folder), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert summary["status"] == "ok" and summary["items_new"] == 3 and summary["source"] == "forum"
    bad = subprocess.run(crawl_command("nope", cfg.folder), capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "unknown source 'nope'" in json.loads(bad.stdout)["errors"][0]["reason"]


def test_kill_9_mid_crawl_then_rerun_loses_nothing_and_stores_nothing_twice(replay_server, db_url, tmp_path):
    threads = serve_forum(replay_server, 20)
    for path, replies in list(replay_server._routes.items()):
        if "viewtopic" in path:
            replies[0].delay = 0.25
    cfg = _forum_cfg(tmp_path, db_url, replay_server, concurrent_requests_per_domain=2)
    proc = subprocess.Popen(crawl_command("forum", cfg.folder), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while _count(db_url) < 4 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "the crawl ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    stored_before = _count(db_url)
    assert 4 <= stored_before < 20
    result = run_crawl(cfg, "forum")
    assert result.status == "ok"
    with get_sessionmaker(db_url)() as s:
        ids = list(s.scalars(select(Mention.external_id)))
        runs = list(s.scalars(select(CrawlRun).order_by(CrawlRun.id)))
    assert len(ids) == len(set(ids)) == 20 == stored_before + result.items_new
    assert {f"/forum/viewtopic.php?t={t['tid']}" for t in threads} == set(ids)
    assert runs[0].status == "aborted" and runs[1].status == "ok"
