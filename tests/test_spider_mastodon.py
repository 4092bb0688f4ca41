"""MastodonSpider: recorded statuses (bigbone's assets) fed straight to the callback as tag
timeline pages; since_id cursor, Link paging, reblogs, duplicates, polls and error bodies."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlparse

from apikit import check_contracts, fixture, items, requests, response, run, start_requests
from radar.spiders.mastodon import MastodonSpider, id_key

BASE = "http://127.0.0.1:9"
UTC = dt.timezone.utc
TAG_PATH = "/api/v1/timelines/tag/followerpower"


def spider(cursor: dict | None = None, **settings) -> MastodonSpider:
    settings.setdefault("base_url", BASE)
    settings.setdefault("tag", "followerpower")
    return MastodonSpider(source={"name": "masto", "kind": "mastodon", "settings": settings, "cursor": cursor or {}})


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def card() -> dict:
    return json.loads(fixture("mastodon/status_with_previewcard.json"))


def timeline() -> list[dict]:
    """Newest first: the fosstodon status, the mstdn.jp poll status, the mstdn.jp test status."""
    poll = json.loads(fixture("mastodon/status_with_poll.json"))
    poll["id"] = "11112"
    poll["uri"] = "tag:mstdn.jp,2017-04-14:objectId=172430:objectType=Status"
    poll["url"] = "https://mstdn.jp/@test/11112"  # the two placeholder assets share one url
    return [card(), poll, json.loads(fixture("mastodon/statuses.json"))[0]]


def page(s: MastodonSpider, body, status: int = 200, headers: dict | None = None, url: str = BASE + TAG_PATH) -> list:
    return run(s.parse_page(response(url, body, status=status, headers=headers)))


def test_start_url_and_cursor():
    [req] = start_requests(spider(tag="#Followerpower", cursor={"since_id": "111337272989523541"}))
    assert urlparse(req.url).path == "/api/v1/timelines/tag/Followerpower"
    assert query(req.url) == {"limit": "40", "since_id": "111337272989523541"}
    [req] = start_requests(MastodonSpider(source={"name": "m", "kind": "mastodon", "settings": {"tag": "fragen"}}))
    assert req.url == "https://mastodon.social/api/v1/timelines/tag/fragen?limit=40"


def test_statuses_become_items():
    s = spider()
    found = items(page(s, timeline()))
    assert [i.external_id for i in found] == ["111337272989523541", "11112", "11111"]
    first = found[0]
    assert first.url == "https://fosstodon.org/@jaxwxboss/111337272989523541"
    assert first.author == "jaxwxboss"
    assert first.language == "en"
    assert first.published_at == dt.datetime(2023, 11, 1, 20, 52, 43, 341000, tzinfo=UTC)
    assert first.body.startswith("<p>Just a hot take.</p><p>No matter how &#39;advanced&#39; governments")
    assert first.title == ""
    assert found[2].language is None  # the 2017 schema has no language
    assert found[1].body == "Test Status<ul><li>accept</li><li>deny</li></ul>"
    assert s.new_cursor == {"since_id": "111337272989523541"}  # short page, no Link: the walk ends


def test_content_warning_is_the_title():
    status = dict(card(), spoiler_text="Frage zu Buchhaltung &amp; Steuern")
    [item] = items(page(spider(), [status]))
    assert item.title == "Frage zu Buchhaltung & Steuern"


def test_reblogs_duplicates_and_private_statuses_are_skipped():
    original = card()
    reblog = dict(json.loads(fixture("mastodon/statuses.json"))[0], id="111337272989523600", reblog=original, content="")
    duplicate = dict(original, id="111337272989523599")  # same uri reached twice
    private = dict(original, id="111337272989523598", uri="x:private", visibility="private")
    found = items(page(spider(), [reblog, duplicate, original, private]))
    assert [i.external_id for i in found] == ["111337272989523599"]


def test_link_header_paging_until_the_cursor():
    s = spider(cursor={"since_id": "10000"})
    link = ('<https://mastodon.social/api/v1/timelines/tag/followerpower?max_id=11111>; rel="next", '
            '<https://mastodon.social/api/v1/timelines/tag/followerpower?min_id=111337272989523541>; rel="prev"')
    out = page(s, timeline(), headers={"Link": link})
    [nxt] = requests(out)
    assert nxt.url.startswith(BASE + TAG_PATH)
    assert query(nxt.url) == {"limit": "40", "since_id": "10000", "max_id": "11111"}
    assert s.new_cursor == {"since_id": "10000"}  # walk not finished
    out = page(s, [], url=nxt.url)
    assert out == []
    assert s.new_cursor == {"since_id": "111337272989523541"}


def test_a_repeated_page_ends_the_walk():
    s = spider()
    headers = {"Link": f'<{BASE}{TAG_PATH}?max_id=11111>; rel="next"'}
    assert len(requests(page(s, timeline(), headers=headers))) == 1
    assert page(s, timeline(), headers=headers) == []
    assert s.new_cursor == {"since_id": "111337272989523541"}


def test_cursor_filters_when_the_server_ignores_since_id():
    s = spider(cursor={"since_id": "11112"})
    out = page(s, timeline(), headers={"Link": f'<{BASE}{TAG_PATH}?max_id=11111>; rel="next"'})
    assert [i.external_id for i in items(out)] == ["111337272989523541"]
    assert requests(out) == []  # the mark was met
    assert s.new_cursor == {"since_id": "111337272989523541"}


def test_ids_compare_as_numbers():
    assert id_key("99") < id_key("100") < id_key("111337272989523541")


def test_error_bodies_are_recorded():
    s = spider()
    assert page(s, fixture("mastodon/error_404.json"), status=404) == []
    assert s.errors[0]["reason"].endswith("Record not found (check 'base_url' and 'tag')") and s.errors[0]["fatal"]
    s = spider()
    page(s, fixture("mastodon/error_401_unauthorized.json"), status=401)
    assert "The access token is invalid" in s.errors[0]["reason"] and "wants a login" in s.errors[0]["reason"]


def test_rate_limit_low_stops_and_keeps_the_cursor():
    s = spider(cursor={"since_id": "5"})
    headers = {"Link": f'<{BASE}{TAG_PATH}?max_id=11111>; rel="next"', "X-RateLimit-Remaining": "2",
               "X-RateLimit-Reset": "2025-11-24T15:00:00.000Z"}
    out = page(s, timeline(), headers=headers)
    assert len(items(out)) == 3 and requests(out) == []
    assert "rate limit" in s.warnings[0]["reason"]
    assert s.new_cursor == {"since_id": "5"}


def test_contracts_hold_on_recorded_response():
    check_contracts(spider(), "parse_page", response(BASE + TAG_PATH, timeline()))


# --------------------------------------------------------------------------- end to end
from urllib.parse import urlsplit  # noqa: E402

from sqlalchemy import select  # noqa: E402

from crawlkit import make_config  # noqa: E402
from httpserver import Reply  # noqa: E402
from radar.crawl import run_crawl  # noqa: E402
from radar.db import get_sessionmaker  # noqa: E402
from radar.models import Mention, Source  # noqa: E402


def test_e2e_link_paging_then_nothing_new(tmp_path, db_url, replay_server):
    statuses = timeline()
    page1, page2 = statuses[:2], statuses[2:]
    next_path = urlsplit(spider(base_url=replay_server.base_url).page_url("11112"))
    next_path = f"{next_path.path}?{next_path.query}"
    link = f'<https://mastodon.example{TAG_PATH}?max_id=11112>; rel="next", <https://mastodon.example{TAG_PATH}?min_id=111337272989523541>; rel="prev"'
    replay_server.route(TAG_PATH, Reply(body=page1, headers={"Link": link})).route(next_path, Reply(body=page2))
    src = {"name": "masto", "kind": "mastodon", "base_url": replay_server.base_url, "tag": "followerpower"}
    cfg = make_config(tmp_path, db_url, [src])

    result = run_crawl(cfg, "masto")
    assert result.status == "ok", result.errors
    assert result.items_new == 3
    with get_sessionmaker(db_url)() as s:
        rows = {m.external_id: m for m in s.scalars(select(Mention))}
        assert s.scalar(select(Source.cursor).where(Source.name == "masto")) == {"since_id": "111337272989523541"}
    toot = rows["111337272989523541"]
    assert toot.url == "https://fosstodon.org/@jaxwxboss/111337272989523541"
    assert toot.author == "jaxwxboss" and toot.language == "en"
    assert toot.body.startswith("Just a hot take.\n\nNo matter how 'advanced' governments")
    assert toot.published_at == dt.datetime(2023, 11, 1, 20, 52, 43, 341000, tzinfo=UTC)

    replay_server.clear_log()
    again = run_crawl(cfg, "masto")
    assert again.status == "ok" and again.items_new == 0
    [req] = [r for r in replay_server.requests if r.path != "/robots.txt"]
    assert "since_id=111337272989523541" in req.path


def test_e2e_login_required_is_a_recorded_failure(tmp_path, db_url, replay_server):
    replay_server.route(TAG_PATH, Reply(status=401, body=fixture("mastodon/error_401_unauthorized.json"), content_type="application/json"))
    src = {"name": "masto", "kind": "mastodon", "base_url": replay_server.base_url, "tag": "followerpower"}
    result = run_crawl(make_config(tmp_path, db_url, [src]), "masto")
    assert result.status == "failed"
    assert "HTTP 401" in result.errors[0]["reason"] and "The access token is invalid" in result.errors[0]["reason"]
