"""RedditSpider: parsing of recorded Reddit responses (PRAW cassettes, shazow/communal) fed
straight to the callbacks, request building, OAuth, rate limits and error bodies."""

from __future__ import annotations

import base64
import datetime as dt
import json
from urllib.parse import parse_qs, urlparse

import pytest

from apikit import check_contracts, fixture, items, requests, response, run, shared, start_requests
from radar.spiders.reddit import RedditSpider

BASE = "http://127.0.0.1:9"
UTC = dt.timezone.utc


def spider(cursor: dict | None = None, **settings) -> RedditSpider:
    settings.setdefault("base_url", BASE)
    return RedditSpider(source={"name": "r-test", "kind": "reddit", "settings": settings, "cursor": cursor or {}})


def hot_listing() -> bytes:
    return shared("reddit_json/bodies/TestSubredditListings.test_hot__01_GET_200.json")


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def test_start_builds_new_listing_url():
    [req] = start_requests(spider(subreddit="r/smallbusiness"))
    assert urlparse(req.url).path == "/r/smallbusiness/new.json"
    assert query(req.url) == {"limit": "100", "raw_json": "1"}
    assert req.url.startswith(BASE)


def test_search_is_restricted_to_the_subreddit_when_one_is_given():
    [req] = start_requests(spider(subreddit="sysadmin", query="recommend backup"))
    assert urlparse(req.url).path == "/r/sysadmin/search.json"
    q = query(req.url)
    assert q["q"] == "recommend backup" and q["restrict_sr"] == "1" and q["sort"] == "new"
    [req] = start_requests(spider(query="buchhaltung software"))
    assert urlparse(req.url).path == "/search.json"
    assert "restrict_sr" not in query(req.url)


def test_default_base_is_the_public_site():
    s = RedditSpider(source={"name": "x", "kind": "reddit", "settings": {"subreddit": "de_EDV"}})
    [req] = start_requests(s)
    assert req.url.startswith("https://www.reddit.com/r/de_EDV/new.json?")


def test_listing_page_yields_posts_and_the_next_page():
    s = spider(subreddit="askreddit")
    url = f"{BASE}/r/askreddit/new.json?limit=100&raw_json=1"
    out = run(s.parse_listing(response(url, hot_listing())))
    found = items(out)
    assert len(found) == 102
    first = found[0]
    assert first.external_id == "t3_46c00m"
    assert first.title == "THE ASKREDDIT MOBILE DESIGN EXTRAVAGANZA CONTEST!"
    assert first.url == "https://www.reddit.com/r/AskReddit/comments/46c00m/the_askreddit_mobile_design_extravaganza_contest/"
    assert first.author == "orangejulius"
    assert first.published_at == dt.datetime(2016, 2, 18, 0, 30, 45, tzinfo=UTC)
    assert first.body_format == "html"
    assert "<p>Hi everybody! (Hi Doctor Nick!)</p>" in first.body
    assert first.extra["kind"] == "post" and first.extra["subreddit"] == "AskReddit"
    assert all(i.published_at.tzinfo is not None for i in found)
    [nxt] = requests(out)
    assert query(nxt.url)["after"] == "t3_48dlnt"
    assert nxt.url.startswith(f"{BASE}/r/askreddit/new.json")
    # the walk goes on, so the cursor has not moved yet
    assert s.new_cursor == {}


def test_walk_that_runs_out_of_pages_sets_the_cursor():
    s = spider(subreddit="askreddit")
    data = json.loads(hot_listing())
    data["data"]["after"] = None
    run(s.parse_listing(response(f"{BASE}/r/askreddit/new.json", data)))
    newest = max(c["data"]["created_utc"] for c in data["data"]["children"])
    newest_name = [c["data"]["name"] for c in data["data"]["children"] if c["data"]["created_utc"] == newest][0]
    assert s.new_cursor == {"created_utc": newest, "fullname": newest_name}


def test_a_server_that_repeats_page_one_ends_the_walk():
    s = spider(subreddit="askreddit")
    data = json.loads(hot_listing())
    url = f"{BASE}/r/askreddit/new.json"
    first = run(s.parse_listing(response(url, data)))
    assert len(requests(first)) == 1
    again = run(s.parse_listing(response(url + "?after=t3_48dlnt", data)))
    assert again == []  # nothing new on the "next" page: stop instead of looping
    assert s.new_cursor["created_utc"] == max(c["data"]["created_utc"] for c in data["data"]["children"])


