"""What every Business Radar spider shares: its source's settings and the incremental cursor."""

from __future__ import annotations

import datetime as dt
from typing import Any

import scrapy

from radar.spiders.items import MentionItem


class RadarSpider(scrapy.Spider):
    """Base class. Constructed with ``source``: a dict with ``name``, ``kind``, ``settings`` (the
    source's keys from sources.toml: base_url, url, subreddit, query, …) and ``cursor`` (the
    high-water mark the last successful run left, ``{}`` at first).

    A spider reads ``self.cursor`` to ask only for what is new and records what it has seen in
    ``self.new_cursor``; the crawl runner saves ``new_cursor`` when the run ends without a fatal
    error, so a crash means the next run fetches the same posts again and the dedupe step drops them.

    Problems a spider meets (invalid JSON, an unparseable page, an API error message) go to
    ``record_error(reason, url, fatal=...)``; the runner stores them in the crawl run. A fatal
    error marks the run failed (and the cursor is not saved); ``record_warning`` notes something
    odd that did not stop the spider (e.g. an ill-formed feed that still had entries).
    Feeds get the stored HTTP validators in ``self.etag``/``self.last_modified`` and report new
    ones in ``self.new_validators``.
    """

    default_base_url: str = ""

    def __init__(self, source: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = source or {}
        self.source_name: str = source.get("name", self.name)
        self.source_settings: dict[str, Any] = dict(source.get("settings") or {})
        self.cursor: dict[str, Any] = dict(source.get("cursor") or {})
        self.new_cursor: dict[str, Any] = dict(self.cursor)
        self.max_pages: int = int(source.get("max_pages") or 20)
        self.etag: str | None = source.get("etag")
        self.last_modified: str | None = source.get("last_modified")
        self.new_validators: dict[str, str | None] = {}
        self.timezone: str = source.get("timezone") or "UTC"
        self.errors: list[dict[str, Any]] = []
        self.warnings: list[dict[str, Any]] = []

    def record_error(self, reason: str, url: str | None = None, fatal: bool = False, item: bool = False) -> None:
        """Note a problem for the crawl run. ``fatal``: the source gave nothing usable.
        ``item``: one item was bad (counted as failed), the page was fine."""
        self.errors.append({"reason": reason, "url": url, "fatal": fatal, "item": item})
        self.logger.warning("%s%s", reason, f" ({url})" if url else "")

    def record_warning(self, reason: str, url: str | None = None) -> None:
        self.warnings.append({"reason": reason, "url": url})
        self.logger.info("%s%s", reason, f" ({url})" if url else "")

    @property
    def base_url(self) -> str:
        return (self.source_settings.get("base_url") or self.default_base_url).rstrip("/")

    def setting(self, key: str, default: Any = "") -> Any:
        return self.source_settings.get(key) or default

    def make_item(self, **fields: Any) -> MentionItem:
        item = MentionItem(source=self.source_name, **fields)
        if item.language is None and self.source_settings.get("language"):
            item.extra.setdefault("language_hint", self.source_settings["language"])
        return item

    @staticmethod
    def from_timestamp(value: float | int | str | None) -> dt.datetime | None:
        if value in (None, ""):
            return None
        return dt.datetime.fromtimestamp(float(value), tz=dt.timezone.utc)

    def absolute_url(self, url: str) -> str:
        """``url`` from config as an absolute address: a relative one is joined to ``base_url``;
        with ``base_url`` set, an absolute one keeps its path and query but is fetched from
        ``base_url`` (a self-hosted instance, a proxy, a test server)."""
        from urllib.parse import urlsplit

        url = (url or "").strip()
        base = self.base_url
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            if not base:
                return url
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            base_parts = urlsplit(base)
            if (base_parts.scheme, base_parts.netloc) == (parts.scheme, parts.netloc):
                return url
            return base + (path if path.startswith("/") else "/" + path)
        if not base:
            raise ValueError(f"source {self.source_name!r}: {url!r} is not an absolute URL and no base_url is set")
        return base + (url if url.startswith("/") else "/" + url)

    def parse_date(self, value: str | None) -> dt.datetime | None:
        """A post's time from text (ISO 8601, RFC 822, '24.11.2025 13:47', 'heute, 10:15',
        '3. März 2025'), as aware UTC; times without a zone are in the instance's time zone."""
        from radar.spiders.dates import parse_date

        return parse_date(value, self.timezone)
