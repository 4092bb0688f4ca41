"""`radar demo`: the replay server and the demo instance."""

from __future__ import annotations

import json
import time
import urllib.request

import feedparser
import pytest

from radar.demo import ARRIVAL_SECONDS, FEEDS, FIRST_BATCH, ReplayServer, prepare


@pytest.fixture
def replay():
    server = ReplayServer().start()
    yield server
    server.close()


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read(), resp.headers["Content-Type"]
    except urllib.error.HTTPError as exc:
        return exc.code, b"", ""


def test_feeds_are_real_rss_with_posts_arriving_over_time(replay):
    for name in FEEDS:
        status, body, ctype = _get(f"{replay.url}/feeds/{name}.xml")
        assert status == 200 and "rss" in ctype
        feed = feedparser.parse(body)
        assert not feed.bozo, feed.bozo_exception
        assert len(feed.entries) == FIRST_BATCH
        first = feed.entries[-1]
        assert first.title and len(first.summary) > 20 and first.id.startswith(name)
    replay.started -= 2 * ARRIVAL_SECONDS  # two arrival periods later
    feed = feedparser.parse(_get(f"{replay.url}/feeds/computerhilfe.xml")[1])
    assert len(feed.entries) == FIRST_BATCH + 2
    assert "CPU ist bei 100%" in feed.entries[-1].summary  # the real first post of the corpus


def test_recorded_api_responses_and_robots(replay):
    assert _get(f"{replay.url}/robots.txt")[1].startswith(b"User-agent: *")
    assert _get(f"{replay.url}/nowhere")[0] == 404
    status, body, _ = _get(f"{replay.url}/discourse/latest.json")
    if status == 404:
        pytest.skip("the recorded API responses (tests/fixtures/wire) are not in this checkout")
    assert "topic_list" in json.loads(body)
    assert "post_stream" in json.loads(_get(f"{replay.url}/discourse/t/some-topic/8.json")[1])
    assert isinstance(json.loads(_get(f"{replay.url}/mastodon/api/v1/timelines/tag/x?limit=40")[1]), list)
    assert "hits" in json.loads(_get(f"{replay.url}/hn/api/v1/search_by_date?tags=story")[1])


def test_demo_instance_has_sources_partners_and_users_who_can_log_in(tmp_path, monkeypatch, replay):
    from sqlalchemy import select

    from radar.auth import authenticate
    from radar.db import session_scope
    from radar.models import Partner, Source

    monkeypatch.delenv("RADAR_DATABASE_URL", raising=False)
    cfg = prepare(tmp_path / "demo", replay.url, port=8599)
    cfg = prepare(tmp_path / "demo", replay.url, port=8599)  # a second start reuses the instance
    assert cfg.database_url.startswith("sqlite:///") and str(tmp_path) in cfg.database_url
    with session_scope(cfg.database_url) as s:
        sources = s.scalars(select(Source).where(Source.enabled.is_(True))).all()
        assert {f"demo-{n}" for n in FEEDS} <= {x.name for x in sources}
        assert all(x.settings["base_url"].startswith(replay.url) for x in sources)
        assert s.scalar(select(Partner).where(Partner.name == "NordIT Systemhaus GmbH")).parent is not None
        for username, password in (("admin", "demo-admin"), ("nordit", "demo-partner"), ("berater", "demo-berater")):
            assert authenticate(s, username, password) is not None, username