def test_cursor_stops_the_walk_and_keeps_only_newer_posts():
    data = json.loads(hot_listing())
    times = sorted(c["data"]["created_utc"] for c in data["data"]["children"])
    mark = times[-4]  # three posts are newer
    s = spider(subreddit="askreddit", cursor={"created_utc": mark, "fullname": "t3_old"})
    out = run(s.parse_listing(response(f"{BASE}/r/askreddit/new.json", data)))
    assert sorted(i.published_at.timestamp() for i in items(out)) == times[-3:]
    assert requests(out) == []  # an older, non-sticky post was met: no next page
    assert s.new_cursor["created_utc"] == times[-1]


def test_second_pass_over_the_same_page_yields_nothing():
    data = json.loads(hot_listing())
    first = spider(subreddit="askreddit")
    data["data"]["after"] = None
    run(first.parse_listing(response(f"{BASE}/r/askreddit/new.json", data)))
    second = spider(subreddit="askreddit", cursor=first.new_cursor)
    assert items(run(second.parse_listing(response(f"{BASE}/r/askreddit/new.json", data)))) == []
    assert second.new_cursor == first.new_cursor


def test_link_posts_from_search_keep_the_link():
    s = spider(query="url:https://medium.com/@shazow/ssh-how-does-it-even-9e43586e4ffc")
    body = fixture("reddit/reddit_search.json_q_url__extracted_from_shazow_communal.json")
    found = items(run(s.parse_listing(response(f"{BASE}/search.json?q=x", body))))
    assert len(found) == 4
    post = found[0]
    assert post.external_id == "t3_2r539r"
    assert post.title == "Why aren\u2019t we using SSH for everything?"
    assert post.url == "https://www.reddit.com/r/linux/comments/2r539r/why_arent_we_using_ssh_for_everything/"
    assert post.extra["link_url"] == "https://medium.com/@shazow/ssh-how-does-it-even-9e43586e4ffc"
    assert post.author == "MisterSnuggles"
    assert post.published_at == dt.datetime.fromtimestamp(1420235821, UTC)


def test_comments_requested_for_new_posts_when_enabled():
    s = spider(subreddit="redditdev", comments=True)
    listing = json.loads(fixture("reddit/TestSubmission.test_comments__01_GET_200.json"))[0]
    out = run(s.parse_listing(response(f"{BASE}/r/redditdev/new.json", listing)))
    [post] = items(out)
    [req] = requests(out)
    assert urlparse(req.url).path == "/comments/2gmzqe.json"
    assert req.cb_kwargs["post"]["id"] == "2gmzqe"
    assert post.body.startswith("<!-- SC_OFF --><div class=\"md\"><p>PRAW client developers,</p>")


def test_comment_tree_is_flattened_with_urls_and_titles():
    s = spider(subreddit="redditdev", comments=True)
    tree = json.loads(fixture("reddit/TestSubmission.test_comments__01_GET_200.json"))
    post = tree[0]["data"]["children"][0]["data"]
    found = items(run(s.parse_comments(response(f"{BASE}/comments/2gmzqe.json", tree), post=post)))
    assert [c.external_id for c in found] == ["t1_cklfmye", "t1_cklhv0f"]
    reply = found[1]
    assert reply.title == "Re: [PRAW] HTTPS enabled PRAW testing needed"
    assert reply.url == "https://www.reddit.com/r/redditdev/comments/2gmzqe/praw_https_enabled_praw_testing_needed/cklhv0f/"
    assert reply.author == "bboe"
    assert "haven&#39;t made a release" in reply.body
    assert reply.extra == {"kind": "comment", "subreddit": "redditdev", "score": 1, "parent_id": "t1_cklfmye", "link_id": "t3_2gmzqe"}
    assert reply.published_at == dt.datetime.fromtimestamp(1411010034, UTC)


def test_comment_listing_items_link_to_the_comment():
    s = spider(subreddit="askreddit")
    body = shared("reddit_json/bodies/TestSubredditListings.test_comments__01_GET_200.json")
    found = items(run(s.parse_listing(response(f"{BASE}/r/askreddit/comments.json", body))))
    assert len(found) == 100
    first = found[0]
    assert first.external_id == "t1_d4y8bdp"
    assert first.url == "https://www.reddit.com/r/AskReddit/comments/4r4inc/serious_to_anyone_who_followed_their_dreams_how/d4y8bdp/"
    assert first.title == 'Re: [Serious] To anyone who "followed their dreams", how has it panned out?'
    assert first.author == "preppypuppy" and first.extra["kind"] == "comment"
    assert all(i.url.startswith("https://www.reddit.com/r/") for i in found)


