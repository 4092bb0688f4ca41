"""Feeds end to end: real recorded feeds replayed on 127.0.0.1, crawled through Scrapy, stored
through the pipelines, on SQLite and PostgreSQL."""

from __future__ import annotations

import calendar
import datetime as dt

import feedparser
from urllib.parse import urljoin
import pytest
from sqlalchemy import func, select

from crawlkit import make_config
from httpserver import WIRE, Reply, wire
from radar.crawl import run_crawl
from radar.db import get_sessionmaker
from radar.models import CrawlRun, Mention, Source

pytestmark = pytest.mark.skipif(not (WIRE / "rss_atom").is_dir(), reason="../shared/data/wire/rss_atom is not available")

REAL = sorted(p.name for p in (WIRE / "rss_atom" / "real_sites").glob("*") if p.is_file()) if (WIRE / "rss_atom").is_dir() else []
CONTENT_TYPES = {".rss": "application/rss+xml", ".atom": "application/atom+xml", ".xml": "application/xml", ".json": "application/feed+json"}


def _feed_source(server, path: str, **extra):
    return {"name": "feed", "kind": "feed", "url": server.url(path), **extra}


def _mentions(db_url):
    with get_sessionmaker(db_url)() as s:
        return list(s.scalars(select(Mention).order_by(Mention.id)))


def _serve(server, relative: str, path: str = "/feed", **kw):
    suffix = "." + relative.rsplit(".", 1)[-1]
    server.route(path, Reply(body=wire(relative), content_type=CONTENT_TYPES.get(suffix, "application/xml"), **kw))


@pytest.mark.parametrize("name", REAL)
def test_real_feed_every_entry_stored_once_with_its_fields(name, replay_server, db_url, tmp_path):
    relative = f"rss_atom/real_sites/{name}"
    _serve(replay_server, relative)
    cfg = make_config(tmp_path, db_url, [_feed_source(replay_server, "/feed")])
    result = run_crawl(cfg, "feed")
    assert result.status == "ok", result.errors

    parsed = feedparser.parse(wire(relative).read_bytes())
    expected = {}
    for e in parsed.entries:
        key = e.get("id") or e.get("link")
        expected.setdefault(key, e)
    stored = {m.external_id: m for m in _mentions(db_url)}
    assert result.items_new == len(stored) == len(expected)
    for key, e in expected.items():
        m = stored[key]
        assert m.title == " ".join((e.get("title") or "").split())
        if e.get("link"):
            assert m.url == urljoin(replay_server.url("/feed"), e.link)  # relative links resolve against the feed
        published = e.get("published_parsed") or e.get("updated_parsed")
        if published:
            assert m.published_at == dt.datetime.fromtimestamp(calendar.timegm(published), tz=dt.timezone.utc)
        assert m.classified_at is None and m.language in ("de", "en", "other")
        assert "<" not in m.body or "<" in (e.get("summary") or "") and "&lt;" in (e.get("summary") or "")


def test_feed_text_clean_language_and_author(replay_server, db_url, tmp_path):
    _serve(replay_server, "rss_atom/real_sites/content-encoded.rss")
    cfg = make_config(tmp_path, db_url, [_feed_source(replay_server, "/feed")])
    assert run_crawl(cfg, "feed").items_new == 7
    mentions = _mentions(db_url)
    first = mentions[0]
    assert first.author == "Jeremy Puma" and first.language == "en"
    assert "<p>" not in first.body and "\n\n" in first.body  # paragraphs kept, markup gone
    assert all("<script" not in m.body for m in mentions)


def test_second_crawl_stores_nothing_new_and_304_with_etag(replay_server, db_url, tmp_path):
    _serve(replay_server, "rss_atom/real_sites/guardian.rss", etag='"guardian-1"', last_modified="Tue, 30 Jan 2018 10:00:00 GMT")
    cfg = make_config(tmp_path, db_url, [_feed_source(replay_server, "/feed")])
    first = run_crawl(cfg, "feed")
    assert (first.status, first.items_new) == ("ok", 55)
    second = run_crawl(cfg, "feed")
    assert (second.status, second.items_new, second.items_duplicate) == ("ok", 0, 0)
    feed_requests = replay_server.requests_for("/feed")
    assert feed_requests[1].headers["if-none-match"] == '"guardian-1"'
    assert feed_requests[1].headers["if-modified-since"] == "Tue, 30 Jan 2018 10:00:00 GMT"
    assert feed_requests[0].headers["user-agent"] == "BusinessRadarBot/0.1 (+https://radar.test/bot)"
    with get_sessionmaker(db_url)() as s:
        src = s.scalar(select(Source).where(Source.name == "feed"))
        assert src.etag == '"guardian-1"' and src.items_total == 55 and src.last_status == "ok"
        assert s.scalar(select(func.count()).select_from(Mention)) == 55


def test_recrawl_without_validators_counts_duplicates(replay_server, db_url, tmp_path):
    _serve(replay_server, "rss_atom/real_sites/reddit-home.rss")
    cfg = make_config(tmp_path, db_url, [_feed_source(replay_server, "/feed")])
    assert run_crawl(cfg, "feed").items_new == 24
    again = run_crawl(cfg, "feed")
    assert (again.items_new, again.items_duplicate) == (0, 24)
    assert len(_mentions(db_url)) == 24


