"""Hacker News through the Algolia search API: ``/api/v1/search_by_date`` (newest first) with
``query``, ``tags`` and ``numericFilters=created_at_i>CURSOR``, paged with ``page`` until
``nbPages``. Stories, Ask HN and comments; story and comment texts are HTML.

Tags follow Algolia's syntax: ``ask_hn``, ``story``, ``comment``, ``(story,comment)`` (OR),
``story,author_pg`` (AND). Without ``tags`` the spider asks for stories, and for
``(story,comment)`` when ``comments = true``; a single tag plus ``comments = true`` becomes
``(TAG,comment)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from radar.spiders.items import MentionItem
from radar.spiders.jsonapi import ERROR_STATUSES, ApiError, JsonApiSpider

ITEM_URL = "https://news.ycombinator.com/item?id={}"


class HackerNewsSpider(JsonApiSpider):
    name = "hackernews"
    default_base_url = "https://hn.algolia.com"
    page_size = 100

    def __init__(self, source: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(source, *args, **kwargs)
        self.query = str(self.setting("query")).strip()
        self.tags = self._tags(str(self.setting("tags")).strip(), bool(self.source_settings.get("comments")))
        self.since = int(self.cursor.get("created_at_i") or 0)
        self.newest = self.since

    @staticmethod
    def _tags(tags: str, comments: bool) -> str:
        if not tags:
            return "(story,comment)" if comments else "story"
        if comments and "comment" not in tags and "," not in tags and "(" not in tags:
            return f"({tags},comment)"
        return tags

    def page_url(self, page: int) -> str:
        params: dict[str, Any] = {"query": self.query, "tags": self.tags, "hitsPerPage": self.page_size, "page": page}
        if self.since:
            params["numericFilters"] = f"created_at_i>{self.since}"
        return self.api_url("/api/v1/search_by_date", params)

    def request(self, page: int) -> scrapy.Request:
        return scrapy.Request(
            self.page_url(page), callback=self.parse_page, errback=self.on_error,
            headers={"Accept": "application/json"}, meta={"handle_httpstatus_list": ERROR_STATUSES},
            cb_kwargs={"page": page},
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.request(0)

    def parse_page(self, response: Response, page: int = 0) -> Iterator[MentionItem | scrapy.Request]:
        """One page of search_by_date hits; follows ``page`` while ``nbPages`` says there are more.

        @url https://hn.algolia.com/api/v1/search_by_date?query=&tags=ask_hn&hitsPerPage=100&page=0
        @returns requests 0 1
        @scrapes external_id url title author published_at
        """
        self.pages += 1
        try:
            data = self.load_json(response)
        except ApiError as exc:
            self.fail(str(exc), response.url)
            return
        if response.status != 200 or not isinstance(data, dict) or not isinstance(data.get("hits"), list):
            message = data.get("message") if isinstance(data, dict) else None
            self.fail(f"Algolia HN search answered HTTP {response.status} for {response.url}: "
                      f"{message or 'no hits list in the response'}", response.url)
            return
        hits = data["hits"]
        fresh = 0
        for hit in hits:
            created = self._created(hit)
            if self.since and created <= self.since:
                continue  # the server ignored numericFilters (proxy, replay) or an edge equal second
            if not self.listed(hit.get("objectID")):
                continue
            fresh += 1
            self.newest = max(self.newest, created)
            item = self.hit_item(hit)
            if item is not None and self.first_time(item.external_id or ""):
                yield item
        total_pages = int(data.get("nbPages") or 0)
        if hits and fresh and page + 1 < total_pages and self.pages < self.max_pages:
            yield self.request(page + 1)
            return
        self.advance_cursor(created_at_i=self.newest or None)

    def _created(self, hit: dict[str, Any]) -> int:
        if hit.get("created_at_i") is not None:
            return int(hit["created_at_i"])
        when = self.parse_time(hit.get("created_at"))
        return int(when.timestamp()) if when else 0

    def hit_item(self, hit: dict[str, Any]) -> MentionItem | None:
        object_id = str(hit.get("objectID") or hit.get("id") or "")
        tags = [t for t in hit.get("_tags") or [] if not t.startswith(("author_", "story_"))]
        if not object_id or not hit.get("author"):
            return None  # deleted or dead
        is_comment = "comment" in tags or (hit.get("comment_text") and not hit.get("title"))
        if is_comment:
            body = hit.get("comment_text") or ""
            if not body:
                return None
            story_title = hit.get("story_title") or ""
            title = f"Re: {story_title}" if story_title else ""
        else:
            body = hit.get("story_text") or ""
            title = hit.get("title") or ""
            if not (title or body):
                return None
        extra: dict[str, Any] = {
            "kind": "comment" if is_comment else "post",
            "tags": tags,
            "points": hit.get("points"),
        }
        if hit.get("num_comments") is not None:
            extra["num_comments"] = hit["num_comments"]
        if hit.get("url") or hit.get("story_url"):
            extra["link_url"] = hit.get("url") or hit.get("story_url")
        if is_comment:
            extra["story_id"] = hit.get("story_id")
            extra["parent_id"] = hit.get("parent_id")
        return self.make_item(
            external_id=object_id,
            url=ITEM_URL.format(object_id),
            title=title,
            body=body,
            body_format="html",
            author=hit.get("author"),
            published_at=self.from_timestamp(self._created(hit)),
            extra=extra,
        )
