"""HackerNewsSpider: recorded Algolia search hits fed straight to the callback, request building,
paging, cursor, comments and error bodies."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlparse

from apikit import check_contracts, fixture, items, requests, response, run, shared, start_requests
from radar.spiders.hackernews import HackerNewsSpider

BASE = "http://127.0.0.1:9"
UTC = dt.timezone.utc
SEARCH = "hackernews/algolia_search__query_url_medium_ssh__extracted_from_shazow_communal.json"


def spider(cursor: dict | None = None, **settings) -> HackerNewsSpider:
    settings.setdefault("base_url", BASE)
    return HackerNewsSpider(source={"name": "hn", "kind": "hackernews", "settings": settings, "cursor": cursor or {}})


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query, keep_blank_values=True).items()}


def recorded() -> dict:
    return json.loads(fixture(SEARCH))


def ask_hn_hit() -> dict:
    """An Algolia hit carrying a real Ask HN story (values of Firebase item 13163367)."""
    item = json.loads(shared("hackernews_json/firebase_items/item_13163367.json"))
    return {
        "created_at": dt.datetime.fromtimestamp(item["time"], UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "title": item["title"], "url": None, "author": item["by"], "points": item["score"],
        "story_text": item["text"], "comment_text": None, "num_comments": item["descendants"],
        "story_id": None, "story_title": None, "story_url": None, "parent_id": None,
        "created_at_i": item["time"], "_tags": ["story", f"author_{item['by']}", f"story_{item['id']}", "ask_hn"],
        "objectID": str(item["id"]),
    }


def comment_hit() -> dict:
    """A comment hit in Algolia's field layout (comment_text HTML, story_title, parent_id)."""
    return {
        "created_at": "2016-12-13T01:02:03.000Z", "title": None, "url": None, "author": "jdoe", "points": None,
        "story_text": None, "comment_text": "We use Nextcloud on a small VPS &ndash; <i>any</i> alternatives?<p>Happy to pay.",
        "num_comments": None, "story_id": 13163367, "story_title": "Ask HN: Hiring managers, what tech skills will you be hiring for in 2017?",
        "story_url": None, "parent_id": 13163367, "created_at_i": 1481590923,
        "_tags": ["comment", "author_jdoe", "story_13163367"], "objectID": "13163500",
    }


def test_start_asks_search_by_date_with_tags_and_cursor():
    [req] = start_requests(spider(tags="ask_hn", cursor={"created_at_i": 1481588086}))
    assert urlparse(req.url).path == "/api/v1/search_by_date"
    q = query(req.url)
    assert q == {"query": "", "tags": "ask_hn", "hitsPerPage": "100", "page": "0", "numericFilters": "created_at_i>1481588086"}


def test_tags_default_and_comments():
    assert spider().tags == "story"
    assert spider(comments=True).tags == "(story,comment)"
    assert spider(tags="ask_hn", comments=True).tags == "(ask_hn,comment)"
    assert spider(tags="story,author_pg", comments=True).tags == "story,author_pg"


def test_default_base_is_algolia():
    s = HackerNewsSpider(source={"name": "hn", "kind": "hackernews", "settings": {"query": "crm"}})
    [req] = start_requests(s)
    assert req.url.startswith("https://hn.algolia.com/api/v1/search_by_date?query=crm&")


def test_recorded_hits_become_items():
    s = spider(query="ssh")
    out = run(s.parse_page(response(f"{BASE}/api/v1/search_by_date?page=0", fixture(SEARCH)), page=0))
    found = items(out)
    assert [i.external_id for i in found] == ["8828543", "11516582", "13566801", "8830693"]
    first = found[0]
    assert first.title == "Why aren\u2019t we using SSH for everything?"
    assert first.url == "https://news.ycombinator.com/item?id=8828543"
    assert first.author == "dkua"
    assert first.published_at == dt.datetime(2015, 1, 2, 21, 5, 46, tzinfo=UTC)
    assert first.extra["link_url"] == "https://medium.com/@shazow/ssh-how-does-it-even-9e43586e4ffc"
    assert first.extra["kind"] == "post" and first.extra["tags"] == ["story"] and first.extra["points"] == 270
    assert requests(out) == []  # nbPages is 1
    assert s.new_cursor == {"created_at_i": 1486212445}