def test_deleted_content_is_skipped():
    s = spider(subreddit="test")
    deleted = fixture("reddit/TestComment.test_refresh__deleted_comment__01_GET_200.json")
    assert items(run(s.parse_listing(response(f"{BASE}/r/test/new.json", deleted)))) == []
    tree = json.loads(fixture("reddit/TestComment.test_refresh__deleted_comment__02_GET_200.json"))
    tree[1]["data"]["children"] = json.loads(deleted)["data"]["children"]
    post = tree[0]["data"]["children"][0]["data"]
    assert items(run(s.parse_comments(response(f"{BASE}/comments/52o2fl.json", tree), post=post))) == []
    removed = dict(post, selftext="[removed]", name="t3_gone")
    assert s.post_item(removed) is None
    assert s.post_item(dict(post, removed_by_category="moderator")) is None


def test_empty_listing_ends_the_walk_without_moving_the_cursor():
    s = spider(subreddit="test", cursor={"created_utc": 5.0, "fullname": "t3_a"})
    out = run(s.parse_listing(response(f"{BASE}/r/test/new.json", fixture("reddit/TestListingGenerator.test_no_items__01_GET_200.json"))))
    assert out == []
    assert s.new_cursor == {"created_utc": 5.0, "fullname": "t3_a"}
    assert s.errors == []


def test_404_body_is_a_clear_error_and_keeps_the_cursor():
    s = spider(subreddit="nosuchsub", cursor={"created_utc": 5.0})
    body = fixture("reddit/TestSubreddit.test_sticky__not_set__01_GET_404.json")
    out = run(s.parse_listing(response(f"{BASE}/r/nosuchsub/new.json", body, status=404)))
    assert out == []
    assert len(s.errors) == 1 and s.errors[0]["fatal"]
    assert "HTTP 404" in s.errors[0]["reason"] and "Not Found" in s.errors[0]["reason"] and "check 'subreddit'" in s.errors[0]["reason"]
    assert s.new_cursor == {"created_utc": 5.0}


def test_redirect_to_subreddit_search_means_unknown_subreddit():
    s = spider(subreddit="doesnotexist")
    out = run(s.parse_listing(response(f"{BASE}/subreddits/search.json?q=doesnotexist", {"kind": "Listing", "data": {"children": []}})))
    assert out == []
    assert "r/doesnotexist does not exist" in s.errors[0]["reason"]


def test_invalid_json_is_recorded():
    s = spider(subreddit="test")
    out = run(s.parse_listing(response(f"{BASE}/r/test/new.json", b"<html>Our CDN is having a moment</html>")))
    assert out == []
    assert "invalid JSON" in s.errors[0]["reason"] and "<html>" in s.errors[0]["reason"]


def test_rate_limit_exhausted_stops_and_keeps_cursor():
    data = json.loads(hot_listing())
    s = spider(subreddit="askreddit", cursor={"created_utc": 1.0})
    headers = {"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Used": "600", "X-Ratelimit-Reset": "412"}
    out = run(s.parse_listing(response(f"{BASE}/r/askreddit/new.json", data, headers=headers)))
    assert len(items(out)) == 102  # what was fetched is kept
    assert requests(out) == []  # but no next page this run
    assert s.errors == []
    assert "rate limit" in s.warnings[0]["reason"] and "412" in s.warnings[0]["reason"]
    assert s.new_cursor == {"created_utc": 1.0}


def test_rate_limit_low_spreads_the_remaining_requests():
    s = spider(subreddit="x")
    def wait(remaining, reset):
        return s._rate_wait(response(f"{BASE}/r/x/new.json", b"{}", headers={"X-Ratelimit-Remaining": remaining, "X-Ratelimit-Reset": reset}))
    assert wait("598.0", "400") == 0.0
    assert wait("4.0", "20") == pytest.approx(5.0)
    assert wait("0", "7") == pytest.approx(7.0)
    assert wait("0", "900") is None


def test_oauth_gets_a_token_then_uses_the_bearer():
    s = spider(subreddit="sysadmin", client_id="abc", client_secret="s3cr3t")
    [token_req] = start_requests(s)
    assert token_req.url == f"{BASE}/api/v1/access_token"
    assert token_req.method == "POST" and token_req.body == b"grant_type=client_credentials"
    assert token_req.headers["Authorization"] == b"Basic " + base64.b64encode(b"abc:s3cr3t")
    token = {"access_token": "<ACCESS_TOKEN>", "token_type": "bearer", "expires_in": 3600, "scope": "*"}
    [listing] = run(s.parse_token(response(token_req.url, token)))
    assert listing.headers["Authorization"] == b"bearer <ACCESS_TOKEN>"
    assert listing.url.startswith(f"{BASE}/r/sysadmin/new.json")


