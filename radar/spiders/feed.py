"""Feeds: RSS 0.9x/1.0/2.0, Atom and JSON Feed. Scrapy fetches (conditional GET with the stored
ETag/Last-Modified), feedparser parses the bytes (encodings, ill-formed XML)."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from typing import Any

import feedparser
import scrapy
from scrapy.http import Response

from radar.spiders.base import RadarSpider


def _struct_to_datetime(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(value), tz=dt.timezone.utc)
    except (OverflowError, ValueError, TypeError):
        return None


def entry_body(entry: Any) -> tuple[str, str]:
    """The fullest text of an entry and its format: content (content:encoded, Atom content)
    before summary/description."""
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        if value.strip():
            return value, "text" if content.get("type") == "text/plain" else "html"
    detail = entry.get("summary_detail") or {}
    summary = entry.get("summary") or ""
    return summary, "text" if detail.get("type") == "text/plain" else "html"


def entry_author(entry: Any) -> str | None:
    """A handle for linking, no e-mail address: the author's name as the feed gives it."""
    detail = entry.get("author_detail") or {}
    name = detail.get("name") or entry.get("author") or ""
    if "@" in name and "(" in name and name.endswith(")"):  # RSS "mail@example.com (Name)"
        name = name[name.index("(") + 1:-1]
    elif "@" in name and " " not in name.strip():
        name = name.split("@", 1)[0]
    return name.strip() or None


def looks_like_json(body: bytes, content_type: str | None) -> bool:
    head = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") or "json" in (content_type or "").lower()


