"""Mastodon: the hashtag timeline of one instance, ``/api/v1/timelines/tag/TAG?limit=40&since_id=CURSOR``,
newest first, paged towards older statuses with the ``Link: <…max_id=…>; rel="next"`` header
(or ``max_id`` = the oldest id of the page when a proxy drops the header) until the cursor.

Statuses carry HTML ``content``, an optional content warning (``spoiler_text``, used as the
title), their own ``language`` and a public ``url``. Reblogs are skipped (the original is in
the timeline itself when it carries the tag), and so are statuses already seen in the run
(same ``uri``: a federated post can reach an instance twice).
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import scrapy
from scrapy.http import Response

from radar.spiders.items import MentionItem
from radar.spiders.jsonapi import ERROR_STATUSES, ApiError, JsonApiSpider

LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


def id_key(status_id: Any) -> tuple[int, int | str]:
    """Sort key for Mastodon ids: numeric strings compare as numbers (length first)."""
    text = str(status_id or "")
    return (len(text), int(text)) if text.isdigit() else (len(text), text)


class MastodonSpider(JsonApiSpider):
    name = "mastodon"
    default_base_url = "https://mastodon.social"
    page_size = 40
    #: stop (cursor kept) when the instance says fewer requests than this are left
    rate_floor = 5

    def __init__(self, source: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(source, *args, **kwargs)
        self.tag = str(self.setting("tag")).strip().lstrip("#")
        self.since_id = str(self.cursor.get("since_id") or "")
        self.newest_id = self.since_id

    @property
    def path(self) -> str:
        return f"/api/v1/timelines/tag/{quote(self.tag)}"

    def page_url(self, max_id: str | None = None) -> str:
        return self.api_url(self.path, {"limit": self.page_size, "since_id": self.since_id or None, "max_id": max_id})

    def request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_page, errback=self.on_error,
                              headers={"Accept": "application/json"}, meta={"handle_httpstatus_list": ERROR_STATUSES})

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if not self.tag:
            self.record_error("a mastodon source needs 'tag' (the hashtag without #)", fatal=True)
            return
        yield self.request(self.page_url())

    def parse_page(self, response: Response) -> Iterator[MentionItem | scrapy.Request]:
        """One page of the tag timeline; follows ``rel="next"`` until the cursor.

        @url https://mastodon.social/api/v1/timelines/tag/followerpower?limit=40
        @returns requests 0 1
        @scrapes external_id url body author published_at
        """
        self.pages += 1
        try:
            data = self.load_json(response)
        except ApiError as exc:
            self.fail(str(exc), response.url)
            return
        if response.status != 200 or not isinstance(data, list):
            detail = (data.get("error") if isinstance(data, dict) else None) or "not a list of statuses"
            hint = {401: " (this instance wants a login for its timelines; pick another instance)",
                    404: " (check 'base_url' and 'tag')",
                    422: " (this instance wants a login for its timelines; pick another instance)",
                    429: " (rate limited; the next run retries)"}.get(response.status, "")
            self.fail(f"Mastodon answered HTTP {response.status} for {response.url}: {detail}{hint}", response.url)
            return
        reached_mark = False
        unseen = 0
        oldest: str | None = None
        for status in data:
            if not isinstance(status, dict) or not status.get("id"):
                continue
            sid = str(status["id"])
            unseen += self.listed(sid)
            if oldest is None or id_key(sid) < id_key(oldest):
                oldest = sid
            if self.since_id and id_key(sid) <= id_key(self.since_id):
                reached_mark = True  # the server ignored since_id (proxy, replay)
                continue
            if not self.newest_id or id_key(sid) > id_key(self.newest_id):
                self.newest_id = sid
            item = self.status_item(status)
            if item is not None and self.first_time(status.get("uri") or sid):
                yield item

        if reached_mark or not unseen or oldest is None or self.pages >= self.max_pages:
            self._finish()
            return
        next_url = self._next_url(response, oldest, len(data))
        if next_url is None:
            self._finish()
            return
        remaining = response.headers.get(b"X-RateLimit-Remaining")
        if remaining is not None and remaining.isdigit() and int(remaining) < self.rate_floor:
            reset = (response.headers.get(b"X-RateLimit-Reset") or b"?").decode()
            self.record_warning(f"Mastodon rate limit nearly used up ({int(remaining)} left, resets {reset}); "
                                "stopped early, the next run resumes", response.url)
            self.hold_cursor("rate limit")
            return
        yield self.request(next_url)

    def _next_url(self, response: Response, oldest: str, count: int) -> str | None:
        link = (response.headers.get(b"Link") or b"").decode("latin-1")
        match = LINK_NEXT.search(link)
        if match:
            # keep the instance's paging parameters, but ask our base_url (proxies, tests)
            params = dict(parse_qsl(urlsplit(match.group(1)).query))
            max_id = params.get("max_id") or oldest
        elif count >= self.page_size:
            max_id = oldest  # a full page without a Link header: there may be more
        else:
            return None
        return self.page_url(max_id)

    def _finish(self) -> None:
        self.advance_cursor(since_id=self.newest_id or None)

    def status_item(self, status: dict[str, Any]) -> MentionItem | None:
        if status.get("reblog"):
            return None
        content = status.get("content") or ""
        if not content.strip():
            return None
        if status.get("visibility") not in (None, "public", "unlisted"):
            return None
        poll = status.get("poll") or {}
        options = [o.get("title") for o in poll.get("options") or [] if isinstance(o, dict) and o.get("title")]
        if options:  # "which tool should I use?" polls are requests too; keep their choices
            content += "<ul>" + "".join(f"<li>{html.escape(o)}</li>" for o in options) + "</ul>"
        account = status.get("account") or {}
        tags = [t.get("name") for t in status.get("tags") or [] if isinstance(t, dict)]
        language = status.get("language")
        return self.make_item(
            external_id=str(status["id"]),
            url=status.get("url") or status.get("uri"),
            title=self.unescape(status.get("spoiler_text")),
            body=content,
            body_format="html",
            author=account.get("acct") or account.get("username"),
            published_at=self.parse_time(status.get("created_at")),
            language=str(language).lower()[:8] if language else None,
            extra={
                "kind": "comment" if status.get("in_reply_to_id") else "post",
                "uri": status.get("uri"),
                "tags": tags,
                "replies_count": status.get("replies_count"),
                "in_reply_to_id": status.get("in_reply_to_id"),
            },
        )
