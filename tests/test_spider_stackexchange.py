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
