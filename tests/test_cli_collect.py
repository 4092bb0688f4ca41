"""The collection commands end to end: sources list/check, crawl (subprocesses), mentions, purge."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from crawlkit import write_config
from forumsite import POSTS, SELECTORS, serve_forum
from httpserver import WIRE, Reply, wire
from radar.cli import main
from radar.db import get_sessionmaker
from radar.models import Classification, CrawlRun, Lead, Mention, Opportunity, Source

pytestmark = pytest.mark.skipif(not (WIRE / "rss_atom").is_dir() or not POSTS.exists(), reason="../shared/data is not available")


@pytest.fixture
def instance(tmp_path, db_url, replay_server, monkeypatch):
    replay_server.route("/feed", Reply(body=wire("rss_atom/real_sites/narro.rss"), content_type="application/rss+xml"))
    replay_server.route("/broken", status=500)
    serve_forum(replay_server, 6)
    folder = write_config(tmp_path / "config", db_url, [
        {"name": "narro", "kind": "feed", "url": replay_server.url("/feed"), "language": "en"},
        {"name": "forum", "kind": "forum", "url": replay_server.url("/forum/viewforum.php?f=7"), "selectors": SELECTORS, "language": "de"},
        {"name": "broken", "kind": "feed", "url": replay_server.url("/broken")},
        {"name": "off", "kind": "feed", "url": replay_server.url("/feed"), "enabled": False},
    ], retention_days=3000)
    monkeypatch.setenv("RADAR_CONFIG", str(folder))
    monkeypatch.setenv("COLUMNS", "250")  # rich tables: no folding in the captured output
    monkeypatch.delenv("RADAR_DATABASE_URL", raising=False)
    return folder


def _count(db_url, model=Mention) -> int:
    with get_sessionmaker(db_url)() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_crawl_all_enabled_then_list_health(instance, db_url, replay_server):
    runner = CliRunner()
    result = runner.invoke(main, ["crawl", "--parallel", "4"])
    assert result.exit_code == 1, result.output  # "broken" failed, the others went on
    assert "7 new mentions" in result.output and "1 failed (broken)" in result.output
    assert _count(db_url) == 7 and replay_server.hits("/forum/viewforum.php") == 2
    listed = runner.invoke(main, ["sources", "list"])
    assert listed.exit_code == 0, listed.output
    assert "narro" in listed.output and "HTTP 500" in listed.output and "off" in listed.output
    with get_sessionmaker(db_url)() as s:
        assert s.scalar(select(Source.items_total).where(Source.name == "forum")) == 6
        assert s.scalar(select(func.count()).select_from(CrawlRun)) == 3
    again = runner.invoke(main, ["crawl", "--parallel", "2", "narro", "forum"])
    assert again.exit_code == 0 and "0 new mentions" in again.output
    assert _count(db_url) == 7


def test_sources_check_stores_nothing(instance, db_url):
    result = CliRunner().invoke(main, ["sources", "check", "forum"])
    assert result.exit_code == 0, result.output
    assert "6 items, 6 would be stored" in result.output
    assert _count(db_url) == 0 and _count(db_url, CrawlRun) == 0
    _crawl_in_process(instance, "forum")
    again = CliRunner().invoke(main, ["sources", "check", "forum"])
    assert "6 items, 0 would be stored" in again.output and "already stored" in again.output
    missing = CliRunner().invoke(main, ["sources", "check", "nope"])
    assert missing.exit_code != 0 and "unknown source 'nope'" in missing.output


def _crawl_in_process(instance, *names):
    from radar.config import load_config
    from radar.crawl import run_crawl

    cfg = load_config(instance)
    for name in names:
        assert run_crawl(cfg, name).ok


def test_mentions_formats(instance, db_url):
    _crawl_in_process(instance, "narro", "forum")
    jsonl = CliRunner().invoke(main, ["mentions", "--since", "1d", "--format", "jsonl"])
    rows = [json.loads(line) for line in jsonl.output.splitlines()]
    assert len(rows) == 7 and {r["source"] for r in rows} == {"narro", "forum"}
    assert {r["language"] for r in rows if r["source"] == "forum"} == {"de"}
    as_csv = CliRunner().invoke(main, ["mentions", "--format", "csv", "--source", "narro"])
    (row,) = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert row["title"] == "FAQ for Narro" and row["author"] == "foobar"
    table = CliRunner().invoke(main, ["mentions"])
    assert table.exit_code == 0 and "FAQ for Narro" in table.output
    future = CliRunner().invoke(main, ["mentions", "--since", "2999-01-01", "--format", "jsonl"])
    assert future.output == ""
    bad = CliRunner().invoke(main, ["mentions", "--since", "last tuesday"])
    assert bad.exit_code != 0 and "duration like 7d" in bad.output


def test_purge_keeps_leads_and_recent(instance, db_url):
    _crawl_in_process(instance, "forum")
    old = dt.datetime(2010, 1, 1, tzinfo=dt.timezone.utc)
    with get_sessionmaker(db_url).begin() as s:
        ms = list(s.scalars(select(Mention).order_by(Mention.id)))
        for m in ms[:4]:
            m.published_at = old
        s.add(Classification(mention_id=ms[0].id, model_version="t", is_request=True, request_probability=0.9, intent="support",
                             score=80, temperature="hot"))
        s.add(Opportunity(mention_id=ms[0].id, source_id=ms[0].source_id, score=80, temperature="hot"))
        s.add(Lead(mention_id=ms[1].id, title="kept"))  # became a lead: never purged
    dry = CliRunner().invoke(main, ["purge", "--dry-run"])
    assert "3 mentions older than 3000 days would be deleted" in dry.output
    done = CliRunner().invoke(main, ["purge"])
    assert done.exit_code == 0 and "deleted 3" in done.output
    assert _count(db_url) == 3 and _count(db_url, Classification) == 0 and _count(db_url, Opportunity) == 0
