"""Discourse forums: the topic list (``/latest.json``, ``/c/CATEGORY/l/latest.json``) or, when
``query`` is set, ``/search.json?q=QUERY order:latest``; then ``/t/ID.json`` per new topic for its
first post (``cooked`` HTML). Paging follows ``more_topics_url`` (search: ``page``).

Incremental: topic ids grow, so a topic is new when its id is above the cursor's ``topic_id``.
``/latest`` is ordered by ``bumped_at`` (last activity), so the walk stops at the first
non-pinned topic bumped no later than the cursor's ``bumped_at``: every topic created since then
was bumped since then too. Replies are not collected (the first post carries the request).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import scrapy
from scrapy.http import Response

from radar.spiders.items import MentionItem
from radar.spiders.jsonapi import ERROR_STATUSES, ApiError, JsonApiSpider


class DiscourseSpider(JsonApiSpider):
    name = "discourse"
    default_base_url = ""  # every forum is its own site: base_url is required

    def __init__(self, source: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(source, *args, **kwargs)
        self.category = str(self.setting("category")).strip().strip("/")
        self.query = str(self.setting("query")).strip()
        self.since_id = int(self.cursor.get("topic_id") or 0)
        self.since_bumped = self.parse_time(self.cursor.get("bumped_at"))
        self.newest_id = self.since_id
        self.newest_bumped = self.since_bumped

    # ------------------------------------------------------------------ requests
    def json_request(self, url: str, callback: Any, **kwargs: Any) -> scrapy.Request:
        meta = {"handle_httpstatus_list": ERROR_STATUSES, **kwargs.pop("meta", {})}
        return scrapy.Request(url, callback=callback, errback=kwargs.pop("errback", self.on_error),
                              headers={"Accept": "application/json"}, meta=meta, **kwargs)

    def search_url(self, page: int) -> str:
        q = self.query if "order:" in self.query else f"{self.query} order:latest"
        if self.category and "#" not in q:
            q += f" #{self.category}"
        return self.api_url("/search.json", {"q": q, "page": page if page > 1 else None})

    def list_url(self) -> str:
        if self.category:
            return self.api_url(f"/c/{self.category}/l/latest.json")
        return self.api_url("/latest.json")

    async def start(self):
        if not self.base_url:
            self.record_error("a discourse source needs 'base_url' (the forum's address)", fatal=True)
            return
        if self.query:
            yield self.json_request(self.search_url(1), self.parse_search, cb_kwargs={"page": 1})
        else:
            yield self.json_request(self.list_url(), self.parse_list)

    def topic_request(self, summary: dict[str, Any]) -> scrapy.Request:
        return self.json_request(
            self.api_url(f"/t/{summary['id']}.json"), self.parse_topic,
            cb_kwargs={"summary": summary}, errback=self.on_detail_error, meta={"summary": summary},
        )

    # ------------------------------------------------------------------ topic lists
    def _load(self, response: Response, what: str) -> Any:
        try:
            data = self.load_json(response)
        except ApiError as exc:
            self.fail(str(exc), response.url)
            return None
        if response.status != 200:
            errors = data.get("errors") if isinstance(data, dict) else None
            detail = "; ".join(map(str, errors)) if isinstance(errors, list) else (data.get("error_type") if isinstance(data, dict) else None)
            hint = {403: " (private category or login required)", 404: " (check 'base_url' and 'category')",
                    429: " (rate limited; the next run retries)"}.get(response.status, "")
            self.fail(f"Discourse answered HTTP {response.status} for {what} {response.url}: {detail or 'error'}{hint}", response.url)
            return None
        return data

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        """A page of ``/latest.json``: a topic request per new topic, then ``more_topics_url``.

        @url https://meta.discourse.org/latest.json
        @returns requests 1 31
        """
        self.pages += 1
        data = self._load(response, "the topic list")
        if data is None:
            return
        topic_list = data.get("topic_list") if isinstance(data, dict) else None
        if not isinstance(topic_list, dict):
            self.fail(f"no topic_list in {response.url}; is base_url a Discourse forum?", response.url)
            return
        users = {u.get("id"): u.get("username") for u in data.get("users") or [] if isinstance(u, dict)}
        reached_mark = False
        unseen = 0
        for topic in topic_list.get("topics") or []:
            unseen += self.listed(topic.get("id"))
            bumped = self.parse_time(topic.get("bumped_at") or topic.get("last_posted_at") or topic.get("created_at"))
            if self.since_bumped and bumped and bumped <= self.since_bumped and not topic.get("pinned"):
                reached_mark = True
            if bumped and (self.newest_bumped is None or bumped > self.newest_bumped):
                self.newest_bumped = bumped
            request = self._maybe_topic(topic, users)
            if request is not None:
                yield request
            if reached_mark:
                break
        more = topic_list.get("more_topics_url")
        if reached_mark or not unseen or not more or self.pages >= self.max_pages:
            self._finish()
            return
        yield self.json_request(self.json_url(more), self.parse_list)

    def _maybe_topic(self, topic: dict[str, Any], users: dict[Any, Any]) -> scrapy.Request | None:
        try:
            topic_id = int(topic.get("id"))
        except (TypeError, ValueError):
            return None
        if topic_id <= self.since_id or topic.get("archetype") == "private_message" or not self.first_time(str(topic_id)):
            return None
        self.newest_id = max(self.newest_id, topic_id)
        summary = dict(topic)
        summary["op_username"] = self._original_poster(topic, users)
        return self.topic_request(summary)

    @staticmethod
    def _original_poster(topic: dict[str, Any], users: dict[Any, Any]) -> str | None:
        for poster in topic.get("posters") or []:
            if "Original Poster" in (poster.get("description") or ""):
                return users.get(poster.get("user_id"))
        return None

    def json_url(self, more: str) -> str:
        """``more_topics_url`` is relative and, on newer forums, lacks ``.json``."""
        parts = urlsplit(urljoin(self.base_url + "/", more))
        path = parts.path if parts.path.endswith(".json") else parts.path.rstrip("/") + ".json"
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))

    def parse_search(self, response: Response, page: int = 1) -> Iterator[scrapy.Request]:
        """A page of ``/search.json``: a topic request per new topic found (newest first).

        @url https://meta.discourse.org/search.json?q=backup+order%3Alatest
        @cb_kwargs {"page": 1}
        @returns requests 0 51
        """
        self.pages += 1
        data = self._load(response, "the search")
        if data is None:
            return
        topics: list[dict[str, Any]] = []
        more = False
        if isinstance(data, dict):
            by_id = {t.get("id"): t for t in data.get("topics") or []}
            for post in data.get("posts") or []:  # posts carry the order (order:latest)
                topic = by_id.get(post.get("topic_id")) or {"id": post.get("topic_id")}
                topics.append(topic)
            topics.extend(t for t in data.get("topics") or [] if t not in topics)
            more = bool((data.get("grouped_search_result") or {}).get("more_full_page_results"))
        elif isinstance(data, list):  # the old grouped format: [{"type": "topic", "results": [...]}]
            for group in data:
                if isinstance(group, dict) and group.get("type") == "topic":
                    topics.extend(group.get("results") or [])
                    more = more or bool(group.get("more"))
        fresh = 0
        for topic in topics:
            request = self._maybe_topic(topic, {})
            if request is not None:
                fresh += 1
                yield request
        if more and fresh and self.pages < self.max_pages:
            yield self.json_request(self.search_url(page + 1), self.parse_search, cb_kwargs={"page": page + 1})
            return
        self._finish()

    def _finish(self) -> None:
        self.advance_cursor(
            topic_id=self.newest_id or None,
            bumped_at=self.newest_bumped.isoformat() if self.newest_bumped else None,
        )

    # ------------------------------------------------------------------ topics
    def parse_topic(self, response: Response, summary: dict[str, Any]) -> Iterator[MentionItem | scrapy.Request]:
        """``/t/ID.json``: the topic's first post as one item.

        @url https://meta.discourse.org/t/57.json
        @cb_kwargs {"summary": {"id": 57}}
        @returns items 1 1
        @scrapes external_id url title body author published_at
        """
        self.pages += 1
        if response.status in (403, 404, 410):
            # gone or hidden since it was listed: keep what the list said about it
            self.record_warning(f"topic {summary.get('id')} answered HTTP {response.status}; stored from the topic list", response.url)
            item = self.summary_item(summary)
            if item is not None:
                yield item
            return
        try:
            topic = self.load_json(response)
        except ApiError as exc:
            self.record_error(str(exc), response.url)
            self.hold_cursor("topic failed")
            return
        if response.status != 200 or not isinstance(topic, dict) or "post_stream" not in topic:
            self.record_error(f"Discourse answered HTTP {response.status} without a post_stream for {response.url}", response.url)
            self.hold_cursor("topic failed")
            return
        if topic.get("deleted_at"):
            return
        stream = topic.get("post_stream") or {}
        posts = stream.get("posts") or []
        first = next((p for p in posts if p.get("post_number") == 1), None)
        if first is None:
            merged = {**summary, **{k: v for k, v in topic.items() if k != "post_stream"}}
            ids = stream.get("stream") or []
            if ids and not summary.get("asked_first_post"):
                # a topic view that starts later in the thread (/t/ID/N.json): ask for post one by id
                merged["asked_first_post"] = True
                yield self.json_request(
                    self.api_url(f"/t/{topic.get('id') or summary.get('id')}/posts.json", {"post_ids[]": ids[0]}),
                    self.parse_topic, cb_kwargs={"summary": merged}, errback=self.on_detail_error,
                )
                return
            item = self.summary_item(merged)
            if item is not None:
                yield item
            return
        if first.get("user_deleted") or first.get("deleted_at") or first.get("hidden"):
            return
        tags = [t.get("name") if isinstance(t, dict) else t for t in topic.get("tags") or []]
        yield self.make_item(
            external_id=str(topic.get("id") or summary.get("id")),
            url=self.topic_url(topic.get("slug") or summary.get("slug"), topic.get("id") or summary.get("id")),
            title=self.unescape(topic.get("title") or summary.get("title")),
            body=first.get("cooked") or "",
            body_format="html",
            author=first.get("username"),
            published_at=self.parse_time(first.get("created_at") or topic.get("created_at")),
            extra={
                "kind": "topic",
                "category_id": topic.get("category_id"),
                "tags": tags,
                "posts_count": topic.get("posts_count"),
                "views": topic.get("views"),
            },
        )

    def summary_item(self, summary: dict[str, Any]) -> MentionItem | None:
        """An item from what the topic list said (title, excerpt), when the topic JSON is unavailable."""
        if not summary.get("title"):
            return None
        return self.make_item(
            external_id=str(summary.get("id")),
            url=self.topic_url(summary.get("slug"), summary.get("id")),
            title=self.unescape(summary.get("title")),
            body=summary.get("excerpt") or "",
            body_format="html",
            author=summary.get("op_username"),
            published_at=self.parse_time(summary.get("created_at")),
            extra={"kind": "topic", "category_id": summary.get("category_id"), "from_list": True},
        )

    def topic_url(self, slug: Any, topic_id: Any) -> str:
        return f"{self.base_url}/t/{slug or 'topic'}/{topic_id}"