def test_oauth_on_real_reddit_switches_to_the_oauth_host():
    s = RedditSpider(source={"name": "x", "kind": "reddit", "settings": {"subreddit": "sysadmin", "client_id": "a", "client_secret": "b"}})
    [token_req] = start_requests(s)
    assert token_req.url == "https://www.reddit.com/api/v1/access_token"
    [listing] = run(s.parse_token(response(token_req.url, {"access_token": "T"})))
    assert listing.url.startswith("https://oauth.reddit.com/r/sysadmin/new.json?")


def test_oauth_refused_is_a_clear_error():
    s = spider(subreddit="sysadmin", client_id="abc", client_secret="wrong")
    out = run(s.parse_token(response(f"{BASE}/api/v1/access_token", {"message": "Unauthorized", "error": 401}, status=401)))
    assert out == []
    assert "client_id and client_secret" in s.errors[0]["reason"]


def test_contracts_hold_on_recorded_responses():
    s = spider(subreddit="redditdev")
    tree = json.loads(fixture("reddit/TestSubmission.test_comments__01_GET_200.json"))
    check_contracts(s, "parse_listing", response(f"{BASE}/r/redditdev/new.json", tree[0]))
    post = tree[0]["data"]["children"][0]["data"]
    check_contracts(spider(subreddit="redditdev"), "parse_comments", response(f"{BASE}/comments/2gmzqe.json", tree), post=post)


# --------------------------------------------------------------------------- end to end
# The real spider through run_crawl (Scrapy downloader, middlewares, pipelines, database)
# against the replay server on 127.0.0.1.

from sqlalchemy import select  # noqa: E402

from crawlkit import make_config  # noqa: E402
from httpserver import Reply  # noqa: E402
from radar.crawl import run_crawl  # noqa: E402
from radar.db import get_sessionmaker  # noqa: E402
from radar.models import CrawlRun, Mention, Source  # noqa: E402

NEW = "/r/askreddit/new.json"


def two_pages() -> tuple[dict, dict, str]:
    data = json.loads(hot_listing())
    children = data["data"]["children"]
    first = {"kind": "Listing", "data": {"modhash": "", "children": children[:60], "after": children[59]["data"]["name"], "before": None}}
    second = {"kind": "Listing", "data": {"modhash": "", "children": children[60:], "after": None, "before": None}}
    return first, second, f"{NEW}?limit=100&raw_json=1&after={children[59]['data']['name']}"


def mentions(db_url: str) -> list[Mention]:
    with get_sessionmaker(db_url)() as s:
        return list(s.scalars(select(Mention).order_by(Mention.id)))


def source_row(db_url: str, name: str) -> Source:
    with get_sessionmaker(db_url)() as s:
        return s.scalar(select(Source).where(Source.name == name))


def runs(db_url: str) -> list[CrawlRun]:
    with get_sessionmaker(db_url)() as s:
        return list(s.scalars(select(CrawlRun).order_by(CrawlRun.id)))


def reddit_cfg(tmp_path, db_url, server, **extra):
    src = {"name": "r-ask", "kind": "reddit", "subreddit": "askreddit", "base_url": server.base_url, "language": "en", **extra}
    return make_config(tmp_path, db_url, [src])


def test_e2e_paging_then_second_crawl_stores_nothing(tmp_path, db_url, replay_server):
    first, second, page2 = two_pages()
    replay_server.route(NEW, Reply(body=first)).route(page2, Reply(body=second))
    cfg = reddit_cfg(tmp_path, db_url, replay_server)

    result = run_crawl(cfg, "r-ask")
    assert result.status == "ok", result.errors
    assert replay_server.hits(NEW) == 2
    stored = mentions(db_url)
    assert result.items_new == len(stored) and result.items_new + result.items_duplicate == 102
    assert len(stored) >= 95  # a few near-identical megathread posts may be duplicates by content
    by_id = {m.external_id: m for m in stored}
    post = by_id["t3_488k4a"]
    assert post.title == "The Leonardo DaVinci wins the Golden Globe Megathread! What do we do now?"
    assert post.url == "https://www.reddit.com/r/AskReddit/comments/488k4a/the_leonardo_davinci_wins_the_golden_globe/"
    assert post.author == "roastedbagel"
    assert post.published_at == dt.datetime.fromtimestamp(1456722961, UTC)
    assert post.body.startswith("Please use this thread to discuss all things Leo + Oscar related.")
    assert "<p>" not in post.body
    assert post.language == "en"
    cursor = source_row(db_url, "r-ask").cursor
    newest = max(c["data"]["created_utc"] for c in first["data"]["children"] + second["data"]["children"])
    assert cursor["created_utc"] == newest

    replay_server.clear_log()
    again = run_crawl(cfg, "r-ask")
    assert again.status == "ok" and again.items_new == 0 and again.items_duplicate == 0
    assert replay_server.hits(NEW) == 1  # the cursor stopped the walk on page one
    assert len(mentions(db_url)) == len(stored)


