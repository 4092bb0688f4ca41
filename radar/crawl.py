"""The crawl runner: one source, one Scrapy crawl, one recorded crawl run.

``run_crawl(cfg, name)`` runs a source's spider through Scrapy's downloader (robots.txt,
AutoThrottle, per-domain limits, retries with backoff, Retry-After, size limits, a whole-crawl
timeout), stores the mentions through :mod:`radar.pipelines`, and records a :class:`CrawlRun`
and the source's health and cursor. It blocks and runs in the calling process: Twisted's
reactor cannot be restarted, so it runs once per process in a background thread and every
crawl is scheduled onto it.

``python -m radar.crawl --source NAME`` runs one source in a process of its own and prints one
JSON line (:meth:`CrawlResult.to_json`); its exit code is 0 for ok/partial and 1 otherwise.
``radar crawl`` and the service start one such process per source, so a crash or hang of one
source cannot take down the others.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from radar.config import Config, SourceConfig, load_config, parse_duration
from radar.models import CrawlRun, Source, utcnow

log = logging.getLogger(__name__)

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
MAX_RECORDED_ERRORS = 50
#: extra seconds a crawl gets beyond ``[crawl] crawl_timeout`` before it is cut off hard
HARD_TIMEOUT_GRACE = 60.0
OK_STATUSES = ("ok", "partial")


class CrawlError(Exception):
    """The crawl could not start (unknown source, no spider for its kind, config problem)."""


@dataclass
class CrawlResult:
    """What one crawl of one source did. ``status``: ok, partial, failed, timeout or aborted."""

    source: str
    status: str
    run_id: int | None = None
    pages: int = 0
    items_new: int = 0
    items_duplicate: int = 0
    items_failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    started_at: str = ""
    finished_at: str = ""
    duration: float = 0.0
    cursor_saved: bool = False

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    @property
    def first_error(self) -> str | None:
        return self.errors[0]["reason"] if self.errors else None

    def to_json(self) -> str:
        """One line: ``{"source": ..., "status": ..., "run_id": ..., "pages": ..., "items_new": ...,
        "items_duplicate": ..., "items_failed": ..., "errors": [{"reason", "url"}...], ...}``"""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> "CrawlResult":
        data = json.loads(line)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


# --------------------------------------------------------------------------- settings
def crawl_settings(cfg: Config) -> dict[str, Any]:
    """Scrapy settings from ``[crawl]``: politeness, limits, retries, our middlewares/pipelines."""
    c = cfg.settings.crawl
    from radar.pipelines import ITEM_PIPELINES

    return {
        "BOT_NAME": "business-radar",
        "USER_AGENT": c.user_agent.replace("{contact_url}", c.contact_url),
        "ROBOTSTXT_OBEY": c.obey_robots_txt,
        "DOWNLOAD_DELAY": c.download_delay,
        # few requests handed to the downloader at once, so a crawl timeout or shutdown stops soon
        "CONCURRENT_REQUESTS": c.concurrent_requests_per_domain + 1,
        "CONCURRENT_REQUESTS_PER_DOMAIN": c.concurrent_requests_per_domain,
        "AUTOTHROTTLE_ENABLED": c.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(c.download_delay, 0.1),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(c.concurrent_requests_per_domain),
        "DOWNLOAD_TIMEOUT": c.download_timeout,
        "DOWNLOAD_MAXSIZE": c.max_response_bytes,
        "DOWNLOAD_WARNSIZE": max(1, c.max_response_bytes // 2),
        "RETRY_ENABLED": c.retry_times > 0,
        "RETRY_TIMES": c.retry_times,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408],
        "RADAR_RETRY_BACKOFF": c.retry_backoff,
        "RADAR_MAX_RETRY_AFTER": c.max_retry_after,
        "CLOSESPIDER_TIMEOUT": parse_duration(c.crawl_timeout),
        "REDIRECT_MAX_TIMES": 5,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOGSTATS_INTERVAL": 0,
        "HTTPCACHE_ENABLED": False,
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "application/json, application/rss+xml, application/atom+xml, application/xml;q=0.9, text/html;q=0.8, */*;q=0.5",
            "Accept-Language": "de, en;q=0.8",
        },
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "radar.middlewares.PoliteRetryMiddleware": 550,
            "radar.middlewares.CrawlReportMiddleware": 50,
            "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
            "radar.middlewares.ReportingRedirectMiddleware": 600,
            "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
            "radar.middlewares.ReportingHttpCompressionMiddleware": 590,
        },
        "ITEM_PIPELINES": dict(ITEM_PIPELINES),
        "TWISTED_REACTOR": ASYNCIO_REACTOR,
    }


def spider_source(cfg: Config, src: Source, *, fresh: bool = False) -> dict[str, Any]:
    """The ``source`` dict a :class:`~radar.spiders.base.RadarSpider` is built with."""
    return {
        "name": src.name,
        "kind": src.kind,
        "settings": dict(src.settings or {}),
        "cursor": {} if fresh else dict(src.cursor or {}),
        "etag": None if fresh else src.etag,
        "last_modified": None if fresh else src.last_modified,
        "max_pages": cfg.settings.crawl.max_pages,
        "timezone": cfg.settings.general.timezone,
    }


# --------------------------------------------------------------------------- the reactor thread
_reactor_lock = threading.Lock()
_reactor_thread: threading.Thread | None = None


def _reactor():
    """The Twisted reactor (asyncio flavour), running in a daemon thread of this process."""
    global _reactor_thread
    from scrapy.utils.reactor import install_reactor, is_reactor_installed

    with _reactor_lock:
        if not is_reactor_installed():
            install_reactor(ASYNCIO_REACTOR)
        from twisted.internet import reactor

        if _reactor_thread is None and not reactor.running:
            _reactor_thread = threading.Thread(target=reactor.run, kwargs={"installSignalHandlers": False},
                                               name="radar-reactor", daemon=True)
            _reactor_thread.start()
    if threading.current_thread() is _reactor_thread:
        raise CrawlError("run_crawl() blocks and cannot be called from the reactor thread")
    return reactor


class _Crawl:
    """One Scrapy crawl scheduled on the reactor thread; ``wait()`` blocks for it."""

    def __init__(self, spidercls: type, settings: dict[str, Any], source: dict[str, Any], extra_pipelines: dict | None = None) -> None:
        self.spidercls = spidercls
        self.settings = dict(settings)
        if extra_pipelines:
            self.settings["ITEM_PIPELINES"] = {**self.settings["ITEM_PIPELINES"], **extra_pipelines}
        self.source = source
        self.crawler = None
        self.spider_errors: list[dict[str, Any]] = []
        self.close_reason: str | None = None
        self.done: concurrent.futures.Future = concurrent.futures.Future()
        self.reactor = _reactor()

    def start(self) -> "_Crawl":
        self.reactor.callFromThread(self._start)
        return self

    def _start(self) -> None:
        from scrapy import signals
        from scrapy.crawler import CrawlerRunner

        try:
            runner = CrawlerRunner(self.settings)
            crawler = runner.create_crawler(self.spidercls)
            crawler.signals.connect(self._on_spider_error, signal=signals.spider_error)
            crawler.signals.connect(self._on_closed, signal=signals.spider_closed)
            self.crawler = crawler
            d = runner.crawl(crawler, source=self.source)
        except Exception as exc:  # noqa: BLE001
            self.done.set_exception(exc)
            return
        d.addCallbacks(lambda _: self.done.set_result(crawler), lambda f: self.done.set_exception(f.value))

    def _on_spider_error(self, failure, response, spider) -> None:
        exc = failure.value
        self.spider_errors.append({"reason": f"spider error on {response.url}: {exc.__class__.__name__}: {exc}", "url": response.url, "fatal": False})

    def _on_closed(self, spider, reason) -> None:
        self.close_reason = reason

    def stop(self, reason: str = "shutdown") -> None:
        """Ask the crawl to close (from any thread); stored mentions stay stored."""
        def _close() -> None:
            crawler = self.crawler
            if crawler is None or not getattr(crawler, "crawling", False):
                return
            import asyncio

            try:
                asyncio.ensure_future(crawler.engine.close_spider_async(reason=reason))
            except RuntimeError:
                pass
        self.reactor.callFromThread(_close)

    def wait(self, timeout: float | None) -> bool:
        try:
            self.done.result(timeout=timeout)
            return True
        except concurrent.futures.TimeoutError:
            return False


# --------------------------------------------------------------------------- database steps
def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def close_stale_runs(session: Session, source_id: int, status: str = "aborted") -> int:
    """Runs still marked ``running`` whose process is gone (killed, crashed) become ``aborted``."""
    n = 0
    for run in session.scalars(select(CrawlRun).where(CrawlRun.source_id == source_id, CrawlRun.status == "running")):
        if run.pid == os.getpid() or not _pid_alive(run.pid):
            run.status = status
            run.finished_at = run.finished_at or utcnow()
            run.errors = list(run.errors or []) + [{"reason": "the crawl process ended without finishing (killed or crashed)", "url": None}]
            n += 1
    return n


def mark_run_finished(session: Session, run_id: int, status: str, reason: str) -> None:
    """Close a run another process left open (used by ``radar crawl`` when it kills a hung child)."""
    run = session.get(CrawlRun, run_id)
    if run is None or run.status != "running":
        return
    run.status, run.finished_at = status, utcnow()
    run.errors = list(run.errors or []) + [{"reason": reason, "url": None}]
    src = session.get(Source, run.source_id)
    if src is not None:
        src.last_run_at, src.last_status, src.last_error = run.finished_at, status, reason
        src.error_streak = (src.error_streak or 0) + 1


def ensure_source(session: Session, cfg: Config, name: str) -> Source:
    """The source row for ``name``, created or updated from sources.toml when the config has it."""
    from radar.sync import _SOURCE_COMMON

    sc: SourceConfig | None = next((s for s in cfg.sources if s.name == name), None)
    src = session.scalar(select(Source).where(Source.name == name))
    if sc is None:
        if src is None:
            known = ", ".join(s.name for s in cfg.sources) or "(none)"
            raise CrawlError(f"unknown source {name!r}; sources in {cfg.folder / 'sources.toml'}: {known}")
        return src
    settings = sc.model_dump(exclude=_SOURCE_COMMON)
    if src is None:
        src = Source(name=sc.name, kind=sc.kind, settings=settings, interval_seconds=int(sc.interval_seconds), enabled=sc.enabled)
        session.add(src)
        session.flush()
    elif (src.kind, src.settings) != (sc.kind, settings):
        if src.kind != sc.kind:
            src.cursor, src.etag, src.last_modified = {}, None, None
        src.kind, src.settings = sc.kind, settings
    return src


# --------------------------------------------------------------------------- run_crawl
def _status(close_reason: str | None, finished: bool, stats: dict[str, Any], errors: list[dict[str, Any]]) -> str:
    if not finished or close_reason == "closespider_timeout":
        return "timeout"
    if close_reason in ("shutdown", "cancelled"):
        return "aborted"
    pages_ok = stats.get("radar/pages_ok", 0)
    if any(e.get("fatal") for e in errors):
        return "failed"
    if pages_ok == 0:
        return "failed"
    if errors or stats.get("radar/items_failed", 0):
        return "partial"
    return "ok"


def run_crawl(cfg: Config, source_name: str, *, db_url: str | None = None, timeout: float | None = None,
              stop_event: threading.Event | None = None) -> CrawlResult:
    """Crawl one source now, store its new mentions and record the run. Blocks.

    ``timeout`` (seconds, default ``[crawl] crawl_timeout``) closes the crawl gracefully; what was
    stored stays stored. ``stop_event`` set from another thread (a signal handler) aborts it.

    Example: ``result = run_crawl(load_config(), "hn-ask"); print(result.status, result.items_new)``
    """
    from radar.db import get_sessionmaker
    from radar.spiders import spider_class

    db_url = db_url or cfg.database_url
    factory = get_sessionmaker(db_url)
    crawl_timeout = timeout if timeout is not None else parse_duration(cfg.settings.crawl.crawl_timeout)
    started = utcnow()
    with factory.begin() as s:
        src = ensure_source(s, cfg, source_name)
        close_stale_runs(s, src.id)
        try:
            spidercls = spider_class(src.kind)
        except (KeyError, ImportError, AttributeError) as exc:
            raise CrawlError(f"source {source_name!r}: {exc}") from exc
        run = CrawlRun(source_id=src.id, started_at=started, status="running", pid=os.getpid(), cursor_before=dict(src.cursor or {}))
        s.add(run)
        s.flush()
        run_id, source_id = run.id, src.id
        source = spider_source(cfg, src)

    settings = crawl_settings(cfg)
    settings.update({"RADAR_DATABASE_URL": db_url, "RADAR_SOURCE_ID": source_id, "CLOSESPIDER_TIMEOUT": crawl_timeout})
    crawl = _Crawl(spidercls, settings, source)
    start_error: str | None = None
    finished = False
    t0 = time.monotonic()
    try:
        crawl.start()
        deadline = t0 + crawl_timeout + HARD_TIMEOUT_GRACE
        while True:
            if crawl.wait(0.2):
                finished = True
                break
            if stop_event is not None and stop_event.is_set():
                crawl.stop("shutdown")
                stop_event = None  # ask once, then wait for the close
                deadline = min(deadline, time.monotonic() + 30)
            if time.monotonic() > deadline:
                crawl.stop("closespider_timeout")
                finished = crawl.wait(10)
                break
    except Exception as exc:  # noqa: BLE001 - the crawl must end in a recorded run
        log.exception("crawl of %s failed to start", source_name)
        start_error = f"the crawl could not run: {exc.__class__.__name__}: {exc}"
    if crawl.done.done() and crawl.done.exception() is not None and start_error is None:
        exc = crawl.done.exception()
        start_error = f"the crawl could not run: {exc.__class__.__name__}: {exc}"

    crawler = crawl.crawler
    spider = getattr(crawler, "spider", None) if crawler is not None else None
    stats: dict[str, Any] = dict(crawler.stats.get_stats()) if crawler is not None and getattr(crawler, "_stats", None) else {}
    errors: list[dict[str, Any]] = list(getattr(spider, "errors", []) or []) + crawl.spider_errors
    warnings = list(getattr(spider, "warnings", []) or [])
    if start_error:
        errors.insert(0, {"reason": start_error, "url": None, "fatal": True})
    if not finished and not start_error:
        errors.append({"reason": f"the crawl did not finish within {crawl_timeout:.0f} s ([crawl] crawl_timeout) and was stopped", "url": None})
    elif crawl.close_reason == "closespider_timeout":
        errors.append({"reason": f"the crawl was stopped after {crawl_timeout:.0f} s ([crawl] crawl_timeout); the next run continues", "url": None})
    status = "failed" if start_error else _status(crawl.close_reason, finished, stats, errors)
    request_failures = stats.get("radar/request_failures", 0)
    save_cursor = status in OK_STATUSES and request_failures == 0 and not any(e.get("fatal") for e in errors)
    finished_at = utcnow()
    result = CrawlResult(
        source=source_name, status=status, run_id=run_id,
        pages=int(stats.get("radar/pages", 0)),
        items_new=int(stats.get("radar/items_new", 0)),
        items_duplicate=int(stats.get("radar/items_duplicate", 0)),
        items_failed=int(stats.get("radar/items_failed", 0)),
        errors=[{"reason": e["reason"], "url": e.get("url")} for e in errors[:MAX_RECORDED_ERRORS]],
        warnings=[{"reason": w["reason"], "url": w.get("url")} for w in warnings[:MAX_RECORDED_ERRORS]],
        started_at=started.isoformat(), finished_at=finished_at.isoformat(),
        duration=round(time.monotonic() - t0, 3), cursor_saved=save_cursor,
    )
    if len(errors) > MAX_RECORDED_ERRORS:
        result.errors.append({"reason": f"... and {len(errors) - MAX_RECORDED_ERRORS} more errors", "url": None})
    _record(factory, result, source_id, spider if save_cursor else None)
    return result


def _record(factory, result: CrawlResult, source_id: int, spider: Any) -> None:
    finished_at = dt.datetime.fromisoformat(result.finished_at)
    with factory.begin() as s:
        run = s.get(CrawlRun, result.run_id)
        src = s.get(Source, source_id)
        run.status, run.finished_at = result.status, finished_at
        run.pages, run.items_new, run.items_duplicate, run.items_failed = result.pages, result.items_new, result.items_duplicate, result.items_failed
        run.errors = result.errors + [dict(w, warning=True) for w in result.warnings]
        src.last_run_at, src.last_status = finished_at, result.status
        src.last_error = result.first_error
        src.error_streak = 0 if result.ok else (src.error_streak or 0) + 1
        src.items_total = (src.items_total or 0) + result.items_new
        if spider is not None:
            new_cursor = dict(getattr(spider, "new_cursor", {}) or {})
            src.cursor = new_cursor
            validators = getattr(spider, "new_validators", {}) or {}
            if "etag" in validators:
                src.etag = validators["etag"]
            if "last_modified" in validators:
                src.last_modified = validators["last_modified"]
        run.cursor_after = dict(src.cursor or {})


# --------------------------------------------------------------------------- sources check
@dataclass
class CheckedItem:
    item: Any
    would_store: bool
    duplicate_reason: str = ""


@dataclass
class CheckResult:
    source: str
    status: str
    pages: int
    items: list[CheckedItem]
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]


_COLLECTORS: dict[str, list[Any]] = {}


class _CollectPipeline:
    """Keeps prepared items in memory (``radar sources check``): a list named by the setting
    ``RADAR_COLLECT``."""

    def __init__(self, sink: list[Any]) -> None:
        self.sink = sink

    @classmethod
    def from_crawler(cls, crawler):
        return cls(_COLLECTORS[crawler.settings.get("RADAR_COLLECT")])

    def process_item(self, item):
        self.sink.append(item)
        return item


def check_source(cfg: Config, source_name: str, *, db_url: str | None = None, timeout: float = 120.0) -> CheckResult:
    """Fetch a source once from scratch (no cursor, no validators), prepare every item as the
    pipelines would, and say which ones would be stored. Writes nothing to the database."""
    from sqlalchemy import or_

    from radar.db import get_sessionmaker
    from radar.models import Mention
    from radar.spiders import spider_class

    db_url = db_url or cfg.database_url
    factory = get_sessionmaker(db_url)
    with factory() as s:
        sc = next((x for x in cfg.sources if x.name == source_name), None)
        src = s.scalar(select(Source).where(Source.name == source_name))
        if sc is not None:
            from radar.sync import _SOURCE_COMMON

            probe = Source(name=sc.name, kind=sc.kind, settings=sc.model_dump(exclude=_SOURCE_COMMON), cursor={})
        elif src is not None:
            probe = src
        else:
            known = ", ".join(x.name for x in cfg.sources) or "(none)"
            raise CrawlError(f"unknown source {source_name!r}; sources in {cfg.folder / 'sources.toml'}: {known}")
        source = spider_source(cfg, probe, fresh=True)
        source_id = src.id if src is not None else None
        spidercls = spider_class(probe.kind)
        s.expunge_all()

    import uuid

    token = uuid.uuid4().hex
    collected: list[Any] = []
    _COLLECTORS[token] = collected
    settings = crawl_settings(cfg)
    settings.update({"CLOSESPIDER_TIMEOUT": timeout, "RADAR_COLLECT": token})
    crawl = _Crawl(spidercls, settings, source, extra_pipelines={"radar.crawl._CollectPipeline": 950})
    try:
        crawl.start()
        finished = crawl.wait(timeout + HARD_TIMEOUT_GRACE)
        if not finished:
            crawl.stop("closespider_timeout")
            crawl.wait(10)
    finally:
        _COLLECTORS.pop(token, None)
    crawler = crawl.crawler
    spider = getattr(crawler, "spider", None)
    stats = dict(crawler.stats.get_stats()) if crawler is not None and getattr(crawler, "_stats", None) else {}
    errors = list(getattr(spider, "errors", []) or []) + crawl.spider_errors
    if crawl.done.done() and crawl.done.exception() is not None:
        errors.insert(0, {"reason": f"the crawl could not run: {crawl.done.exception()}", "url": None, "fatal": True})
    status = _status(crawl.close_reason, finished, stats, errors)
    checked: list[CheckedItem] = []
    with factory() as s:
        t = Mention.__table__
        for item in collected:
            reason = ""
            conds = [t.c.content_hash == item.content_hash]
            if source_id is not None:
                conds.append((t.c.source_id == source_id) & (t.c.external_id == item.external_id))
            if item.canonical_url:
                conds.append(t.c.canonical_url == item.canonical_url)
            row = s.execute(select(t.c.source_id, t.c.external_id, t.c.canonical_url).where(or_(*conds)).limit(1)).first()
            if row is not None:
                if row.external_id == item.external_id and row.source_id == source_id:
                    reason = "already stored"
                elif item.canonical_url and row.canonical_url == item.canonical_url:
                    reason = "same URL already stored"
                elif row.source_id == source_id:
                    reason = "same text already stored"
            checked.append(CheckedItem(item, not reason, reason))
    return CheckResult(source_name, status, int(stats.get("radar/pages", 0)), checked,
                       [{"reason": e["reason"], "url": e.get("url")} for e in errors],
                       [{"reason": w["reason"], "url": w.get("url")} for w in getattr(spider, "warnings", []) or []])


# --------------------------------------------------------------------------- subprocess entry
def crawl_command(source_name: str, config_dir: str | None = None) -> list[str]:
    """argv of the per-source crawl process (what ``radar crawl`` and the service start)."""
    argv = [sys.executable, "-m", "radar.crawl", "--source", source_name]
    if config_dir:
        argv += ["--config", str(config_dir)]
    return argv


def main(argv: list[str] | None = None) -> int:
    """``python -m radar.crawl --source NAME [--config DIR]``: crawl one source, print one JSON
    line (the :class:`CrawlResult`), exit 0 when ok/partial and 1 otherwise (2: cannot start)."""
    parser = argparse.ArgumentParser(prog="python -m radar.crawl", description="Crawl one source and record the run.")
    parser.add_argument("--source", dest="source", help="name of the source in sources.toml")
    parser.add_argument("name", nargs="?", help="same as --source")
    parser.add_argument("--config", help="config folder (default: $RADAR_CONFIG or ./config)")
    parser.add_argument("--timeout", type=float, default=None, help="seconds (default: [crawl] crawl_timeout)")
    args = parser.parse_args(argv)
    name = args.source or args.name
    if not name:
        parser.error("give the source name: --source NAME")
    from radar.config import ConfigError

    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        print(json.dumps({"source": name, "status": "failed", "errors": [{"reason": p, "url": None} for p in exc.problems]}), flush=True)
        return 2
    logging.basicConfig(level=getattr(logging, cfg.settings.logging.level if cfg.settings.logging.level != "INFO" else "WARNING"),
                        format="%(asctime)s %(levelname)s [%(name)s] %(message)s", stream=sys.stderr)
    stop = threading.Event()

    def _on_signal(signum, _frame) -> None:
        stop.set()
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        result = run_crawl(cfg, name, timeout=args.timeout, stop_event=stop)
    except CrawlError as exc:
        print(json.dumps({"source": name, "status": "failed", "errors": [{"reason": str(exc), "url": None}]}), flush=True)
        return 2
    print(result.to_json(), flush=True)
    return result.exit_code


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # the reactor thread is a daemon; do not wait for it
