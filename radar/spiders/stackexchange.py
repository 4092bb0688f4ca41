"""Stack Exchange API 2.3: ``/questions?site=&tagged=&sort=creation&order=desc&filter=withbody``,
newest first, from the cursor's ``creation_date`` on (``fromdate`` is inclusive, so questions of
that very second that were already seen are skipped by id), paged with ``page`` while
``has_more``.

The API always answers gzip (Scrapy's HttpCompressionMiddleware decodes it; a body that is gzip
without the header is decoded here). Every response may carry ``backoff``: the number of seconds
to wait before the next call to the same method; the spider waits (up to ``max_wait``) or stops
and keeps its cursor. ``quota_remaining`` counts the calls left today (300 without a key,
10,000 with one); below ``quota_floor`` the spider stops. Errors come as
``{"error_id", "error_name", "error_message"}`` with HTTP 400/403/…; they are recorded as they are.
Titles and names arrive HTML-encoded (``&#39;``) and are decoded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.http import Response

from radar.spiders.items import MentionItem
from radar.spiders.jsonapi import ERROR_STATUSES, ApiError, JsonApiSpider

ERROR_HINTS = {
    "bad_parameter": "check 'site' and 'tags' of this source",
    "access_token_required": "this method needs an access token",
    "invalid_access_token": "the access token is invalid",
    "access_denied": "check 'key'",
    "no_method": "is base_url the API (https://api.stackexchange.com)?",
    "key_required": "set 'key' for this source",
    "access_token_compromised": "the access token is compromised",
    "write_failed": "",
    "duplicate_request": "the same request was sent twice at once",
    "internal_error": "Stack Exchange had an internal error; the next run retries",
    "throttle_violation": "too many requests from this IP; the next run retries (add 'key' for more)",
    "temporarily_unavailable": "the API is temporarily unavailable; the next run retries",
}


class StackExchangeSpider(JsonApiSpider):
    name = "stackexchange"
    default_base_url = "https://api.stackexchange.com"
    page_size = 100
    #: stop when fewer calls than this are left in today's quota (keep some for other sources)
    quota_floor = 10

    def __init__(self, source: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(source, *args, **kwargs)
        self.site = str(self.setting("site")).strip()
        self.tagged = ";".join(t.strip() for t in str(self.setting("tags")).replace(",", ";").split(";") if t.strip())
        self.key = str(self.setting("key")).strip()
        self.since = int(self.cursor.get("creation_date") or 0)
        self.seen_at_mark = {str(i) for i in self.cursor.get("ids_at_mark") or []}
        self.newest = self.since
        self.newest_ids: set[str] = set(self.seen_at_mark)

    def page_url(self, page: int) -> str:
        params: dict[str, Any] = {
            "site": self.site,
            "tagged": self.tagged or None,
            "sort": "creation",
            "order": "desc",
            "filter": "withbody",
            "pagesize": self.page_size,
            "page": page,
            "fromdate": self.since or None,
            "key": self.key or None,
        }
        return self.api_url("/2.3/questions", params)

    def request(self, page: int) -> scrapy.Request:
        return scrapy.Request(
            self.page_url(page), callback=self.parse_page, errback=self.on_error,
            headers={"Accept": "application/json", "Accept-Encoding": "gzip"},
            meta={"handle_httpstatus_list": ERROR_STATUSES + [502, 503]}, cb_kwargs={"page": page},
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if not self.site:
            self.record_error("a stackexchange source needs 'site' (e.g. softwarerecs)", fatal=True)
            return
        yield self.request(1)

    async def parse_page(self, response: Response, page: int = 1) -> AsyncIterator[MentionItem | scrapy.Request]:
        """One page of questions; waits ``backoff`` seconds before the next page.

        @url https://api.stackexchange.com/2.3/questions?site=softwarerecs&sort=creation&order=desc&filter=withbody&pagesize=100&page=1
        @returns requests 0 1
        @scrapes external_id url title author published_at
        """
        self.pages += 1
        try:
            data = self.load_json(response)
        except ApiError as exc:
            self.fail(str(exc), response.url)
            return
        if not isinstance(data, dict):
            self.fail(f"Stack Exchange answered HTTP {response.status} with unexpected JSON from {response.url}", response.url)
            return
        if "error_id" in data or response.status != 200:
            name = data.get("error_name") or ""
            hint = ERROR_HINTS.get(name, "")
            self.fail(
                f"Stack Exchange API error {data.get('error_id', response.status)} {name}: "
                f"{self.unescape(data.get('error_message')) or 'HTTP ' + str(response.status)}" + (f" ({hint})" if hint else ""),
                response.url,
            )
            return
        questions = data.get("items") or []
        fresh = 0
        for question in questions:
            qid = str(question.get("question_id") or "")
            created = int(question.get("creation_date") or 0)
            if self.since and (created < self.since or (created == self.since and qid in self.seen_at_mark)):
                continue
            if not self.listed(qid):
                continue
            fresh += 1
            if created > self.newest:
                self.newest, self.newest_ids = created, {qid}
            elif created == self.newest:
                self.newest_ids.add(qid)
            item = self.question_item(question)
            if item is not None and self.first_time(qid):
                yield item

        quota = data.get("quota_remaining")
        if not (data.get("has_more") and questions and fresh) or self.pages >= self.max_pages:
            self._finish()
            return
        if quota is not None and int(quota) < self.quota_floor:
            self.record_warning(
                f"Stack Exchange quota nearly used up ({quota} of {data.get('quota_max', '?')} calls left today); "
                "stopped early, the next run resumes" + ("" if self.key else " — add 'key' for 10,000 calls a day"),
                response.url,
            )
            self.hold_cursor("quota")
            return
        backoff = float(data.get("backoff") or 0)
        if backoff > self.max_wait:
            self.record_warning(f"Stack Exchange asked to back off {backoff:g} s; stopped, the next run resumes", response.url)
            self.hold_cursor("backoff")
            return
        await self.pause(backoff)
        yield self.request(page + 1)

    def _finish(self) -> None:
        if self.newest:
            self.advance_cursor(creation_date=self.newest, ids_at_mark=sorted(self.newest_ids))

    def question_item(self, question: dict[str, Any]) -> MentionItem | None:
        qid = question.get("question_id")
        if not qid:
            return None
        owner = question.get("owner") or {}
        author = self.unescape(owner.get("display_name")) or None
        site = self.site
        return self.make_item(
            external_id=str(qid),
            url=question.get("link") or f"https://{site}.stackexchange.com/q/{qid}",
            title=self.unescape(question.get("title")),
            body=question.get("body") or question.get("body_markdown") or "",
            body_format="html" if question.get("body") else "markdown",
            author=author,
            published_at=self.from_timestamp(question.get("creation_date")),
            extra={
                "kind": "question",
                "site": site,
                "tags": list(question.get("tags") or []),
                "score": question.get("score"),
                "answer_count": question.get("answer_count"),
                "is_answered": question.get("is_answered"),
            },
        )