def test_ask_hn_story_text_is_html():
    s = spider(tags="ask_hn")
    data = {"hits": [ask_hn_hit()], "nbPages": 1, "page": 0}
    [item] = items(run(s.parse_page(response(f"{BASE}/api/v1/search_by_date", data), page=0)))
    assert item.title == "Ask HN: Hiring managers, what tech skills will you be hiring for in 2017?"
    assert item.body.startswith("Please be as specific as possible. Also please mention your company and&#x2F;or industry.<p>")
    assert item.body_format == "html"
    assert item.author == "changeseeker"
    assert item.extra["tags"] == ["story", "ask_hn"]
    assert item.published_at == dt.datetime.fromtimestamp(1481588086, UTC)


def test_comments_have_story_title_and_parent():
    s = spider(tags="comment")
    data = {"hits": [comment_hit()], "nbPages": 1, "page": 0}
    [item] = items(run(s.parse_page(response(f"{BASE}/api/v1/search_by_date", data), page=0)))
    assert item.title == "Re: Ask HN: Hiring managers, what tech skills will you be hiring for in 2017?"
    assert item.url == "https://news.ycombinator.com/item?id=13163500"
    assert item.body.startswith("We use Nextcloud")
    assert item.extra["kind"] == "comment" and item.extra["parent_id"] == 13163367 and item.extra["story_id"] == 13163367


def test_paging_follows_nb_pages_then_sets_cursor():
    s = spider(tags="story")
    data = recorded()
    data["nbPages"] = 3
    out = run(s.parse_page(response(f"{BASE}/api/v1/search_by_date?page=0", data), page=0))
    [nxt] = requests(out)
    assert query(nxt.url)["page"] == "1" and nxt.cb_kwargs == {"page": 1}
    assert s.new_cursor == {}  # walk not finished
    data["page"] = 2
    data["hits"] = [dict(h, objectID=h["objectID"] + "0", created_at_i=h["created_at_i"] - 100) for h in data["hits"]]
    out = run(s.parse_page(response(f"{BASE}/api/v1/search_by_date?page=2", data), page=2))
    assert len(items(out)) == 4 and requests(out) == []
    assert s.new_cursor == {"created_at_i": 1486212445}  # the newest of the whole walk (page 0)


def test_cursor_filters_hits_when_the_server_ignores_numeric_filters():
    s = spider(cursor={"created_at_i": 1460931186})
    found = items(run(s.parse_page(response(f"{BASE}/api/v1/search_by_date", fixture(SEARCH)), page=0)))
    assert [i.external_id for i in found] == ["13566801"]
    s2 = spider(cursor={"created_at_i": 1486212445})
    assert items(run(s2.parse_page(response(f"{BASE}/api/v1/search_by_date", fixture(SEARCH)), page=0))) == []
    assert s2.new_cursor == {"created_at_i": 1486212445}


def test_hits_without_author_or_text_are_skipped():
    s = spider(tags="comment")
    dead = dict(comment_hit(), author=None)
    empty = dict(comment_hit(), objectID="1", comment_text="")
    assert items(run(s.parse_page(response(f"{BASE}/x", {"hits": [dead, empty], "nbPages": 1}), page=0))) == []


def test_error_body_is_recorded():
    s = spider()
    body = {"message": "Invalid value for numericFilters", "status": 400}
    assert run(s.parse_page(response(f"{BASE}/api/v1/search_by_date", body, status=400), page=0)) == []
    assert "HTTP 400" in s.errors[0]["reason"] and "numericFilters" in s.errors[0]["reason"] and s.errors[0]["fatal"]


