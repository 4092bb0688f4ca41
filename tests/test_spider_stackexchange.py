"""StackExchangeSpider: the recorded /questions response (read from ../shared/data, it may not
be copied) fed straight to the callback; request building, cursor, has_more paging, quota,
backoff, gzip and error bodies."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from urllib.parse import parse_qs, urlparse

from apikit import check_contracts, items, requests, response, run, shared, start_requests
from radar.spiders.stackexchange import StackExchangeSpider

BASE = "http://127.0.0.1:9"
UTC = dt.timezone.utc
QUESTIONS = "stackexchange_json/stackoverflow_questions_sort_votes__extracted_from_OrderQuestions.json"


def spider(cursor: dict | None = None, **settings) -> StackExchangeSpider:
    settings.setdefault("base_url", BASE)
    settings.setdefault("site", "stackoverflow")
    return StackExchangeSpider(source={"name": "se", "kind": "stackexchange", "settings": settings, "cursor": cursor or {}})


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def recorded(**changes) -> dict:
    data = json.loads(shared(QUESTIONS))
    data.update(changes)
    return data


def page(s: StackExchangeSpider, body, n: int = 1, status: int = 200, headers: dict | None = None) -> list:
    return run(s.parse_page(response(f"{BASE}/2.3/questions?page={n}", body, status=status, headers=headers), page=n))


def test_start_asks_for_questions_with_bodies():
    [req] = start_requests(spider(site="softwarerecs", tags="windows; backup", key="K3y((", cursor={"creation_date": 1700000000}))
    assert urlparse(req.url).path == "/2.3/questions"
    assert query(req.url) == {
        "site": "softwarerecs", "tagged": "windows;backup", "sort": "creation", "order": "desc", "filter": "withbody",
        "pagesize": "100", "page": "1", "fromdate": "1700000000", "key": "K3y((",
    }
    [req] = start_requests(StackExchangeSpider(source={"name": "se", "kind": "stackexchange", "settings": {"site": "softwarerecs"}}))
    assert req.url.startswith("https://api.stackexchange.com/2.3/questions?site=softwarerecs&sort=creation")
    assert "key=" not in req.url and "tagged=" not in req.url and "fromdate=" not in req.url


def test_recorded_questions_become_items_with_decoded_titles():
    s = spider()
    out = page(s, recorded(has_more=False))
    found = items(out)
    assert len(found) == 10
    first = found[0]
    assert first.external_id == "11227809"
    assert first.title == "Why is it faster to process a sorted array than an unsorted array?"
    assert first.url == "https://stackoverflow.com/questions/11227809/why-is-it-faster-to-process-a-sorted-array-than-an-unsorted-array"
    assert first.author == "GManNickG"
    assert first.published_at == dt.datetime.fromtimestamp(1340805096, UTC)
    assert first.extra["tags"] == ["java", "c++", "performance", "optimization", "branch-prediction"]
    titles = {i.title for i in found}
    assert "What is the difference between 'git pull' and 'git fetch'?" in titles
    assert 'What is the "-->" operator in C++?' in titles
    assert requests(out) == []
    newest = max(i.published_at for i in found)
    assert s.new_cursor["creation_date"] == int(newest.timestamp())


def test_body_from_the_withbody_filter_is_kept_as_html():
    data = recorded(has_more=False)
    data["items"] = [dict(data["items"][0], body="<p>I&#39;m looking for a backup tool for 20 PCs.</p>")]
    [item] = items(page(spider(), data))
    assert item.body == "<p>I&#39;m looking for a backup tool for 20 PCs.</p>" and item.body_format == "html"


def test_has_more_pages_until_the_cursor():
    s = spider()
    out = page(s, recorded())  # has_more: true
    [nxt] = requests(out)
    assert query(nxt.url)["page"] == "2" and nxt.cb_kwargs == {"page": 2}
    assert s.new_cursor == {}


def test_cursor_skips_questions_seen_at_the_mark_second():
    data = recorded(has_more=True)
    mark = max(q["creation_date"] for q in data["items"])
    newest_id = [q["question_id"] for q in data["items"] if q["creation_date"] == mark][0]
    s = spider(cursor={"creation_date": mark, "ids_at_mark": [str(newest_id)]})
    out = page(s, data)
    assert items(out) == [] and requests(out) == []  # nothing fresh: the walk ends
    assert s.new_cursor == {"creation_date": mark, "ids_at_mark": [str(newest_id)]}
    # a new question in the very same second is not lost
    data["items"].append(dict(data["items"][0], question_id=99, creation_date=mark))
    data["has_more"] = False
    s = spider(cursor={"creation_date": mark, "ids_at_mark": [str(newest_id)]})
    assert [i.external_id for i in items(page(s, data))] == ["99"]
    assert s.new_cursor == {"creation_date": mark, "ids_at_mark": sorted([str(newest_id), "99"])}


def test_low_quota_stops_and_keeps_the_cursor():
    s = spider(cursor={"creation_date": 1})
    out = page(s, recorded(quota_remaining=3))
    assert len(items(out)) == 10 and requests(out) == []
    assert "quota" in s.warnings[0]["reason"] and "add 'key'" in s.warnings[0]["reason"]
    assert s.new_cursor == {"creation_date": 1}


def test_long_backoff_stops_and_keeps_the_cursor():
    s = spider(cursor={"creation_date": 1})
    out = page(s, recorded(backoff=600))
    assert requests(out) == []
    assert "back off 600" in s.warnings[0]["reason"]
    assert s.new_cursor == {"creation_date": 1}


def test_error_body_is_a_clear_recorded_error():
    s = spider(site="nosuchsite", cursor={"creation_date": 5})
    body = {"error_id": 400, "error_message": "No site found for name `nosuchsite`", "error_name": "bad_parameter"}
    assert page(s, body, status=400) == []
    [error] = s.errors
    assert error["reason"] == ("Stack Exchange API error 400 bad_parameter: No site found for name `nosuchsite` "
                               "(check 'site' and 'tags' of this source)")
    assert error["fatal"]
    assert s.new_cursor == {"creation_date": 5}


def test_throttle_violation_is_recorded():
    s = spider()
    body = {"error_id": 502, "error_message": "too many requests from this IP, more requests available in 82855 seconds",
            "error_name": "throttle_violation"}
    page(s, body, status=400)
    assert "82855 seconds" in s.errors[0]["reason"] and "throttle_violation" in s.errors[0]["reason"]


def test_gzip_body_without_header_is_decoded():
    s = spider()
    raw = gzip.compress(json.dumps(recorded(has_more=False)).encode())
    assert len(items(page(s, raw))) == 10


def test_missing_site_is_fatal():
    s = StackExchangeSpider(source={"name": "se", "kind": "stackexchange", "settings": {}})
    assert start_requests(s) == []
    assert "needs 'site'" in s.errors[0]["reason"] and s.errors[0]["fatal"]


def test_contracts_hold_on_recorded_response():
    check_contracts(spider(), "parse_page", response(f"{BASE}/2.3/questions", recorded()), page=1)


# --------------------------------------------------------------------------- end to end
from urllib.parse import urlsplit  # noqa: E402

from sqlalchemy import select  # noqa: E402

from crawlkit import make_config  # noqa: E402
from httpserver import Reply  # noqa: E402
from radar.crawl import run_crawl  # noqa: E402
from radar.db import get_sessionmaker  # noqa: E402
from radar.models import Mention, Source  # noqa: E402

QPATH = "/2.3/questions"


def stored(db_url: str) -> dict[str, Mention]:
    with get_sessionmaker(db_url)() as s:
        return {m.external_id: m for m in s.scalars(select(Mention))}


def cursor_of(db_url: str, name: str) -> dict:
    with get_sessionmaker(db_url)() as s:
        return s.scalar(select(Source.cursor).where(Source.name == name))


def split_pages(**first_changes) -> tuple[dict, dict]:
    data = recorded()
    first = dict(data, items=data["items"][:6], has_more=True, **first_changes)
    second = dict(data, items=data["items"][6:], has_more=False, quota_remaining=297)
    return first, second


def se_source(server, **extra) -> dict:
    return {"name": "so", "kind": "stackexchange", "site": "stackoverflow", "base_url": server.base_url, "language": "en", **extra}


def page2_path(server, **settings) -> str:
    parts = urlsplit(spider(base_url=server.base_url, **settings).page_url(2))
    return f"{parts.path}?{parts.query}"


def test_e2e_gzip_paging_backoff_then_nothing_new(tmp_path, db_url, replay_server):
    first, second = split_pages(backoff=1)
    replay_server.route(QPATH, Reply(body=first, gzip=True)).route(page2_path(replay_server), Reply(body=second, gzip=True))
    cfg = make_config(tmp_path, db_url, [se_source(replay_server)])

    result = run_crawl(cfg, "so")
    assert result.status == "ok", result.errors
    assert result.items_new == 10
    p1, p2 = replay_server.requests_for(QPATH)
    assert "gzip" in p1.headers["accept-encoding"]
    assert p2.at - p1.at >= 0.95  # backoff: 1 was honoured before the next call
    rows = stored(db_url)
    q = rows["231767"]
    assert q.title == 'What does the "yield" keyword do?'
    assert q.url == "https://stackoverflow.com/questions/231767/what-does-the-yield-keyword-do"
    assert q.author and q.published_at.tzinfo is not None
    newest = max(q["creation_date"] for q in first["items"] + second["items"])
    assert cursor_of(db_url, "so")["creation_date"] == newest

    replay_server.clear_log()
    again = run_crawl(cfg, "so")
    assert again.status == "ok" and again.items_new == 0
    [req] = replay_server.requests_for(QPATH)
    assert f"fromdate={newest}" in req.path


def test_e2e_low_quota_stops_early(tmp_path, db_url, replay_server):
    first, second = split_pages(quota_remaining=2)
    replay_server.route(QPATH, Reply(body=first)).route(page2_path(replay_server), Reply(body=second))
    result = run_crawl(make_config(tmp_path, db_url, [se_source(replay_server)]), "so")
    assert result.status == "ok" and result.items_new == 6
    assert replay_server.hits(QPATH) == 1
    assert "quota nearly used up (2 of 300" in result.warnings[0]["reason"]
    assert cursor_of(db_url, "so") == {}


def test_e2e_error_body_is_recorded(tmp_path, db_url, replay_server):
    body = {"error_id": 400, "error_message": "No site found for name `stackoverfloww`", "error_name": "bad_parameter"}
    replay_server.route(QPATH, Reply(status=400, body=body, gzip=True))
    result = run_crawl(make_config(tmp_path, db_url, [se_source(replay_server, site="stackoverfloww")]), "so")
    assert result.status == "failed"
    assert result.errors[0]["reason"].startswith("Stack Exchange API error 400 bad_parameter: No site found for name `stackoverfloww`")
    assert stored(db_url) == {}
