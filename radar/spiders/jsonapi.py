"""What the JSON API spiders (reddit, hackernews, stackexchange, discourse, mastodon) share:
decoding JSON with a clear error, recording errors for the crawl run, pausing when an API asks
for it, and a cursor that only moves forward when the listing was walked to its end.

Cursor rule: a spider walks a listing newest-first until it meets the old high-water mark, runs
out of pages or reaches ``max_pages``; only then does it call :meth:`advance_cursor`. When the walk
stops early (rate limit exhausted, quota low, an error page) it calls :meth:`hold_cursor`, so the
next run fetches the same window again and the dedupe pipeline drops what was already stored.
Nothing between the old mark and the newest post is ever skipped because of a failed run.
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
import json
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from radar.spiders.base import RadarSpider

# HTTP statuses whose JSON body explains the problem; the callbacks read them instead of
# letting HttpErrorMiddleware drop the response silently.
ERROR_STATUSES = [400, 401, 403, 404, 410, 422, 429]


class ApiError(Exception):
    """An API said no (error body, HTTP error, invalid JSON); the message says what and how to fix."""


class JsonApiSpider(RadarSpider):
    """Base of the API spiders. Subclasses set ``name`` and ``default_base_url``."""

    #: longest pause (seconds) a spider waits inside one run when an API asks it to slow down;
    #: a longer wait ends the walk and the next scheduled run resumes.
    max_wait: float = 60.0

    def __init__(self, source: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(source, *args, **kwargs)
        self.stop_reason: str | None = None
        self.pages: int = 0
        self._cursor_held = False
        self._seen: set[str] = set()

    # ------------------------------------------------------------------ errors and cursor
    # Errors go to RadarSpider.record_error(reason, url, fatal=...): fatal when the source gave
    # nothing usable (the first listing page failed), so the runner marks the run failed.

    def fail(self, reason: str, url: str | None = None) -> None:
        """An error that ends the walk: recorded (fatal on the first page) and the cursor kept."""
        self.record_error(reason, url, fatal=self.pages <= 1)
        self.hold_cursor("error")

    def hold_cursor(self, reason: str) -> None:
        """Keep the old high-water mark: the walk did not reach it, the next run tries again."""
        self._cursor_held = True
        self.stop_reason = reason
        self.new_cursor = dict(self.cursor)
        self.logger.info("%s: cursor kept (%s)", self.source_name, reason)

    def advance_cursor(self, **marks: Any) -> None:
        """Move the high-water mark forward once the walk is complete (unless it was held)."""
        if self._cursor_held:
            return
        merged = dict(self.cursor)
        merged.update({k: v for k, v in marks.items() if v is not None})
        self.new_cursor = merged

    def listed(self, key: Any) -> bool:
        """True the first time a listing shows ``key`` in this run. A page that shows nothing new
        ends the walk: some servers (proxies, replays) answer every page with the first one."""
        return self.first_time(f"listed:{key}")

    def first_time(self, key: str) -> bool:
        """True the first time ``key`` is seen in this run (drops duplicates across pages)."""
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    # ------------------------------------------------------------------ HTTP helpers
    def api_url(self, path: str, params: dict[str, Any] | None = None) -> str:
        """``base_url`` + path + query; parameters that are None are left out ("" is kept)."""
        query = urlencode({k: v for k, v in (params or {}).items() if v is not None})
        return f"{self.base_url}{path}" + (f"?{query}" if query else "")

    def load_json(self, response: Response) -> Any:
        """Decode a JSON body (gzip too, even when the server forgot Content-Encoding).

        Raises :class:`ApiError` naming the URL and what came back instead of JSON."""
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gzip.decompress(body)
            except OSError as exc:
                raise ApiError(f"corrupt gzip body from {response.url}: {exc}") from exc
        if not body.strip():
            raise ApiError(f"empty body (HTTP {response.status}) from {response.url}")
        try:
            return json.loads(body)
        except ValueError as exc:
            head = body[:80].decode("utf-8", "replace").strip()
            raise ApiError(
                f"invalid JSON (HTTP {response.status}) from {response.url}: {exc}; "
                f"the body starts with {head!r} — is base_url an API endpoint?"
            ) from exc

    @staticmethod
    def describe_failure(failure: Failure) -> tuple[str, str]:
        """(message, url) for a failed request."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if failure.check(HttpError):
            response = failure.value.response
            return f"HTTP {response.status} from {response.url}", url
        return f"{failure.type.__name__} fetching {url}: {failure.getErrorMessage()}", url

    def _note_failure(self, failure: Failure, fatal: bool) -> None:
        # radar.middlewares.CrawlReportMiddleware already records finally failed requests with a
        # reason a person can act on; record here only when it did not (a bare Scrapy run).
        message, url = self.describe_failure(failure)
        if not any(e.get("url") == url for e in self.errors):
            self.record_error(message, url, fatal=fatal)

    def on_error(self, failure: Failure) -> None:
        """Errback of listing pages: the walk ends here and the cursor stays where it was."""
        self._note_failure(failure, fatal=self.pages == 0)
        self.hold_cursor("request failed")

    def on_detail_error(self, failure: Failure) -> None:
        """Errback of detail requests (a topic, a comment tree): not fatal, but the cursor stays
        so the next run fetches the detail again."""
        self._note_failure(failure, fatal=False)
        self.hold_cursor("detail failed")

    async def pause(self, seconds: float) -> None:
        """Wait without blocking the reactor (an API asked us to slow down)."""
        if seconds <= 0:
            return
        from twisted.internet import reactor, task

        from scrapy.utils.defer import maybe_deferred_to_future

        self.logger.info("%s: waiting %.1f s as the API asked", self.source_name, seconds)
        await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))

    # ------------------------------------------------------------------ parsing helpers
    @staticmethod
    def parse_time(value: Any) -> dt.datetime | None:
        """ISO 8601 (with Z or an offset) or Unix seconds to an aware UTC datetime."""
        if value in (None, ""):
            return None
        if isinstance(value, (int, float)) or (isinstance(value, str) and value.replace(".", "", 1).isdigit()):
            return dt.datetime.fromtimestamp(float(value), tz=dt.timezone.utc)
        text = str(value).strip().replace("Z", "+00:00").replace("z", "+00:00")
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        if parsed.tzinfo is None:  # APIs that omit the zone mean UTC
            parsed = parsed.replace(tzinfo=dt.timezone.utc)
        return parsed.astimezone(dt.timezone.utc)

    @staticmethod
    def unescape(value: Any) -> str:
        return html.unescape(str(value)) if value not in (None, "") else ""