def test_contracts_hold_on_recorded_response():
    check_contracts(spider(), "parse_page", response(f"{BASE}/api/v1/search_by_date", fixture(SEARCH)), page=0)


# --------------------------------------------------------------------------- end to end
from urllib.parse import urlsplit  # noqa: E402

from sqlalchemy import select  # noqa: E402

from crawlkit import make_config  # noqa: E402
from httpserver import Reply  # noqa: E402
from radar.crawl import run_crawl  # noqa: E402
from radar.db import get_sessionmaker  # noqa: E402
from radar.models import Mention, Source  # noqa: E402

SEARCH_PATH = "/api/v1/search_by_date"


def stored(db_url: str) -> dict[str, Mention]:
    with get_sessionmaker(db_url)() as s:
        return {m.external_id: m for m in s.scalars(select(Mention))}


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_e2e_pages_then_nothing_new(tmp_path, db_url, replay_server):
    page0 = dict(recorded(), nbPages=2, page=0)
    page1 = {"hits": [ask_hn_hit(), comment_hit()], "nbPages": 2, "page": 1, "hitsPerPage": 100}
    src = {"name": "hn", "kind": "hackernews", "tags": "story", "comments": True, "base_url": replay_server.base_url}
    second_page = path_of(spider(tags="story", comments=True).page_url(1))
    replay_server.route(SEARCH_PATH, Reply(body=page0)).route(second_page, Reply(body=page1))
    cfg = make_config(tmp_path, db_url, [src])

    result = run_crawl(cfg, "hn")
    assert result.status == "ok", result.errors
    assert result.items_new == 6
    rows = stored(db_url)
    ask = rows["13163367"]
    assert ask.title == "Ask HN: Hiring managers, what tech skills will you be hiring for in 2017?"
    assert ask.body == ("Please be as specific as possible. Also please mention your company and/or industry.\n\n"
                        "This should help folks trying to get into your company/industry on what they need to know and "
                        "conversely help you in finding a better pool of candidates.")
    assert ask.url == "https://news.ycombinator.com/item?id=13163367"
    assert ask.author == "changeseeker" and ask.language == "en"
    assert ask.published_at == dt.datetime.fromtimestamp(1481588086, UTC)
    assert rows["13163500"].title.startswith("Re: Ask HN: Hiring managers")
    with get_sessionmaker(db_url)() as s:
        assert s.scalar(select(Source.cursor).where(Source.name == "hn")) == {"created_at_i": 1486212445}

    replay_server.clear_log()
    again = run_crawl(cfg, "hn")
    assert again.status == "ok" and again.items_new == 0
    [req] = replay_server.requests_for(SEARCH_PATH)
    assert "numericFilters=created_at_i%3E1486212445" in req.path
    assert len(stored(db_url)) == 6


def test_e2e_500_then_success(tmp_path, db_url, replay_server):
    replay_server.route(SEARCH_PATH, Reply(status=500, body=b"oops"), Reply(body=recorded()))
    src = {"name": "hn", "kind": "hackernews", "query": "ssh", "base_url": replay_server.base_url}
    result = run_crawl(make_config(tmp_path, db_url, [src]), "hn")
    assert result.status == "ok" and result.items_new == 4
    assert replay_server.hits(SEARCH_PATH) == 2


def test_e2e_invalid_json_is_a_clear_failure(tmp_path, db_url, replay_server):
    replay_server.route(SEARCH_PATH, Reply(body=b"<html><body>Algolia is down</body></html>", content_type="text/html"))
    src = {"name": "hn", "kind": "hackernews", "query": "crm", "base_url": replay_server.base_url}
    result = run_crawl(make_config(tmp_path, db_url, [src]), "hn")
    assert result.status == "failed"
    assert "invalid JSON" in result.errors[0]["reason"] and "is base_url an API endpoint?" in result.errors[0]["reason"]
    assert not result.cursor_saved
