"""Politeness and robustness of the crawl runner against a misbehaving local server: 429 with
Retry-After, 500 then success, robots.txt, huge pages, redirect loops, hangs, crawl timeouts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crawlkit import make_config
from httpserver import WIRE, Reply, wire
from radar.crawl import run_crawl
from radar.db import get_sessionmaker
from radar.models import Source

pytestmark = pytest.mark.skipif(not (WIRE / "rss_atom").is_dir(), reason="../shared/data/wire/rss_atom is not available")

NARRO = "rss_atom/real_sites/narro.rss"


def _ok_feed(**kw) -> Reply:
    return Reply(body=wire(NARRO), content_type="application/rss+xml", **kw)


def _cfg(tmp_path, db_url, server, path="/feed", **crawl):
    return make_config(tmp_path, db_url, [{"name": "feed", "kind": "feed", "url": server.url(path)}], crawl)


def _source(db_url) -> Source:
    with get_sessionmaker(db_url)() as s:
        return s.scalar(select(Source).where(Source.name == "feed"))


def test_429_retry_after_is_waited_for(replay_server, db_url, tmp_path):
    replay_server.route("/feed", Reply(status=429, headers={"Retry-After": "1"}, body=b"slow down"), _ok_feed())
    result = run_crawl(_cfg(tmp_path, db_url, replay_server), "feed")
    assert (result.status, result.items_new) == ("ok", 1)
    first, second = replay_server.requests_for("/feed")
    assert second.at - first.at >= 0.95  # the one second the server asked for


def test_429_longer_than_max_retry_after_ends_the_run(replay_server, db_url, tmp_path):
    replay_server.route("/feed", Reply(status=429, headers={"Retry-After": "3600"}), _ok_feed())
    result = run_crawl(_cfg(tmp_path, db_url, replay_server, max_retry_after=5), "feed")
    assert result.status == "failed" and result.items_new == 0
    assert "3600" in result.first_error and "max_retry_after" in result.first_error
    assert replay_server.hits("/feed") == 1  # no hammering
    assert not result.cursor_saved


def test_500_then_success(replay_server, db_url, tmp_path):
    replay_server.route("/feed", Reply(status=500), Reply(status=503), _ok_feed())
    result = run_crawl(_cfg(tmp_path, db_url, replay_server), "feed")
    assert (result.status, result.items_new, result.errors) == ("ok", 1, [])
    assert replay_server.hits("/feed") == 3


def test_persistent_500_fails_alone_and_is_recorded(replay_server, db_url, tmp_path):
    replay_server.route("/feed", status=500)
    replay_server.route("/good", _ok_feed())
    cfg = make_config(tmp_path, db_url, [{"name": "feed", "kind": "feed", "url": replay_server.url("/feed")},
                                         {"name": "good", "kind": "feed", "url": replay_server.url("/good")}])
    bad = run_crawl(cfg, "feed")
    assert bad.status == "failed" and bad.first_error.startswith("HTTP 500")
    assert replay_server.hits("/feed") == 3  # first try + retry_times = 2
    assert run_crawl(cfg, "good").status == "ok"
    src = _source(db_url)
    assert (src.last_status, src.error_streak) == ("failed", 1) and "HTTP 500" in src.last_error


def test_robots_txt_disallow_is_obeyed(replay_server, db_url, tmp_path):
    replay_server.robots("User-agent: *\nDisallow: /private/\n")
    replay_server.route("/private/feed", _ok_feed())
    result = run_crawl(_cfg(tmp_path, db_url, replay_server, "/private/feed"), "feed")
    assert result.status == "failed" and "robots.txt" in result.first_error
    assert replay_server.hits("/private/feed") == 0 and replay_server.hits("/robots.txt") == 1


def test_huge_page_over_max_response_bytes(replay_server, db_url, tmp_path):
    replay_server.route("/feed", Reply(body=wire("rss_atom/real_sites/guardian.rss"), content_type="application/rss+xml"))
    result = run_crawl(_cfg(tmp_path, db_url, replay_server, max_response_bytes=20_000), "feed")
    assert result.status == "failed" and result.items_new == 0
    assert "max_response_bytes" in result.first_error


def test_redirect_loop(replay_server, db_url, tmp_path):
    replay_server.redirect("/feed", "/loop").redirect("/loop", "/feed")
    result = run_crawl(_cfg(tmp_path, db_url, replay_server), "feed")
    assert result.status == "failed" and "redirect" in result.first_error
    assert replay_server.hits("/feed") + replay_server.hits("/loop") <= 8


def test_hung_server_times_out(replay_server, db_url, tmp_path):
    replay_server.route("/feed", Reply(delay=120))
    result = run_crawl(_cfg(tmp_path, db_url, replay_server, download_timeout=0.5, retry_times=1), "feed")
    assert result.status == "failed" and "no answer" in result.first_error
    assert result.duration < 10
    assert replay_server.hits("/feed") == 2


def test_crawl_timeout_stops_a_slow_crawl_keeping_what_was_stored(replay_server, db_url, tmp_path):
    from forumsite import POSTS, SELECTORS, serve_forum

    if not POSTS.exists():
        pytest.skip("../shared/data/posts is not available")
    serve_forum(replay_server, 10)
    for path, replies in list(replay_server._routes.items()):
        if "viewtopic" in path:
            replies[0].delay = 0.4
    cfg = make_config(tmp_path, db_url, [{"name": "forum", "kind": "forum", "url": replay_server.url("/forum/viewforum.php?f=7"),
                                          "selectors": SELECTORS}], {"concurrent_requests_per_domain": 1})
    result = run_crawl(cfg, "forum", timeout=1.5)
    assert result.status == "timeout" and "crawl_timeout" in result.errors[-1]["reason"]
    assert 0 < result.items_new < 10 and result.duration < 10
    assert not result.cursor_saved
    again = run_crawl(cfg, "forum")
    assert again.status == "ok" and result.items_new + again.items_new == 10
