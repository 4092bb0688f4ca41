"""Reddit: subreddit listings (``/r/NAME/new.json``) and search (``/search.json``), optionally
with comment trees, through the public JSON API or, when ``client_id``/``client_secret`` are
set, through OAuth (application-only "client credentials" grant).

Incremental: the cursor holds the newest ``created_utc`` (and its fullname) seen. Listings are
walked newest-first with ``after`` until a post at or below that mark appears. The ``before``
parameter is not used on purpose: when the post it names is deleted, Reddit answers an empty
listing forever.

Rate limits: every response carries ``X-Ratelimit-Remaining`` and ``X-Ratelimit-Reset``
(seconds until the window resets). When few requests remain the spider spreads the rest over the
window; when none remain and the reset is further away than ``max_wait`` it stops and keeps its
cursor, so the next run resumes.
"""

from __future__ import annotations

import base64
import html
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote, urlparse

import scrapy
from scrapy.http import Response

from radar.spiders.items import MentionItem
from radar.spiders.jsonapi import ERROR_STATUSES, ApiError, JsonApiSpider

PUBLIC_HOST = "https://www.reddit.com"
OAUTH_HOST = "https://oauth.reddit.com"
GONE = {"[deleted]", "[removed]"}


class RedditSpider(JsonApiSpider):
    name = "reddit"
    default_base_url = PUBLIC_HOST
    page_size = 100
    #: below this many remaining requests the spider spreads the rest over the window
    slow_below = 10

    def __init__(self, source: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(source, *args, **kwargs)
        self.subreddit = str(self.setting("subreddit")).strip().removeprefix("r/").strip("/")
        self.query = str(self.setting("query")).strip()
        self.with_comments = bool(self.source_settings.get("comments"))
        self.token: str | None = None
        self.api_base = self.base_url
        self.newest: tuple[float, str] | None = None

    # ------------------------------------------------------------------ requests
    @property
    def oauth(self) -> bool:
        return bool(self.setting("client_id") and self.setting("client_secret"))

    def listing_url(self, after: str | None = None) -> str:
        params: dict[str, Any] = {"limit": self.page_size, "raw_json": 1}
        if self.query:
            path = f"/r/{quote(self.subreddit)}/search.json" if self.subreddit else "/search.json"
            params.update(q=self.query, sort="new", t="all")
            if self.subreddit:
                params["restrict_sr"] = 1
        else:
            path = f"/r/{quote(self.subreddit)}/new.json"
        params["after"] = after
        return self._at(self.api_url(path, params))

    def _at(self, url: str) -> str:
        """Re-point a URL built on base_url at the OAuth host when OAuth is on (real Reddit only)."""
        if self.token and self.api_base != self.base_url:
            return self.api_base + url[len(self.base_url):]
        return url

    def request(self, url: str, callback: Any, **kwargs: Any) -> scrapy.Request:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"bearer {self.token}"
        meta = {"handle_httpstatus_list": ERROR_STATUSES, **kwargs.pop("meta", {})}
        errback = kwargs.pop("errback", self.on_error)
        return scrapy.Request(url, callback=callback, errback=errback, headers=headers, meta=meta, **kwargs)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if not (self.subreddit or self.query):
            self.record_error("a reddit source needs 'subreddit' or 'query' in sources.toml", fatal=True)
            return
        if self.oauth:
            credentials = f"{self.setting('client_id')}:{self.setting('client_secret')}"
            yield scrapy.FormRequest(
                f"{self.base_url}/api/v1/access_token",
                formdata={"grant_type": "client_credentials"},
                headers={"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()},
                callback=self.parse_token,
                errback=self.on_error,
                meta={"handle_httpstatus_list": ERROR_STATUSES},
                dont_filter=True,
            )
        else:
            yield self.request(self.listing_url(), self.parse_listing)

    def parse_token(self, response: Response) -> Iterator[scrapy.Request]:
        """Exchange the client credentials for a bearer token, then start the listing."""
        try:
            data = self.load_json(response)
        except ApiError as exc:
            self.fail(f"Reddit OAuth token request failed: {exc}", response.url)
            return
        token = data.get("access_token") if isinstance(data, dict) else None
        if response.status != 200 or not token:
            detail = data.get("error") if isinstance(data, dict) else data
            self.fail(
                f"Reddit OAuth failed (HTTP {response.status}: {detail}); "
                "check client_id and client_secret of this source (a 'script' or 'web' app at reddit.com/prefs/apps)",
                response.url,
            )
            return
        self.token = token
        # Real Reddit serves OAuth calls from another host; a proxy or test server serves both.
        self.api_base = OAUTH_HOST if self.base_url == PUBLIC_HOST else self.base_url
        yield self.request(self.listing_url(), self.parse_listing)

    # ------------------------------------------------------------------ listings
    async def parse_listing(self, response: Response) -> AsyncIterator[MentionItem | scrapy.Request]:
        """One page of a subreddit or search listing: new posts, their comment trees, the next page.

        @url https://www.reddit.com/r/smallbusiness/new.json?limit=100&raw_json=1
        @returns requests 0 101
        @scrapes external_id url title author published_at
        """
        self.pages += 1
        data = self._listing_data(response)
        if data is None:
            return
        children = data.get("children") or []
        cursor_time = float(self.cursor.get("created_utc") or 0)
        reached_mark = False
        unseen = 0
        for child in children:
            post = child.get("data") or {}
            unseen += self.listed(post.get("name") or post.get("id"))
            created = float(post.get("created_utc") or 0)
            if cursor_time and created <= cursor_time:
                if not post.get("stickied"):  # stickies are old but shown first
                    reached_mark = True
                continue
            if self.newest is None or created > self.newest[0]:
                self.newest = (created, post.get("name") or "")
            if child.get("kind") == "t1":
                item = self.comment_item(post, title=post.get("link_title") or "")
            else:
                item = self.post_item(post)
            if item is None or not self.first_time(item.external_id or ""):
                continue
            yield item
            if self.with_comments and child.get("kind") == "t3" and int(post.get("num_comments") or 0) > 0:
                url = self._at(self.api_url(f"/comments/{post['id']}.json", {"raw_json": 1, "sort": "new", "limit": 500}))
                yield self.request(url, self.parse_comments, cb_kwargs={"post": post}, errback=self.on_detail_error)

        after = data.get("after")
        if reached_mark or not after or not children or not unseen:
            self._finish()
            return
        if self.pages >= self.max_pages:
            self._finish()
            return
        wait = self._rate_wait(response)
        if wait is None:
            return
        await self.pause(wait)
        yield self.request(self.listing_url(after), self.parse_listing)

    def _listing_data(self, response: Response) -> dict[str, Any] | None:
        where = self.subreddit and f"r/{self.subreddit}" or "search"
        if urlparse(response.url).path.startswith("/subreddits/search"):
            # Reddit redirects unknown subreddit names to the subreddit search page.
            self.fail(f"subreddit r/{self.subreddit} does not exist (Reddit redirected to its search); check 'subreddit'", response.url)
            return None
        try:
            data = self.load_json(response)
        except ApiError as exc:
            self.fail(str(exc), response.url)
            return None
        if response.status != 200 or not isinstance(data, dict) or data.get("kind") != "Listing":
            self.fail(self._explain(response, data, where), response.url)
            return None
        return data.get("data") or {}

    def _explain(self, response: Response, data: Any, where: str) -> str:
        if isinstance(data, dict):
            reason = data.get("reason") or data.get("message") or data.get("error")
        else:
            reason = "unexpected JSON (not a Listing)"
        hints = {
            403: f"{where} is private, quarantined or banned",
            404: f"{where} was not found; check 'subreddit'",
            429: "rate limited; the next run retries",
        }
        hint = hints.get(response.status, "")
        return f"Reddit answered HTTP {response.status} for {response.url}: {reason}" + (f" ({hint})" if hint else "")

    def _finish(self) -> None:
        if self.newest is not None:
            self.advance_cursor(created_utc=self.newest[0], fullname=self.newest[1])

    def _rate_wait(self, response: Response) -> float | None:
        """Seconds to wait before the next request, or None to stop this run (cursor kept)."""
        remaining = response.headers.get(b"X-Ratelimit-Remaining")
        reset = response.headers.get(b"X-Ratelimit-Reset")
        if remaining is None or reset is None:
            return 0.0
        try:
            left, window = float(remaining), float(reset)
        except ValueError:
            return 0.0
        if left >= self.slow_below:
            return 0.0
        wait = window if left < 1 else window / left
        if wait > self.max_wait:
            self.record_warning(
                f"Reddit rate limit nearly used up ({left:g} requests left, window resets in {window:g} s); "
                "stopped early, the next run resumes",
                response.url,
            )
            self.hold_cursor("rate limit")
            return None
        return wait

    # ------------------------------------------------------------------ items
    def post_item(self, post: dict[str, Any]) -> MentionItem | None:
        selftext = post.get("selftext") or ""
        author = post.get("author")
        if selftext in GONE or post.get("removed_by_category") or (author in GONE and not selftext):
            return None
        body_html = post.get("selftext_html") or ""
        if body_html.startswith("&lt;"):  # listings fetched without raw_json=1 double-escape HTML
            body_html = html.unescape(body_html)
        if body_html:
            body, fmt = body_html, "html"
        else:
            body, fmt = selftext, "markdown"
        extra: dict[str, Any] = {
            "kind": "post",
            "subreddit": post.get("subreddit"),
            "score": post.get("score"),
            "num_comments": post.get("num_comments"),
        }
        if not post.get("is_self", True) and post.get("url"):
            extra["link_url"] = post["url"]
        if post.get("link_flair_text"):
            extra["flair"] = post["link_flair_text"]
        return self.make_item(
            external_id=post.get("name") or f"t3_{post.get('id')}",
            url=self.permalink(post),
            title=self.unescape(post.get("title")),
            body=body,
            body_format=fmt,
            author=None if author in GONE else author,
            published_at=self.from_timestamp(post.get("created_utc")),
            extra=extra,
        )

    def comment_item(self, comment: dict[str, Any], title: str, post: dict[str, Any] | None = None) -> MentionItem | None:
        body = comment.get("body") or ""
        if body in GONE or comment.get("author") in GONE and not body:
            return None
        url = self.comment_url(comment, post)
        body_html = comment.get("body_html") or ""
        if body_html.startswith("&lt;"):
            body_html = html.unescape(body_html)
        return self.make_item(
            external_id=comment.get("name") or f"t1_{comment.get('id')}",
            url=url,
            title=f"Re: {self.unescape(title)}" if title else "",
            body=body_html or body,
            body_format="html" if body_html else "markdown",
            author=comment.get("author"),
            published_at=self.from_timestamp(comment.get("created_utc")),
            extra={
                "kind": "comment",
                "subreddit": comment.get("subreddit"),
                "score": comment.get("score"),
                "parent_id": comment.get("parent_id"),
                "link_id": comment.get("link_id"),
            },
        )

    def comment_url(self, comment: dict[str, Any], post: dict[str, Any] | None) -> str:
        """Newer listings give the comment's ``permalink``; older ones only the post's
        (``link_permalink``, or ``link_url`` for self posts), to which the comment id is added."""
        if comment.get("permalink"):
            return self.permalink(comment)
        if post is not None:
            base = self.permalink(post)
        else:
            base = comment.get("link_permalink") or ""
            if not base and (comment.get("link_url") or "").startswith(PUBLIC_HOST + "/r/"):
                base = comment["link_url"]
            if not base and comment.get("link_id"):
                base = f"{PUBLIC_HOST}/r/{comment.get('subreddit')}/comments/{str(comment['link_id']).removeprefix('t3_')}/_/"
        if base and not base.startswith("http"):
            base = PUBLIC_HOST + base
        return base.rstrip("/") + f"/{comment.get('id')}/" if base else ""

    @staticmethod
    def permalink(thing: dict[str, Any]) -> str:
        link = thing.get("permalink") or ""
        if link.startswith("http"):
            return link
        if link:
            return PUBLIC_HOST + link
        return thing.get("url") or ""

    def parse_comments(self, response: Response, post: dict[str, Any]) -> Iterator[MentionItem]:
        """A post's comment tree (``[post listing, comment listing]``); ``more`` stubs are skipped.

        @url https://www.reddit.com/comments/2gmzqe.json?raw_json=1
        @cb_kwargs {"post": {"id": "2gmzqe", "title": "t", "permalink": "/r/redditdev/comments/2gmzqe/x/"}}
        @scrapes external_id url body author published_at
        """
        self.pages += 1
        try:
            data = self.load_json(response)
        except ApiError as exc:
            self.record_error(str(exc), response.url)
            self.hold_cursor("comments failed")
            return
        if response.status == 404:
            self.record_warning(f"post {post.get('id')} has gone before its comments were fetched", response.url)
            return
        if response.status != 200 or not isinstance(data, list) or len(data) < 2:
            self.record_error(self._explain(response, data, f"comments of {post.get('name') or post.get('id')}"), response.url)
            self.hold_cursor("comments failed")
            return
        title = post.get("title") or ""
        stack = list(((data[1] or {}).get("data") or {}).get("children") or [])
        while stack:
            node = stack.pop(0)
            if node.get("kind") != "t1":
                continue  # "more" stubs: the rest of a huge thread, not worth extra requests
            comment = node.get("data") or {}
            replies = comment.get("replies")
            if isinstance(replies, dict):
                stack.extend((replies.get("data") or {}).get("children") or [])
            cursor_time = float(self.cursor.get("created_utc") or 0)
            item = self.comment_item(comment, title=title, post=post)
            if item is None or not self.first_time(item.external_id or ""):
                continue
            if cursor_time and float(comment.get("created_utc") or 0) <= cursor_time:
                continue
            yield item
