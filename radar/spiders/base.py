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