def test_same_feed_in_two_sources_is_not_stored_twice(replay_server, db_url, tmp_path):
    _serve(replay_server, "rss_atom/real_sites/gulp-atom.atom", path="/a")
    _serve(replay_server, "rss_atom/real_sites/gulp-atom.atom", path="/b")
    cfg = make_config(tmp_path, db_url, [_feed_source(replay_server, "/a", name="a"), _feed_source(replay_server, "/b", name="b")])
    assert run_crawl(cfg, "a").items_new == 10
    other = run_crawl(cfg, "b")
    assert (other.items_new, other.items_duplicate) == (0, 10)  # same canonical URLs


# ------------------------------------------------------------------ edge cases from feedparser's tests
@pytest.mark.parametrize("name,entries,status", [
    ("illformed__chardet__koi8r.xml", 1, "ok"),
    ("illformed__chardet__shiftjis.xml", 1, "ok"),
    ("encoding__demoronize-1.xml", 1, "ok"),
    ("illformed__rss_incomplete_cdata.xml", 0, "partial"),  # the one entry is empty: a failed item
    ("illformed__rss_item_link_corrupted_ampersands.xml", 0, "partial"),  # a link, no text: a failed item
    ("wellformed__namespace__atomthreadingwithentry.xml", 1, "ok"),
    ("wellformed__sanitize__item_description_crazy.xml", 1, "ok"),
    ("wellformed__sanitize__large_atom_feed_that_needs_css_sanitisation.xml", 15, "ok"),
    ("json__example.json", 2, "ok"),
    ("illformed__undeclared_namespace.xml", 0, "ok"),
    ("illformed__rss_empty_document.xml", 0, "failed"),
])
def test_edge_case_feeds_never_crash(name, entries, status, replay_server, db_url, tmp_path):
    _serve(replay_server, f"rss_atom/edge_cases/{name}")
    cfg = make_config(tmp_path, db_url, [_feed_source(replay_server, "/feed")])
    result = run_crawl(cfg, "feed")
    assert result.items_new == entries
    assert result.status == status, result.errors
    assert result.items_failed == (1 if status == "partial" else 0)
    with get_sessionmaker(db_url)() as s:
        run = s.get(CrawlRun, result.run_id)
        assert run.status == result.status and run.finished_at is not None


def test_undeclared_encodings_are_detected(replay_server, db_url, tmp_path):
    _serve(replay_server, "rss_atom/edge_cases/illformed__chardet__koi8r.xml")
    cfg = make_config(tmp_path, db_url, [_feed_source(replay_server, "/feed")])
    result = run_crawl(cfg, "feed")
    assert result.warnings and "ill-formed" in result.warnings[0]["reason"]
    (m,) = _mentions(db_url)
    assert m.title == "Как пережить новогоднюю ночь" and m.language == "other"


def test_not_a_feed_is_a_clear_failure(replay_server, db_url, tmp_path):
    replay_server.route("/feed", Reply(body="<html><body><h1>Wartungsarbeiten</h1></body></html>", content_type="text/html"))
    cfg = make_config(tmp_path, db_url, [_feed_source(replay_server, "/feed")])
    result = run_crawl(cfg, "feed")
    assert result.status == "failed" and "not a readable RSS/Atom/JSON feed" in result.first_error
    with get_sessionmaker(db_url)() as s:
        src = s.scalar(select(Source))
        assert src.last_status == "failed" and src.error_streak == 1 and "not a readable" in src.last_error


def test_invalid_json_feed_is_a_clear_failure(replay_server, db_url, tmp_path):
    replay_server.route("/feed", Reply(body=b'{"version": "https://jsonfeed.org/version/1", "items": [', content_type="application/feed+json"))
    cfg = make_config(tmp_path, db_url, [_feed_source(replay_server, "/feed")])
    result = run_crawl(cfg, "feed")
    assert result.status == "failed" and "not a readable" in result.first_error


def test_relative_links_resolve_against_the_feed_url_and_xml_base():
    """feedparser runs without the response URL (it would join every href with it); the one
    link per entry that is kept is joined here, and a feed's own xml:base still applies."""
    from radar.spiders.feed import parse_feed_entries

    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Forum</title>'
           b'<item><title>A</title><link>/t/1</link><guid isPermaLink="false">42</guid><description>eins</description></item>'
           b'<item><title>B</title><link>t/2?x=1</link><description>zwei</description></item>'
           b'<item><title>C</title><link>https://cdn.example/t/3</link><guid>https://forum.example/t/3</guid><description>drei</description></item>'
           b'</channel></rss>')
    _info, items = parse_feed_entries(rss, "https://forum.example/feeds/all.rss", "application/rss+xml")
    assert [(i["url"], i["external_id"]) for i in items] == [
        ("https://forum.example/t/1", "42"),
        ("https://forum.example/feeds/t/2?x=1", "/feeds/t/2?x=1"),
        ("https://cdn.example/t/3", "/t/3"),
    ]
    atom = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://other.example/base/">'
            b'<title>F</title><entry><title>D</title><id>urn:x:4</id><link rel="alternate" href="p/4"/>'
            b'<updated>2025-11-24T09:00:00Z</updated><content type="html">vier</content></entry></feed>')
    _info, items = parse_feed_entries(atom, "https://forum.example/atom", "application/atom+xml")
    assert [(i["url"], i["external_id"]) for i in items] == [("https://other.example/base/p/4", "urn:x:4")]