def parse_json_feed(body: bytes, url: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org), which feedparser 6.0 does not read."""
    import json
    from urllib.parse import urljoin

    from radar.spiders.dates import parse_date

    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        return {"version": "", "bozo": True, "bozo_exception": exc}, []
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")) or not isinstance(data.get("items"), list):
        return {"version": "", "bozo": True, "bozo_exception": ValueError("JSON, but not a JSON Feed (no jsonfeed.org version and items)")}, []
    language = data.get("language") or None
    feed_authors = data.get("authors") or ([data["author"]] if isinstance(data.get("author"), dict) else [])
    feed_author = next((a.get("name") for a in feed_authors if isinstance(a, dict) and a.get("name")), None)
    items = []
    for entry in data["items"]:
        if not isinstance(entry, dict):
            continue
        authors = entry.get("authors") or ([entry["author"]] if isinstance(entry.get("author"), dict) else [])
        author = next((a.get("name") for a in authors if isinstance(a, dict) and a.get("name")), feed_author)
        if entry.get("content_html"):
            text, fmt = entry["content_html"], "html"
        else:
            text, fmt = entry.get("content_text") or entry.get("summary") or "", "text"
        link = urljoin(url, entry.get("url") or entry.get("external_url") or "")
        external_id = str(entry.get("id") or link or "")
        if not external_id:
            external_id = "sha1:" + hashlib.sha1(f"{entry.get('title', '')}\x1f{text}".encode("utf-8", "replace")).hexdigest()
        extra: dict[str, Any] = {"kind": "post"}
        if entry.get("tags"):
            extra["tags"] = [str(t) for t in entry["tags"]][:20]
        items.append(dict(
            external_id=external_id, url=link, title=entry.get("title") or "", body=text, body_format=fmt,
            author=author, published_at=parse_date(entry.get("date_published") or entry.get("date_modified")),
            language=entry.get("language") or language, extra=extra,
        ))
    return {"version": "json" + str(data["version"]).rstrip("/").rsplit("/", 1)[-1].replace(".", ""), "bozo": False, "encoding": "utf-8"}, items


def feedparser_parse(body: bytes, url: str, content_type: str | None = None) -> Any:
    """feedparser on the bytes of one response, as the feed spider calls it (``bench/ingest.py``
    times this very call as its parse-only figure)."""
    # No sanitising: the clean pipeline turns HTML into plain text with lxml (scripts and styles
    # dropped), which is what sanitising would protect; this halves the parse time. No
    # Content-Location either: with it feedparser joins every href with the response's URL
    # (a quarter of its time on the recorded feeds); parse_feed_entries joins the one link per
    # entry it keeps. A feed's own xml:base is still applied by feedparser.
    headers = {"content-type": content_type} if content_type else {}
    return feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False)


def parse_feed_entries(body: bytes, url: str, content_type: str | None = None) -> tuple[Any, list[dict[str, Any]]]:
    """feedparser's result (or the JSON Feed equivalent) and the entries as plain dicts for
    :class:`MentionItem` (no Scrapy)."""
    if looks_like_json(body, content_type):
        info, items = parse_json_feed(body, url)
        if items or info.get("version") or body[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            return info, items
    parsed = feedparser_parse(body, url, content_type)
    feed_language = (parsed.feed.get("language") or "") if parsed.get("feed") else ""
    from urllib.parse import urljoin, urlsplit

    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        if link and not link.startswith(("https://", "http://")):
            link = urljoin(url, link)
        text, fmt = entry_body(entry)
        title = entry.get("title") or ""
        published = _struct_to_datetime(entry.get("published_parsed")) or _struct_to_datetime(entry.get("updated_parsed"))
        external_id = entry.get("id") or link
        if external_id.startswith(origin + "/"):
            # ids are the feed's own; keep them independent of the host it was fetched from
            external_id = external_id[len(origin):]
        if not external_id:
            external_id = "sha1:" + hashlib.sha1(f"{title}\x1f{text}".encode("utf-8", "replace")).hexdigest()
        extra: dict[str, Any] = {"kind": "post"}
        tags = [t.get("term") for t in entry.get("tags") or [] if t.get("term")]
        if tags:
            extra["tags"] = tags[:20]
        reply_to = entry.get("thr_in-reply-to")
        if reply_to:
            extra["kind"] = "comment"
            extra["parent_id"] = reply_to.get("ref") or reply_to.get("href")
        items.append(dict(
            external_id=str(external_id), url=link, title=title, body=text, body_format=fmt,
            author=entry_author(entry), published_at=published,
            language=(entry.get("language") or (entry.get("title_detail") or {}).get("language") or feed_language or None),
            extra=extra,
        ))
    return parsed, items


class FeedSpider(RadarSpider):
    """Source keys: ``url`` (absolute, or relative to ``base_url``), optional ``language``.

    @url one RSS/Atom/RDF/JSON feed
    @returns items 0
    """

    name = "feed"
    handle_httpstatus_list = [304]

    async def start(self):
        try:
            url = self.absolute_url(self.setting("url"))
        except ValueError as exc:
            self.record_error(str(exc), fatal=True)
            return
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        yield scrapy.Request(url, headers=headers, callback=self.parse, dont_filter=True)

    def parse(self, response: Response):
        if response.status == 304:
            self.logger.info("feed %s not modified", response.url)
            return
        self.new_validators = {
            "etag": (response.headers.get("ETag") or b"").decode("latin-1") or None,
            "last_modified": (response.headers.get("Last-Modified") or b"").decode("latin-1") or None,
        }
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        body = response.body
        if not body.strip():
            self.record_error(f"the feed at {response.url} is empty (HTTP {response.status} with no body)", url=response.url, fatal=True)
            return
        parsed, entries = parse_feed_entries(body, response.url, content_type)
        problem = parsed.get("bozo_exception")
        if not entries:
            if parsed.get("version"):
                if parsed.get("bozo"):
                    self.record_warning(f"ill-formed feed without entries: {problem.__class__.__name__}: {problem}", url=response.url)
                self.logger.info("feed %s has no entries", response.url)
                return
            what = f"{problem.__class__.__name__}: {problem}" if problem else "no feed elements found"
            self.record_error(f"{response.url} is not a readable RSS/Atom/JSON feed ({what}); check the source's url",
                              url=response.url, fatal=True)
            return
        if parsed.get("bozo"):
            self.record_warning(f"ill-formed feed, {len(entries)} entries read anyway: {problem.__class__.__name__}: {problem}", url=response.url)
        newest = self.cursor.get("newest")
        for fields in entries:
            if fields["published_at"] and (newest is None or fields["published_at"].isoformat() > newest):
                newest = fields["published_at"].isoformat()
            yield self.make_item(**fields)
        if newest:
            self.new_cursor["newest"] = newest
