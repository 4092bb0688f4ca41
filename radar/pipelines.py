"""Item pipelines: clean → detect language → canonicalise URL → dedupe, group and store.

Each pipeline has Scrapy's shape (``from_crawler``, ``open_spider``/``close_spider``,
``process_item`` returning the item or raising ``DropItem``). The work itself lives in plain
functions (:func:`prepare_item`) and :class:`MentionStore`, which ``radar sources check`` and
``bench/ingest.py`` use without Scrapy.

Crash safety: a crawl stores mentions in short batches (up to :data:`STORE_BATCH_SIZE` mentions
or :data:`STORE_BATCH_SECONDS` per transaction, committed early when items stop coming). A mention is stored once its batch commits; a
SIGKILL loses at most the open batch, which the next run fetches again because the crawl cursor
is saved only after a clean run, and the next run's dedupe (``source_id, external_id`` is unique
in the database, the last line of defence) stores nothing twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from scrapy.exceptions import DropItem
from sqlalchemy import Engine, bindparam, insert, or_, select
from sqlalchemy.exc import IntegrityError

from radar.models import Mention, utcnow
from radar.spiders.items import MentionItem
from radar.textproc import (
    SimHashIndex,
    canonical_url,
    clean_text,
    detect_language,
    encodable,
    fingerprints,
    is_site_root,
    normalise_language,
    to_signed64,
    to_unsigned64,
)

log = logging.getLogger(__name__)

MAX_EXTERNAL_ID = 300
MAX_URL = 2000
MAX_AUTHOR = 200
GROUP_WINDOW_DAYS = 60


class InvalidItem(ValueError):
    """An item that cannot become a mention (no text, no identity)."""


# --------------------------------------------------------------------------- pure preparation
def _storable(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL; hostile or broken pages sometimes carry it; no database
    # can hold a lone surrogate (half an emoji from a JSON API)
    if not value:
        return value
    return encodable(value.replace("\x00", "") if "\x00" in value else value)


def clean_item(item: MentionItem) -> MentionItem:
    """Title and body as plain text (paragraphs kept); ``body_format`` becomes ``"text"``."""
    item.title, item.body, item.author, item.url = _storable(item.title), _storable(item.body), _storable(item.author), _storable(item.url)
    if item.external_id is not None:
        item.external_id = _storable(str(item.external_id))
    item.title = clean_text(item.title or "", "html" if "<" in (item.title or "") or "&" in (item.title or "") else "text").replace("\n", " ")
    item.body = clean_text(item.body or "", item.body_format)
    item.body_format = "text"
    if item.author:
        item.author = item.author.strip()[:MAX_AUTHOR] or None
    if item.published_at is not None and item.published_at.tzinfo is None:
        item.published_at = item.published_at.replace(tzinfo=dt.timezone.utc)
    if not (item.title or item.body):
        raise InvalidItem(f"item {item.external_id or item.url or '?'} has neither title nor text")
    return item


def language_of(item: MentionItem, source_hint: str | None = None) -> str | None:
    """Detected language; the item's own language (from the API or feed) and then the source's
    ``language`` hint decide when detection is unsure."""
    hint = normalise_language(item.language) or normalise_language(item.extra.get("language_hint")) or normalise_language(source_hint)
    return detect_language(f"{item.title}\n{item.body}", hint)


def prepare_item(item: MentionItem, source_hint: str | None = None) -> MentionItem:
    """Clean, detect the language, canonicalise the URL, fingerprint. Raises :class:`InvalidItem`."""
    clean_item(item)
    item.language = language_of(item, source_hint)
    item.canonical_url = canonical_url(item.url)
    if not item.external_id:
        if item.canonical_url and not is_site_root(item.canonical_url):
            item.external_id = item.canonical_url
        else:
            raise InvalidItem(f"item {item.title[:60]!r} has neither an id nor a URL")
    item.external_id = str(item.external_id)
    if len(item.external_id) > MAX_EXTERNAL_ID:
        item.external_id = "sha256:" + hashlib.sha256(item.external_id.encode()).hexdigest()
    item.content_hash, item.simhash = fingerprints(item.title, item.body, item.author)
    return item


# --------------------------------------------------------------------------- storage
#: mentions per transaction in a crawl, and the longest a stored-but-uncommitted mention waits
STORE_BATCH_SIZE = 50
STORE_BATCH_SECONDS = 1.0
#: a batch is also committed once no item has come for this long (the spider waits for a page):
#: an open batch holds SQLite's write lock, which other writers would wait for
STORE_IDLE_SECONDS = 0.1


@dataclass
class StoreResult:
    status: str  # "new", "duplicate" or "failed"
    mention_id: int | None = None
    reason: str = ""  # duplicate: external_id | url | content; failed: the database's error
    group_id: int | None = None


@dataclass
class MentionStore:
    """Dedupes, groups and stores prepared items of one source.

    ``store(item)`` stores one item in a transaction of its own and answers :class:`StoreResult`:
    ``new`` (with the mention id and group) or ``duplicate`` (with the reason: same external
    id, same canonical URL, or same content in the same source). Near-duplicates and cross-posts
    (same content hash in another source, or a SimHash within 6 bits) are stored with
    ``group_id`` = the first mention of their group.

    Batches (what a crawl uses): ``add(item)`` dedupes and inserts inside one open transaction
    (its lookups see the batch's own rows) and answers at once; a ``duplicate`` is final, a
    ``new`` is provisional until ``flush()`` commits the batch and returns the final
    ``(item, result)`` of every item added since the last flush. Call ``flush()`` when
    ``due()`` says so (``batch_size`` items or ``batch_seconds`` since the batch began) and
    before closing. If an insert or the commit fails — another process stored the same post
    first (``IntegrityError``), or a database error — the batch is rolled back and its items are
    stored again one transaction each, so one item's conflict costs no other item. A mention is
    stored once its transaction commits: a crash loses at most the open batch, which the next
    run fetches again (the crawl cursor is saved only after a clean run).
    """

    engine: Engine
    source_id: int
    index: SimHashIndex = field(default_factory=SimHashIndex)
    batch_size: int = STORE_BATCH_SIZE
    batch_seconds: float = STORE_BATCH_SECONDS
    #: batches that hit an error and were stored again item by item
    fallbacks: int = 0
    _conn: Any = None
    _txn: Any = None
    _batch_started: float = 0.0
    _last_add: float = 0.0
    _pending: list = field(default_factory=list)  # (item, provisional result) in the open batch
    _settled: list = field(default_factory=list)  # (item, final result) not yet returned by flush()

    def open(self) -> "MentionStore":
        self._conn = self.engine.connect()
        since = utcnow() - dt.timedelta(days=GROUP_WINDOW_DAYS)
        t = Mention.__table__
        with self._conn.begin():
            rows = self._conn.execute(
                select(t.c.id, t.c.simhash, t.c.group_id).where(t.c.simhash.is_not(None), t.c.fetched_at >= since).order_by(t.c.id)
            )
            for mid, fp, gid in rows:
                self.index.add(to_unsigned64(fp), gid or mid)
        return self

    def close(self) -> None:
        """Rolls back an open batch (call :meth:`flush` first to keep it) and disconnects."""
        if self._txn is not None:
            self._rollback()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> "MentionStore":
        return self.open()

    def __exit__(self, *exc: Any) -> None:
        if exc[0] is None:
            self.flush()
        self.close()

    def _statements(self):
        # built once: bound parameters let SQLAlchemy reuse the compiled statements
        t = Mention.__table__
        if not hasattr(self, "_lookup"):
            self._lookup = (
                select(t.c.id, t.c.source_id, t.c.external_id, t.c.canonical_url, t.c.group_id)
                .where(or_((t.c.source_id == bindparam("sid")) & (t.c.external_id == bindparam("eid")),
                           t.c.content_hash == bindparam("hash"), t.c.canonical_url == bindparam("curl")))
                .order_by(t.c.id).limit(20)
            )
            self._insert = insert(t)
        return self._lookup, self._insert

    def _lookup_rows(self, external_id: str, content_hash: str | None, url_key: str) -> list[tuple]:
        """Stored mentions with this source's external id, the content hash or the canonical URL:
        ``(id, source_id, external_id, canonical_url, group_id)``, in the order that decides:
        the same external id first, then the same URL, then the oldest.

        Run on the DBAPI cursor of our connection (in its transaction) with the SQL SQLAlchemy
        compiled once for this dialect: the parameters are plain strings and integers, and this
        skips two thirds of the per-call cost of ``Connection.execute`` (≈75 → 25 µs)."""
        if not hasattr(self, "_lookup_sql"):
            compiled = self._statements()[0].compile(dialect=self.engine.dialect)
            self._lookup_sql = (compiled.string, compiled.positiontup if compiled.positional else None, dict(compiled.params))
        sql, order, defaults = self._lookup_sql
        params = {**defaults, "sid": self.source_id, "eid": external_id, "hash": content_hash, "curl": url_key}
        cursor = self._conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(sql, tuple(params[k] for k in order) if order else params)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        # same-source external id first, then the URL, then the content hash decide the reason
        return sorted(rows, key=lambda r: (not (r[1] == self.source_id and r[2] == external_id), r[3] != url_key, r[0]))

    # ---- one item, one transaction
    def store(self, item: MentionItem) -> StoreResult:
        """Store ``item`` now in a transaction of its own (an open batch is committed first;
        its results stay for the next :meth:`flush`)."""
        if self._txn is not None:
            self._commit()
        self.add(item)
        if self._txn is not None:
            self._commit()
        for n in range(len(self._settled) - 1, -1, -1):
            if self._settled[n][0] is item:
                return self._settled.pop(n)[1]
        raise AssertionError("the stored item has no result")  # pragma: no cover

    # ---- batches
    def add(self, item: MentionItem) -> StoreResult:
        """Dedupe and insert ``item`` in the open batch (one is begun if none is open)."""
        self._last_add = time.monotonic()
        if self._txn is None:
            self._txn = self._conn.begin()
            self._batch_started = self._last_add
        try:
            result = self._insert_one(item)
        except Exception as exc:  # noqa: BLE001 - IntegrityError (a racing writer) or a database error
            log.info("batch of %d mentions failed at %s (%s: %s); storing them one by one",
                     len(self._pending) + 1, item.external_id, exc.__class__.__name__, exc)
            self._fall_back([*(it for it, _ in self._pending), item])
            return next(res for it, res in reversed(self._settled) if it is item)
        if result.status == "new":
            self._pending.append((item, result))
        else:
            self._settled.append((item, result))
        return result

    def due(self, idle: float | None = None) -> bool:
        """True when the open batch is full or older than ``batch_seconds`` — or, with ``idle``,
        when no item was added for that many seconds."""
        if self._txn is None:
            return False
        now = time.monotonic()
        return (len(self._pending) >= self.batch_size or now - self._batch_started >= self.batch_seconds
                or (idle is not None and now - self._last_add >= idle))

    @property
    def pending(self) -> int:
        """Items inserted but not yet committed."""
        return len(self._pending)

    def flush(self) -> list[tuple[MentionItem, StoreResult]]:
        """Commit the open batch; the final result of every item added since the last flush."""
        if self._txn is not None:
            self._commit()
        settled, self._settled = self._settled, []
        return settled

    def _commit(self) -> None:
        try:
            self._txn.commit()
        except Exception as exc:  # noqa: BLE001
            log.info("commit of %d mentions failed (%s: %s); storing them one by one", len(self._pending), exc.__class__.__name__, exc)
            self._fall_back([it for it, _ in self._pending])
            return
        self._txn = None
        self._settled.extend(self._pending)
        self._pending = []

    def _rollback(self) -> None:
        try:
            if self._txn is not None:
                self._txn.rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone; its transaction is gone with it
            log.debug("rollback failed", exc_info=True)
        self._txn = None
        for item, result in self._pending:
            if item.simhash is not None:
                self.index.remove(item.simhash, result.group_id or result.mention_id)
        self._pending = []

    def _fall_back(self, items: list[MentionItem]) -> None:
        """Roll the batch back and store ``items`` again, each in its own transaction."""
        self._rollback()
        self.fallbacks += 1
        for item in items:
            try:
                self._txn = self._conn.begin()
                result = self._insert_one(item)
                if result.status == "new":
                    self._pending = [(item, result)]  # so a failed commit takes its SimHash back out
                self._txn.commit()
            except IntegrityError:
                # another process stored it between our check and our insert: a duplicate
                self._rollback()
                result = StoreResult("duplicate", None, "external_id")
            except Exception as exc:  # noqa: BLE001 - a database error fails this item, not the others
                log.warning("storing mention %s failed: %s: %s", item.external_id, exc.__class__.__name__, exc)
                self._rollback()
                result = StoreResult("failed", None, f"{exc.__class__.__name__}: {exc}")
            self._txn, self._pending = None, []
            self._settled.append((item, result))

    def _insert_one(self, item: MentionItem) -> StoreResult:
        """Lookup and insert inside the open transaction. Raises the database's errors."""
        conn = self._conn
        _lookup, insert_stmt = self._statements()
        url = (item.canonical_url or "")[:MAX_URL]
        url_key = url if url and not is_site_root(url) else "\t"  # matches no stored URL
        group_id = None
        for mid, sid, eid, curl, gid in self._lookup_rows(item.external_id, item.content_hash, url_key):
            if sid == self.source_id and eid == item.external_id:
                return StoreResult("duplicate", mid, "external_id")
            if curl == url_key:
                return StoreResult("duplicate", mid, "url")
            if sid == self.source_id:  # the rest share the content hash
                return StoreResult("duplicate", mid, "content")
            group_id = group_id or (gid or mid)
        if group_id is None and item.simhash is not None:
            group_id = self.index.find(item.simhash)
        values = dict(
            source_id=self.source_id,
            external_id=item.external_id,
            url=item.url or url,
            canonical_url=url,
            title=item.title or "",
            body=item.body or "",
            author=item.author,
            language=item.language,
            published_at=item.published_at,
            fetched_at=utcnow(),
            content_hash=item.content_hash,
            simhash=to_signed64(item.simhash) if item.simhash is not None else None,
            group_id=group_id,
            extra=_jsonable(item.extra),
            classified_at=None,
        )
        mention_id = conn.execute(insert_stmt, values).inserted_primary_key[0]
        result = StoreResult("new", mention_id, group_id=group_id)
        if item.simhash is not None:
            self.index.add(item.simhash, group_id or mention_id)
        return result


def _jsonable(value: Any) -> Any:
    if isinstance(value, str):
        return _storable(value)  # PostgreSQL's jsonb refuses \u0000 and lone surrogates too
    if isinstance(value, dict):
        return {_storable(str(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if value is None or isinstance(value, (int, float, bool)):
        return value
    return _storable(str(value))


# --------------------------------------------------------------------------- Scrapy pipelines
def _record_failure(crawler, item: MentionItem, reason: str) -> None:
    crawler.stats.inc_value("radar/items_failed")
    spider = crawler.spider
    if spider is not None and hasattr(spider, "record_error"):
        spider.record_error(reason, url=item.url, item=True)


class PreparePipeline:
    """Clean text, language, canonical URL and fingerprints (see :func:`prepare_item`)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler) -> "PreparePipeline":
        return cls(crawler)

    def process_item(self, item: MentionItem) -> MentionItem:
        if not isinstance(item, MentionItem):
            return item
        spider = self.crawler.spider
        hint = getattr(spider, "source_settings", {}).get("language") if spider is not None else None
        try:
            return prepare_item(item, hint)
        except InvalidItem as exc:
            _record_failure(self.crawler, item, str(exc))
            raise DropItem(str(exc), log_level="INFO") from None
        except Exception as exc:  # noqa: BLE001 - hostile input must not stop the crawl
            log.exception("preparing item %s failed", item.external_id)
            _record_failure(self.crawler, item, f"could not prepare item: {exc.__class__.__name__}: {exc}")
            raise DropItem(str(exc)) from None


class StorePipeline:
    """Dedupe, group and store in batches (:class:`MentionStore`): one transaction per
    ``RADAR_STORE_BATCH_SIZE`` mentions (default :data:`STORE_BATCH_SIZE`) or per
    ``RADAR_STORE_BATCH_SECONDS`` (default :data:`STORE_BATCH_SECONDS`), whichever comes first,
    as soon as no item came for :data:`STORE_IDLE_SECONDS` (the spider waits for a page; an open
    batch would hold SQLite's write lock meanwhile), and at the end of the crawl. Duplicates are dropped at once; new mentions are passed on at
    once and counted (``radar/items_new``) when their batch commits. Needs the settings
    ``RADAR_DATABASE_URL`` and ``RADAR_SOURCE_ID``; without ``RADAR_DATABASE_URL`` (e.g.
    ``radar sources check``) it stores nothing and passes items on."""

    def __init__(self, crawler, db_url: str | None, source_id: int | None,
                 batch_size: int = STORE_BATCH_SIZE, batch_seconds: float = STORE_BATCH_SECONDS) -> None:
        self.crawler = crawler
        self.db_url = db_url
        self.source_id = source_id
        self.batch_size = max(1, batch_size)
        self.batch_seconds = batch_seconds
        self.store: MentionStore | None = None
        self._timer = None

    @classmethod
    def from_crawler(cls, crawler) -> "StorePipeline":
        settings = crawler.settings
        return cls(crawler, settings.get("RADAR_DATABASE_URL"), settings.getint("RADAR_SOURCE_ID") or None,
                   settings.getint("RADAR_STORE_BATCH_SIZE", STORE_BATCH_SIZE),
                   settings.getfloat("RADAR_STORE_BATCH_SECONDS", STORE_BATCH_SECONDS))

    def open_spider(self) -> None:
        if self.db_url and self.source_id:
            from radar.db import get_engine

            self.store = MentionStore(get_engine(self.db_url), self.source_id,
                                      batch_size=self.batch_size, batch_seconds=self.batch_seconds).open()
            if self.batch_size > 1:
                # Commit when the items stop coming (the spider waits for a page). This runs on the
                # reactor thread between the cooperative slices in which Scrapy processes items,
                # so during a burst of items it finds them still coming.
                from twisted.internet import task

                self._timer = task.LoopingCall(self._flush_if_due)
                self._timer.start(STORE_IDLE_SECONDS / 2, now=False)

    def close_spider(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        if self.store is not None:
            self._flush()
            self.store.close()

    def process_item(self, item: MentionItem) -> MentionItem:
        if not isinstance(item, MentionItem) or self.store is None:
            return item
        try:
            result = self.store.add(item)
        except Exception as exc:  # noqa: BLE001 - a database hiccup fails items, not the crawl
            log.exception("storing item %s failed", item.external_id)
            _record_failure(self.crawler, item, f"could not store item {item.external_id}: {exc.__class__.__name__}: {exc}")
            raise DropItem(str(exc)) from None
        if self.batch_size == 1 or self.store.due():
            self._flush()
        if result.status == "new":
            return item
        if result.status == "failed":
            raise DropItem(f"could not store item {item.external_id}: {result.reason}")
        raise DropItem(f"duplicate ({result.reason})", log_level="DEBUG")

    def _flush_if_due(self) -> None:
        if self.store is not None and self.store.due(idle=STORE_IDLE_SECONDS):
            self._flush()

    def _flush(self) -> None:
        """Commit the open batch and count every item settled since the last flush (each once:
        new ones when committed, duplicates and failures when known)."""
        try:
            settled = self.store.flush()
        except Exception:  # noqa: BLE001 - the timer and close_spider must not raise
            log.exception("committing stored mentions failed")
            return
        stats = self.crawler.stats
        for item, result in settled:
            if result.status == "new":
                stats.inc_value("radar/items_new")
                item.extra["mention_id"] = result.mention_id
            elif result.status == "failed":
                _record_failure(self.crawler, item, f"could not store item {item.external_id}: {result.reason}")
            else:
                stats.inc_value("radar/items_duplicate")
                stats.inc_value(f"radar/duplicate/{result.reason}")


ITEM_PIPELINES = {
    "radar.pipelines.PreparePipeline": 100,
    "radar.pipelines.StorePipeline": 900,
}
