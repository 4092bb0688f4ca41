"""DiscourseSpider: the official API client's recorded fixtures (latest, category list, topic,
search) fed straight to the callbacks; cursor, paging, search formats and error bodies."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlparse

from apikit import check_contracts, fixture, items, requests, response, run, start_requests
from radar.spiders.discourse import DiscourseSpider

BASE = "http://127.0.0.1:9"
UTC = dt.timezone.utc


def spider(cursor: dict | None = None, **settings) -> DiscourseSpider:
    settings.setdefault("base_url", BASE)
    return DiscourseSpider(source={"name": "disc", "kind": "discourse", "settings": settings, "cursor": cursor or {}})


def latest() -> dict:
    """latest.json with distinct topic ids (the recorded fixture gives all three id 1)."""
    data = json.loads(fixture("discourse/latest.json"))
    for n, topic in enumerate(data["topic_list"]["topics"], start=1):
        topic["id"] = n
    return data


def test_start_urls():
    assert start_requests(spider())[0].url == f"{BASE}/latest.json"
    assert start_requests(spider(category="deutsch"))[0].url == f"{BASE}/c/deutsch/l/latest.json"
    [req] = start_requests(spider(query="backup empfehlung", category="deutsch"))
    assert urlparse(req.url).path == "/search.json"
    assert parse_qs(urlparse(req.url).query)["q"] == ["backup empfehlung order:latest #deutsch"]


def test_missing_base_url_is_fatal():
    s = DiscourseSpider(source={"name": "d", "kind": "discourse", "settings": {}})
    assert start_requests(s) == []
    assert "needs 'base_url'" in s.errors[0]["reason"] and s.errors[0]["fatal"]


def test_recorded_latest_asks_each_topic_once_and_follows_more():
    s = spider()
    out = run(s.parse_list(response(f"{BASE}/latest.json", fixture("discourse/latest.json"))))
    topic_reqs = [r for r in requests(out) if "/t/" in r.url]
    assert [r.url for r in topic_reqs] == [f"{BASE}/t/1.json"]  # all three recorded topics say id 1
    assert topic_reqs[0].cb_kwargs["summary"]["op_username"] == "test_users"
    [more] = [r for r in requests(out) if "/t/" not in r.url]
    assert more.url == f"{BASE}/latest.json?page=1"


def test_cursor_after_a_complete_walk():
    s = spider()
    data = latest()
    del data["topic_list"]["more_topics_url"]
    out = run(s.parse_list(response(f"{BASE}/latest.json", data)))
    assert [r.url for r in requests(out)] == [f"{BASE}/t/{n}.json" for n in (1, 2, 3)]
    assert s.new_cursor == {"topic_id": 3, "bumped_at": "2013-11-06T18:57:48.111000+00:00"}


def test_second_walk_asks_nothing_and_stops_at_the_mark():
    data = latest()
    s = spider(cursor={"topic_id": 3, "bumped_at": "2013-11-06T18:57:48.111000+00:00"})
    out = run(s.parse_list(response(f"{BASE}/latest.json", data)))
    assert requests(out) == []  # no new topic, and the mark was met: no more_topics_url either
    assert s.new_cursor == {"topic_id": 3, "bumped_at": "2013-11-06T18:57:48.111000+00:00"}


def test_new_topic_bumped_above_the_mark_is_fetched():
    data = latest()
    data["topic_list"]["topics"][1]["id"] = 40
    s = spider(cursor={"topic_id": 3, "bumped_at": "2013-10-01T00:00:00+00:00"})
    out = run(s.parse_list(response(f"{BASE}/latest.json", data)))
    assert [r.url for r in requests(out)] == [f"{BASE}/t/40.json", f"{BASE}/latest.json?page=1"]
    assert s.new_cursor["topic_id"] == 3  # the mark was not met yet: the walk goes on
    data["topic_list"]["topics"][2]["bumped_at"] = "2013-09-01T00:00:00Z"  # page 2 reaches the mark
    out = run(s.parse_list(response(f"{BASE}/latest.json?page=1", data)))
    assert requests(out) == []
    assert s.new_cursor["topic_id"] == 40


def test_a_repeated_list_page_ends_the_walk():
    s = spider()
    data = latest()
    assert len(requests(run(s.parse_list(response(f"{BASE}/latest.json", data))))) == 4
    assert requests(run(s.parse_list(response(f"{BASE}/latest.json?page=1", data)))) == []
    assert s.new_cursor["topic_id"] == 3


def test_more_topics_url_without_json_suffix():
    s = spider()
    assert s.json_url("/latest?no_definitions=true&page=2") == f"{BASE}/latest.json?no_definitions=true&page=2"
    assert s.json_url("/c/deutsch/5/l/latest.json?page=1") == f"{BASE}/c/deutsch/5/l/latest.json?page=1"


def test_category_list_and_topic_first_post():
    s = spider(category="support")
    out = run(s.parse_list(response(f"{BASE}/c/support/l/latest.json", fixture("discourse/category_latest_topics.json"))))
    assert [r.url for r in requests(out)] == [f"{BASE}/t/5.json", f"{BASE}/t/4.json"]
    topic = json.loads(fixture("discourse/topic.json"))
    [item] = items(run(s.parse_topic(response(f"{BASE}/t/57.json", topic), summary={"id": 57})))
    assert item.external_id == "57"
    assert item.title == "THIS SITE IS A SANDBOX -- it is reset every day"
    assert item.url == f"{BASE}/t/this-site-is-a-sandbox-it-is-reset-every-day/57"
    assert item.author == "samsaffron"
    assert item.body.startswith("<p>Welcome!</p>\n\n<h3>Try is a sandbox")
    assert item.published_at == dt.datetime(2013, 2, 4, 20, 26, 26, 278000, tzinfo=UTC)
    assert item.extra["category_id"] == 13 and item.extra["kind"] == "topic"


def test_topic_view_without_post_one_asks_for_it_by_id():
    s = spider()
    topic = json.loads(fixture("discourse/topic.json"))
    first_post = topic["post_stream"]["posts"][0]
    topic["post_stream"]["posts"] = topic["post_stream"]["posts"][1:]  # as /t/57/452.json would start
    [req] = run(s.parse_topic(response(f"{BASE}/t/57.json", topic), summary={"id": 57, "title": "From the list", "slug": "s"}))
    assert urlparse(req.url).path == "/t/57/posts.json"
    assert parse_qs(urlparse(req.url).query) == {"post_ids[]": ["83"]}
    posts = {"post_stream": {"posts": [first_post]}, "id": 57}
    [item] = items(run(s.parse_topic(response(req.url, posts), **req.cb_kwargs)))
    assert item.title == "THIS SITE IS A SANDBOX -- it is reset every day"
    assert item.author == "samsaffron" and item.body.startswith("<p>Welcome!</p>")
    assert item.url == f"{BASE}/t/this-site-is-a-sandbox-it-is-reset-every-day/57"


def test_deleted_first_post_is_skipped():
    topic = json.loads(fixture("discourse/topic.json"))
    topic["post_stream"]["posts"][0]["user_deleted"] = True
    assert items(run(spider().parse_topic(response(f"{BASE}/t/57.json", topic), summary={"id": 57}))) == []


def test_topic_gone_is_stored_from_the_list():
    s = spider()
    summary = dict(latest()["topic_list"]["topics"][0], op_username="test_users")
    body = {"errors": ["The requested URL or resource could not be found."], "error_type": "not_found"}
    [item] = items(run(s.parse_topic(response(f"{BASE}/t/1.json", body, status=404), summary=summary)))
    assert item.title == "Test topic #1" and item.author == "test_users"
    assert item.body.startswith("Welcome!") and item.extra["from_list"]
    assert item.published_at == dt.datetime(2013, 2, 4, 20, 26, 25, 977000, tzinfo=UTC)
    assert "HTTP 404" in s.warnings[0]["reason"]


def test_search_new_format_and_paging():
    s = spider(query="backup")
    body = {
        "posts": [{"id": 900, "topic_id": 12, "username": "anna", "blurb": "Welche Backup-Software?", "post_number": 1},
                  {"id": 901, "topic_id": 11, "username": "ben", "blurb": "…", "post_number": 3}],
        "topics": [{"id": 11, "title": "NAS", "slug": "nas"}, {"id": 12, "title": "Backup", "slug": "backup"}],
        "grouped_search_result": {"more_full_page_results": True},
    }
    out = run(s.parse_search(response(f"{BASE}/search.json?q=backup", body), page=1))
    urls = [r.url for r in requests(out)]
    assert urls[:2] == [f"{BASE}/t/12.json", f"{BASE}/t/11.json"]
    assert parse_qs(urlparse(urls[2]).query) == {"q": ["backup order:latest"], "page": ["2"]}


def test_search_old_grouped_format():
    s = spider(query="test")
    out = run(s.parse_search(response(f"{BASE}/search.json?q=test", fixture("discourse/search.json")), page=1))
    urls = [r.url for r in requests(out)]
    assert urls[:3] == [f"{BASE}/t/{n}.json" for n in (1, 2, 3)]
    assert "page=2" in urls[3]


def test_error_body_is_recorded():
    s = spider(category="secret")
    body = {"errors": ["You are not permitted to view the requested resource."], "error_type": "invalid_access"}
    assert run(s.parse_list(response(f"{BASE}/c/secret/l/latest.json", body, status=403))) == []
    assert "HTTP 403" in s.errors[0]["reason"] and "not permitted" in s.errors[0]["reason"] and "private category" in s.errors[0]["reason"]
    assert s.errors[0]["fatal"]


def test_html_page_instead_of_json_is_recorded():
    s = spider()
    run(s.parse_list(response(f"{BASE}/latest.json", b"<!DOCTYPE html><html><body>Login</body></html>")))
    assert "invalid JSON" in s.errors[0]["reason"]


def test_contracts_hold_on_recorded_responses():
    check_contracts(spider(), "parse_list", response(f"{BASE}/latest.json", fixture("discourse/latest.json")))
    check_contracts(spider(query="test"), "parse_search", response(f"{BASE}/search.json", fixture("discourse/search.json")), page=1)
    check_contracts(spider(), "parse_topic", response(f"{BASE}/t/57.json", fixture("discourse/topic.json")), summary={"id": 57})


# --------------------------------------------------------------------------- end to end
from sqlalchemy import select  # noqa: E402

from crawlkit import make_config  # noqa: E402
from httpserver import Reply  # noqa: E402
from radar.crawl import run_crawl  # noqa: E402
from radar.db import get_sessionmaker  # noqa: E402
from radar.models import Mention, Source  # noqa: E402


def topic_json(n: int, summary: dict, post_index: int) -> dict:
    """The recorded topic view re-labelled as topic ``n``, its first post taken from post ``post_index``."""
    topic = json.loads(fixture("discourse/topic.json"))
    post = dict(topic["post_stream"]["posts"][post_index], post_number=1, topic_id=n)
    topic.update(id=n, title=summary["title"], fancy_title=summary["title"], slug=summary["slug"], created_at=summary["created_at"])
    topic["post_stream"]["posts"] = [post]
    return topic


def serve_forum(server) -> tuple[list[dict], list[dict]]:
    page1 = latest()
    page2 = json.loads(fixture("discourse/category_latest_topics.json"))
    for topic, bumped in zip(page2["topic_list"]["topics"], ["2013-01-10T10:00:00.000-05:00", "2013-01-09T10:00:00.000-05:00"]):
        topic["bumped_at"] = bumped
    server.route("/latest.json", Reply(body=page1)).route("/latest.json?page=1", Reply(body=page2))
    topics1, topics2 = page1["topic_list"]["topics"], page2["topic_list"]["topics"]
    for index, summary in enumerate(topics1 + topics2[:1]):
        server.route(f"/t/{summary['id']}.json", Reply(body=topic_json(summary["id"], summary, index)))
    server.route("/t/4.json", Reply(status=404, body={"errors": ["not found"], "error_type": "not_found"}))
    return topics1, topics2


def test_e2e_latest_topics_then_nothing_new(tmp_path, db_url, replay_server):
    serve_forum(replay_server)
    src = {"name": "forum", "kind": "discourse", "base_url": replay_server.base_url, "language": "en"}
    cfg = make_config(tmp_path, db_url, [src])

    result = run_crawl(cfg, "forum")
    assert result.status == "ok", result.errors
    assert result.items_new == 5
    with get_sessionmaker(db_url)() as s:
        rows = {m.external_id: m for m in s.scalars(select(Mention))}
        cursor = s.scalar(select(Source.cursor).where(Source.name == "forum"))
    first = rows["1"]
    assert first.title == "Test topic #1"
    assert first.url == f"{replay_server.base_url}/t/test-topic-1/1"
    assert first.author == "samsaffron"
    assert first.body.startswith("Welcome!\n\nTry is a sandbox, a safe place to play with Discourse and its features.")
    assert first.published_at == dt.datetime(2013, 2, 4, 20, 26, 26, 278000, tzinfo=UTC)
    assert rows["4"].title == "This is a markdown post" and rows["4"].author == "fuzzy"  # 404: kept from the list
    assert "HTTP 404" in result.warnings[0]["reason"]
    assert cursor == {"topic_id": 5, "bumped_at": "2013-11-06T18:57:48.111000+00:00"}

    replay_server.clear_log()
    again = run_crawl(cfg, "forum")
    assert again.status == "ok" and again.items_new == 0
    assert [r.path for r in replay_server.requests if r.path != "/robots.txt"] == ["/latest.json"]


def test_e2e_private_category_is_a_recorded_failure(tmp_path, db_url, replay_server):
    body = {"errors": ["You are not permitted to view the requested resource."], "error_type": "invalid_access"}
    replay_server.route("/c/intern/l/latest.json", Reply(status=403, body=body))
    src = {"name": "forum", "kind": "discourse", "base_url": replay_server.base_url, "category": "intern"}
    result = run_crawl(make_config(tmp_path, db_url, [src]), "forum")
    assert result.status == "failed"
    assert "HTTP 403" in result.errors[0]["reason"] and "private category or login required" in result.errors[0]["reason"]
