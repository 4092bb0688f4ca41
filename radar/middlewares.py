"""Downloader middlewares of every crawl.

``PoliteRetryMiddleware`` replaces Scrapy's RetryMiddleware: the same retry rules, plus a
backoff before each retry (doubling from ``RADAR_RETRY_BACKOFF``) and 429 / 503 answers that
wait as long as their ``Retry-After`` asks, up to ``RADAR_MAX_RETRY_AFTER``; a longer wait ends
the run (the next scheduled run resumes).

``CrawlReportMiddleware`` sits next to the engine and so sees what is left after retries and
redirects: it counts pages and records every request that finally failed (HTTP errors,
timeouts, robots.txt refusals, size limits, redirect loops) with its reason in the spider's
``errors`` list, which the runner stores in the crawl run.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import Any

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

RATE_LIMIT_CODES = (429, 503)


def parse_retry_after(value: str | bytes | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class PoliteRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff = settings.getfloat("RADAR_RETRY_BACKOFF", 2.0)
        self.backoff_max = settings.getfloat("RADAR_RETRY_BACKOFF_MAX", 60.0)
        self.max_retry_after = settings.getfloat("RADAR_MAX_RETRY_AFTER", 600.0)

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler.settings)
        mw.crawler = crawler
        return mw

    def _backoff_for(self, request: Request) -> float:
        tries = request.meta.get("retry_times", 1)
        return min(self.backoff_max, self.backoff * (2 ** max(0, tries - 1)))

    async def _sleep(self, seconds: float) -> None:
        """Wait without blocking the reactor; stop waiting when the crawl is closing."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            engine = getattr(self.crawler, "_engine", None)
            slot = getattr(engine, "_slot", None)
            if engine is None or not engine.running or slot is None or slot.closing is not None:
                return
            await asyncio.sleep(min(left, 0.25))

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False):
            return response
        if response.status == 429 or (response.status in RATE_LIMIT_CODES and response.headers.get("Retry-After")):
            wait = parse_retry_after(response.headers.get("Retry-After"))
            if wait is None:
                wait = self._backoff_for(request)
            if wait > self.max_retry_after:
                reason = (f"rate limited: {request.url} asks to wait {wait:.0f} s (Retry-After), longer than "
                          f"[crawl] max_retry_after = {self.max_retry_after:.0f} s; the next run resumes")
                spider = self.crawler.spider
                if hasattr(spider, "record_error"):
                    spider.record_error(reason, url=request.url)
                self.crawler.stats.inc_value("radar/request_failures")
                self.crawler.stats.set_value("radar/rate_limited", True)
                asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="rate_limited"))
                raise IgnoreRequest(reason)
            retry = self._retry(request, f"{response.status} (Retry-After {wait:.0f} s)")
            if retry is None:
                return response
            self.crawler.stats.inc_value("radar/rate_limit_waits")
            await self._sleep(wait)
            return retry
        if response.status in self.retry_http_codes:
            retry = self._retry(request, f"HTTP {response.status}")
            if retry is None:
                return response
            await self._sleep(self._backoff_for(retry))
            return retry
        return response

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry", False):
            retry = self._retry(request, exception)
            if retry is not None:
                await self._sleep(self._backoff_for(retry))
            return retry
        return None


def _is_robots(request: Request) -> bool:
    return request.url.endswith("/robots.txt")


def describe_exception(exc: BaseException, request: Request, timeout: float | None = None) -> str:
    """A reason a person can act on, for a request that finally failed."""
    name = exc.__class__.__name__
    text = str(exc) or name
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in text:
            return f"robots.txt of the site forbids {request.url}; the site does not want it crawled"
        if "redirect" in text.lower():
            return f"too many redirects (a redirect loop?) starting at {request.url}"
        return f"request to {request.url} was dropped: {text}"
    if "Timeout" in name or "timed out" in text.lower() or "took longer" in text:
        return f"no answer from {request.url} within {timeout or '?'} s (after retries); the server is slow or hanging"
    if "Cancelled" in name or "max size" in text or "maxsize" in text or "larger than download" in text:
        return f"response from {request.url} is larger than [crawl] max_response_bytes and was dropped ({text})"
    if "ConnectionRefused" in name:
        return f"connection refused by {request.url}; is the address right and the server up?"
    if "DNSLookup" in name or "CannotResolveHost" in name:
        return f"host of {request.url} not found (DNS); check the address"
    return f"download of {request.url} failed: {name}: {text}"


class CrawlReportMiddleware:
    """Counts pages and records finally failed requests (see module docstring)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.timeout = crawler.settings.getfloat("DOWNLOAD_TIMEOUT")

    @classmethod
    def from_crawler(cls, crawler) -> "CrawlReportMiddleware":
        return cls(crawler)

    def _fail(self, request: Request, reason: str) -> None:
        self.crawler.stats.inc_value("radar/request_failures")
        spider = self.crawler.spider
        if hasattr(spider, "record_error"):
            spider.record_error(reason, url=request.url)

    def process_response(self, request: Request, response: Response) -> Response:
        if _is_robots(request):
            return response
        stats = self.crawler.stats
        stats.inc_value("radar/pages")
        allowed = set(request.meta.get("handle_httpstatus_list", ())) | set(getattr(self.crawler.spider, "handle_httpstatus_list", ()))
        if 200 <= response.status < 300 or response.status == 304:
            stats.inc_value("radar/pages_ok")
        elif response.status in allowed or request.meta.get("handle_httpstatus_all"):
            pass  # the spider reads this status itself and records what it means
        elif not (300 <= response.status < 400):
            self._fail(request, f"HTTP {response.status} from {response.url}")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not _is_robots(request):
            if isinstance(exception, IgnoreRequest) and str(exception).startswith("rate limited"):
                return None  # already recorded
            self._fail(request, describe_exception(exception, request, self.timeout))
        return None


def _record_request_failure(crawler, request: Request, reason: str) -> None:
    crawler.stats.inc_value("radar/request_failures")
    spider = crawler.spider
    if hasattr(spider, "record_error"):
        spider.record_error(reason, url=request.url)


class ReportingRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects; a redirect loop (more than REDIRECT_MAX_TIMES hops) is recorded."""

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        try:
            return super()._redirect(redirected, request, reason)
        except IgnoreRequest:
            _record_request_failure(self.crawler, request, f"too many redirects (a redirect loop?) at {request.url}; "
                                    "check the source's url")
            raise


class ReportingHttpCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression; a body that unpacks beyond max_response_bytes is recorded."""

    @classmethod
    def from_crawler(cls, crawler):
        mw = super().from_crawler(crawler)
        mw.crawler = crawler
        return mw

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            _record_request_failure(self.crawler, request, f"response from {request.url} is larger than "
                                    f"[crawl] max_response_bytes once decompressed and was dropped ({exc})")
            raise