def test_e2e_rate_limit_exhausted_stops_and_resumes_next_run(tmp_path, db_url, replay_server):
    first, second, page2 = two_pages()
    limited = {"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Used": "600", "X-Ratelimit-Reset": "540"}
    replay_server.route(NEW, Reply(body=first, headers=limited), Reply(body=first)).route(page2, Reply(body=second))
    cfg = reddit_cfg(tmp_path, db_url, replay_server)

    result = run_crawl(cfg, "r-ask")
    assert result.status == "ok"
    assert replay_server.hits(NEW) == 1  # page two was not asked for
    assert "rate limit" in result.warnings[0]["reason"]
    assert source_row(db_url, "r-ask").cursor == {}  # kept: the walk did not reach its end
    first_count = len(mentions(db_url))
    assert first_count == result.items_new > 0

    resumed = run_crawl(cfg, "r-ask")
    assert resumed.status == "ok"
    assert [r.path for r in replay_server.requests_for(NEW)][1:] == [f"{NEW}?limit=100&raw_json=1", page2]
    assert resumed.items_new == len(mentions(db_url)) - first_count > 0
    assert source_row(db_url, "r-ask").cursor["created_utc"] > 0


def test_e2e_rate_limit_low_slows_down(tmp_path, db_url, replay_server):
    first, second, page2 = two_pages()
    replay_server.route(NEW, Reply(body=first, headers={"X-Ratelimit-Remaining": "2", "X-Ratelimit-Reset": "1"}))
    replay_server.route(page2, Reply(body=second))
    result = run_crawl(reddit_cfg(tmp_path, db_url, replay_server), "r-ask")
    assert result.status == "ok"
    [p1, p2] = replay_server.requests_for(NEW)
    assert "after=" in p2.path
    assert p2.at - p1.at >= 0.45  # 2 requests left for 1 s: one every 0.5 s


def test_e2e_comments_and_oauth(tmp_path, db_url, replay_server):
    tree = json.loads(fixture("reddit/TestSubmission.test_comments__01_GET_200.json"))
    token = {"access_token": "<ACCESS_TOKEN>", "token_type": "bearer", "expires_in": 3600, "scope": "*"}
    replay_server.route("/api/v1/access_token", Reply(body=token))
    replay_server.route("/r/redditdev/new.json", Reply(body=tree[0]))
    replay_server.route("/comments/2gmzqe.json", Reply(body=tree))
    src = {"name": "r-dev", "kind": "reddit", "subreddit": "redditdev", "base_url": replay_server.base_url,
           "comments": True, "client_id": "abc", "client_secret": "s3cr3t"}
    result = run_crawl(make_config(tmp_path, db_url, [src]), "r-dev")
    assert result.status == "ok", result.errors
    stored = {m.external_id: m for m in mentions(db_url)}
    assert set(stored) == {"t3_2gmzqe", "t1_cklfmye", "t1_cklhv0f"}
    assert stored["t1_cklhv0f"].body == "Yes it does. That fix is also in the master branch, we just haven't made a release for it (and we probably won't until 3.0)."
    [token_req] = replay_server.requests_for("/api/v1/access_token")
    assert token_req.method == "POST" and token_req.headers["authorization"].startswith("Basic ")
    [listing] = replay_server.requests_for("/r/redditdev/new.json")
    assert listing.headers["authorization"] == "bearer <ACCESS_TOKEN>"


def test_e2e_unknown_subreddit_is_a_recorded_failure(tmp_path, db_url, replay_server):
    replay_server.route("/r/nosuchsub/new.json", Reply(status=404, body=fixture("reddit/TestSubreddit.test_sticky__not_set__01_GET_404.json"),
                                                      content_type="application/json"))
    src = {"name": "r-none", "kind": "reddit", "subreddit": "nosuchsub", "base_url": replay_server.base_url}
    result = run_crawl(make_config(tmp_path, db_url, [src]), "r-none")
    assert result.status == "failed"
    assert "HTTP 404" in result.errors[0]["reason"] and "check 'subreddit'" in result.errors[0]["reason"]
    [run_row] = runs(db_url)
    assert run_row.status == "failed" and "HTTP 404" in run_row.errors[0]["reason"]
    assert source_row(db_url, "r-none").last_error.startswith("Reddit answered HTTP 404")
