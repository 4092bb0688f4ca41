"""A generic HTML forum, described entirely in config: the listing page ``url`` and selectors
for ``thread_link``, ``title``, ``body``, ``author``, ``date`` and ``next_page``.

A selector is CSS (``a.thread::attr(href)``, ``h1::text``) or, with the prefix ``xpath:``,
XPath (``xpath://div[@class='post'][1]``). ``thread_link`` and ``next_page`` give addresses
(an ``href`` is taken from matched elements); ``title``, ``author`` and ``date`` give text (a
``datetime``/``title`` attribute of a matched element counts for ``date``); ``body`` gives the
first matched element's HTML (or text, with ``::text``), which the clean pipeline turns into text.

Incremental: the cursor keeps the most recent thread addresses seen, so a re-crawl fetches only
threads that are new on the listing pages (and the dedupe step drops any repeat).
"""

from __future__ import annotations

from typing import Any

import scrapy
from parsel import Selector, SelectorList
from scrapy.http import Response

from radar.spiders.base import RadarSpider
from radar.textproc import canonical_url

SEEN_KEEP = 2000


def thread_key(url: str) -> str:
    """A thread's identity within its source: the canonical path and query (tracking and session
    parameters dropped), independent of the host, so a proxy or moved base_url keeps ids stable."""
    from urllib.parse import urlsplit

    parts = urlsplit(canonical_url(url))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def select(node: Selector | Response, selector: str) -> SelectorList:
    """CSS, or XPath when the selector starts with ``xpath:``."""
    selector = selector.strip()
    if selector.lower().startswith("xpath:"):
        return node.xpath(selector[6:].strip())
    return node.css(selector)


def _is_element(sel: Selector) -> bool:
    return isinstance(sel.root, object) and hasattr(sel.root, "tag") and isinstance(getattr(sel.root, "tag", None), str)


def select_links(node: Selector | Response, selector: str) -> list[str]:
    out = []
    for sel in select(node, selector):
        if _is_element(sel):
            href = sel.attrib.get("href") or sel.css("a::attr(href)").get()
        else:
            href = sel.get()
        if href and href.strip() and not href.strip().startswith(("#", "javascript:", "mailto:")):
            out.append(href.strip())
    return out


def select_text(node: Selector | Response, selector: str | None) -> str:
    if not selector:
        return ""
    matched = select(node, selector)
    if not matched:
        return ""
    first = matched[0]
    if _is_element(first):
        return " ".join(" ".join(first.xpath(".//text()").getall()).split())
    return " ".join(" ".join(matched.getall()).split())


def select_html(node: Selector | Response, selector: str) -> tuple[str, str]:
    """The body: the first matched element's HTML, or the matched text nodes joined."""
    matched = select(node, selector)
    if not matched:
        return "", "text"
    if _is_element(matched[0]):
        return matched[0].get(), "html"
    return "\n\n".join(t.strip() for t in matched.getall() if t.strip()), "text"


def select_date(node: Selector | Response, selector: str | None) -> str:
    if not selector:
        return ""
    matched = select(node, selector)
    if not matched:
        return ""
    first = matched[0]
    if _is_element(first):
        for attr in ("datetime", "data-time", "data-timestamp", "title", "content"):
            if first.attrib.get(attr):
                return first.attrib[attr]
        return " ".join(" ".join(first.xpath(".//text()").getall()).split())
    return first.get().strip()


class ForumSpider(RadarSpider):
    """Source keys: ``url`` (the listing page), ``selectors`` (see the module docstring),
    optional ``language``.

    @url a forum listing page
    @returns requests 1
    """

    name = "forum"

    def __init__(self, source: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(source, *args, **kwargs)
        self.selectors: dict[str, str] = dict(self.source_settings.get("selectors") or {})
        self.seen: list[str] = list(self.cursor.get("seen") or [])
        self._seen_set = set(self.seen)
        self._new_seen: list[str] = []
        self.pages_followed = 0

    async def start(self):
        missing = [k for k in ("thread_link", "title", "body") if not self.selectors.get(k)]
        if missing:
            self.record_error(f"source {self.source_name!r} needs selectors.{', selectors.'.join(missing)}", fatal=True)
            return
        try:
            url = self.absolute_url(self.setting("url"))
        except ValueError as exc:
            self.record_error(str(exc), fatal=True)
            return
        yield scrapy.Request(url, callback=self.parse_listing, cb_kwargs={"page": 1})

    def parse_listing(self, response: Response, page: int):
        if not hasattr(response, "css"):
            self.record_error(f"{response.url} is not an HTML page ({response.headers.get('Content-Type', b'').decode()})", url=response.url, fatal=page == 1)
            return
        links = select_links(response, self.selectors["thread_link"])
        if not links and page == 1:
            self.record_error(f"selectors.thread_link {self.selectors['thread_link']!r} matched nothing on {response.url}; "
                              "check the selector against the page", url=response.url, fatal=True)
            return
        for href in links:
            url = response.urljoin(href)
            key = thread_key(url)
            if key in self._seen_set:
                continue
            self._seen_set.add(key)
            yield scrapy.Request(url, callback=self.parse_thread, cb_kwargs={"key": key})
        next_selector = self.selectors.get("next_page")
        if next_selector and page < self.max_pages:
            nxt = select_links(response, next_selector)
            if nxt:
                yield scrapy.Request(response.urljoin(nxt[0]), callback=self.parse_listing, cb_kwargs={"page": page + 1})

    def parse_thread(self, response: Response, key: str):
        if not hasattr(response, "css"):
            self.record_error(f"{response.url} is not an HTML page", url=response.url, item=True)
            return
        title = select_text(response, self.selectors["title"])
        body, fmt = select_html(response, self.selectors["body"])
        if not title and not body:
            self.record_error(f"neither selectors.title nor selectors.body matched on {response.url}", url=response.url, item=True)
            return
        self._new_seen.append(key)
        yield self.make_item(
            external_id=key,
            url=response.url,
            title=title,
            body=body,
            body_format=fmt,
            author=select_text(response, self.selectors.get("author")) or None,
            published_at=self.parse_date(select_date(response, self.selectors.get("date"))),
            extra={"kind": "post"},
        )

    def closed(self, reason: str) -> None:
        # newest first, bounded: threads still on the listing pages are what matters
        merged = list(dict.fromkeys(self._new_seen + self.seen))[:SEEN_KEEP]
        self.new_cursor["seen"] = merged
