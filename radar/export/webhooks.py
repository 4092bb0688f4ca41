"""Deliver the outbox to the distribution system as Standard Webhooks.

Contract (also in the README):

- ``POST`` to ``[export] webhook_url`` with a JSON body ``{"type", "timestamp", "data"}`` and the headers
  ``webhook-id`` (the event id, stable across retries: de-duplicate by it), ``webhook-timestamp``
  (seconds, the time of this attempt) and ``webhook-signature`` (``v1,<base64 HMAC-SHA256>``).
- Any 2xx is success. 410 Gone flags the endpoint and stops all delivery to it until
  ``radar export endpoint-enable``; its events stay pending, nothing is lost. Anything else
  (other statuses, timeouts, refused connections) is retried with exponential backoff and jitter
  up to ``[export] max_attempts``; then the event is marked ``failed`` (``radar export retry`` requeues).
- Order per lead: event n+1 of a lead is never sent before event n was delivered (2xx).

Concurrency: rows are *claimed* with a conditional UPDATE (``attempts`` is the version; the claim
moves ``next_attempt_at`` forward by a lease), so two workers never send the same event at the
same time, and a worker that dies mid-send only delays the event until the lease ends. The claim
and every write run in their own short transaction, never after a read in the same transaction
(SQLite WAL would refuse the upgrade).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from radar import __version__
from radar.config import Config, ExportSettings
from radar.export.signing import sign
from radar.models import OutboxEvent, WebhookDelivery, WebhookEndpoint, utcnow

log = logging.getLogger("radar.export.webhooks")

BATCH = 100
MAX_TRANSPORT_ERRORS_IN_A_ROW = 3  # then the endpoint counts as unreachable for this run
MAX_ERROR_TEXT = 500


@dataclass
class DeliveryReport:
    """What one :func:`deliver_outbox` run did."""

    endpoint: str = ""
    disabled: bool = False
    endpoint_gone: bool = False
    attempts: int = 0
    delivered: int = 0
    retrying: int = 0
    gave_up: int = 0
    pending: int = 0
    stopped: str = ""

    def __str__(self) -> str:
        if self.disabled:
            return "webhooks are off ([export] webhook_url is empty)"
        text = (f"{self.attempts} attempts: {self.delivered} delivered, {self.retrying} to retry, "
                f"{self.gave_up} failed for good; {self.pending} pending")
        if self.endpoint_gone:
            text += f"; endpoint {self.endpoint} is flagged gone (410), run `radar export endpoint-enable` once it is fixed"
        elif self.stopped:
            text += f"; stopped: {self.stopped}"
        return text


def backoff_delay(attempts: int, settings: ExportSettings, rng: random.Random | None = None) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones: exponential, capped, with
    "equal jitter" (half fixed, half random) so retries of many events spread out.

    Example: with backoff_base 5 the 3rd failure waits between 10 and 20 seconds.
    """
    rng = rng or random
    delay = min(settings.backoff_max, settings.backoff_base * 2 ** max(0, attempts - 1))
    return delay / 2 + rng.uniform(0, delay / 2)


def event_body(event: OutboxEvent) -> bytes:
    """The JSON body of an event, identical on every retry (the signature covers it)."""
    data = {"lead_id": event.lead_id, **(event.payload or {})}
    doc = {"type": event.event_type, "timestamp": _iso(event.created_at), "data": data}
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str | None]:
    """POST without following redirects; ``(status, None)`` or ``(None, error)``."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        if parts.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read(65536)
            return resp.status, None
        finally:
            conn.close()
    except TimeoutError:
        return None, f"timeout after {timeout:g}s"
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR_TEXT]


def _due_query(now: dt.datetime, limit: int):
    prior = aliased(OutboxEvent)
    return (select(OutboxEvent.id, OutboxEvent.attempts)
            .where(OutboxEvent.status == "pending", OutboxEvent.next_attempt_at <= now, ~_earlier_undelivered(prior))
            .order_by(OutboxEvent.id).limit(limit))


def _earlier_undelivered(prior):
    return exists().where(prior.lead_id == OutboxEvent.lead_id, prior.id < OutboxEvent.id, prior.status != "delivered")


def _endpoint_state(factory: sessionmaker[Session], url: str) -> str:
    with factory() as s:
        return s.scalar(select(WebhookEndpoint.status).where(WebhookEndpoint.url == url)) or "active"


def _touch_endpoint(s: Session, url: str, **values: Any) -> None:
    """Update the endpoint row, creating it first when missing (two workers may race: fine)."""
    if not s.execute(update(WebhookEndpoint).where(WebhookEndpoint.url == url).values(**values)).rowcount:
        try:
            with s.begin_nested():
                s.execute(insert(WebhookEndpoint).values(url=url, created_at=utcnow(), **values))
        except IntegrityError:
            s.execute(update(WebhookEndpoint).where(WebhookEndpoint.url == url).values(**values))


def deliver_outbox(session_factory: sessionmaker[Session], cfg: Config, now: dt.datetime | None = None,
                   limit: int | None = None, rng: random.Random | None = None) -> DeliveryReport:
    """Send every due outbox event to ``[export] webhook_url``, in order per lead; return a report.

    Safe to run from several workers at once. ``now`` fixes the clock used for due times and
    backoff (tests); ``limit`` caps the attempts of this run.

    Example: ``print(deliver_outbox(get_sessionmaker(cfg.database_url), cfg))``
    """
    settings = cfg.settings.export
    url = settings.webhook_url
    report = DeliveryReport(endpoint=url)
    clock: Callable[[], dt.datetime] = (lambda: now) if now is not None else utcnow
    if not url:
        report.disabled = True
        return report
    if not settings.webhook_secret:
        report.stopped = ("[export] webhook_secret is empty; every webhook must be signed. Set it to 'whsec_' + base64 "
                          "of 24+ random bytes and give the receiver the same secret")
        report.pending = pending_count(session_factory)
        return report
    if _endpoint_state(session_factory, url) == "gone":
        report.endpoint_gone = True
        report.pending = pending_count(session_factory)
        return report
    lease = dt.timedelta(seconds=settings.webhook_timeout * 2 + 30)
    transport_errors = 0
    done = False
    while not done:
        with session_factory() as s:
            rows = s.execute(_due_query(clock(), BATCH)).all()
        if not rows:
            break
        progressed = False
        for event_pk, seen_attempts in rows:
            if limit is not None and report.attempts >= limit:
                report.stopped = f"limit of {limit} attempts reached"
                done = True
                break
            event = _claim(session_factory, event_pk, seen_attempts, clock(), lease)
            if event is None:
                continue  # another worker has it, or an earlier event of its lead is not delivered yet
            progressed = True
            report.attempts += 1
            outcome = _attempt(session_factory, cfg, event, clock, rng)
            if outcome == "delivered":
                report.delivered += 1
                transport_errors = 0
            elif outcome == "gone":
                report.endpoint_gone = True
                done = True
                break
            else:
                transport_errors = transport_errors + 1 if outcome == "transport" else 0
                if event.attempts >= settings.max_attempts:
                    report.gave_up += 1
                else:
                    report.retrying += 1
                if transport_errors >= MAX_TRANSPORT_ERRORS_IN_A_ROW:
                    report.stopped = f"{transport_errors} connection errors in a row; the endpoint seems down"
                    done = True
                    break
        if not progressed:
            break
    report.pending = pending_count(session_factory)
    return report


def _claim(factory: sessionmaker[Session], event_pk: int, seen_attempts: int, now: dt.datetime,
           lease: dt.timedelta) -> OutboxEvent | None:
    prior = aliased(OutboxEvent)
    with factory.begin() as s:
        claimed = s.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event_pk, OutboxEvent.status == "pending", OutboxEvent.attempts == seen_attempts,
                   OutboxEvent.next_attempt_at <= now, ~_earlier_undelivered(prior))
            .values(attempts=seen_attempts + 1, next_attempt_at=now + lease)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            return None
        event = s.get(OutboxEvent, event_pk)
        s.expunge(event)
        return event


def _attempt(factory: sessionmaker[Session], cfg: Config, event: OutboxEvent, clock: Callable[[], dt.datetime],
             rng: random.Random | None) -> str:
    """One HTTP attempt and its bookkeeping; returns delivered, gone, transport or http."""
    settings = cfg.settings.export
    url = settings.webhook_url
    body = event_body(event)
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": f"BusinessRadar/{__version__}",
        "webhook-id": event.event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(settings.webhook_secret, event.event_id, timestamp, body),
    }
    started = time.monotonic()
    status, error = _post(url, body, headers, settings.webhook_timeout)
    duration_ms = (time.monotonic() - started) * 1000
    now = clock()
    if status is not None and 200 <= status < 300:
        outcome = "delivered"
    elif status == 410:
        outcome = "gone"
        error = "410 Gone: the endpoint asked us to stop; flagged"
    elif status is not None:
        outcome = "http"
        error = f"HTTP {status}"
    else:
        outcome = "transport"
    with factory.begin() as s:
        s.add(WebhookDelivery(event_id=event.event_id, endpoint=url, at=now, status_code=status, error=error,
                              duration_ms=round(duration_ms, 1)))
        if outcome == "delivered":
            s.execute(update(OutboxEvent).where(OutboxEvent.id == event.id)
                      .values(status="delivered", delivered_at=now, last_error=None))
            _touch_endpoint(s, url, last_success_at=now)
        elif outcome == "gone":
            # Not the event's fault: keep it pending, due again as soon as the endpoint is re-enabled.
            s.execute(update(OutboxEvent).where(OutboxEvent.id == event.id, OutboxEvent.attempts == event.attempts)
                      .values(next_attempt_at=now, last_error=error))
            _touch_endpoint(s, url, status="gone", flagged_at=now, reason=error, last_failure_at=now)
            log.warning("webhook endpoint %s answered 410 Gone; delivery stopped until re-enabled", url)
        else:
            values: dict[str, Any] = {"last_error": error}
            if event.attempts >= settings.max_attempts:
                values["status"] = "failed"
                log.error("webhook event %s failed %s times (%s); giving up", event.event_id, event.attempts, error)
            else:
                values["next_attempt_at"] = now + dt.timedelta(seconds=backoff_delay(event.attempts, settings, rng))
            s.execute(update(OutboxEvent).where(OutboxEvent.id == event.id, OutboxEvent.attempts == event.attempts)
                      .values(**values))
            _touch_endpoint(s, url, last_failure_at=now)
    return outcome


def pending_count(session_factory: sessionmaker[Session]) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.status == "pending")) or 0


def outbox_counts(session: Session) -> dict[str, int]:
    """Events per status. Example: ``outbox_counts(s) -> {"pending": 3, "delivered": 120}``"""
    rows = session.execute(select(OutboxEvent.status, func.count()).group_by(OutboxEvent.status)).all()
    return {status: n for status, n in rows}


def requeue_failed(session: Session, event_id: str | None = None, now: dt.datetime | None = None) -> int:
    """Put failed events (or one) back to pending with fresh attempts; returns how many.

    Example: ``requeue_failed(s)`` after the distribution system was fixed.
    """
    stmt = update(OutboxEvent).where(OutboxEvent.status == "failed")
    if event_id:
        stmt = stmt.where(OutboxEvent.event_id == event_id)
    return session.execute(stmt.values(status="pending", attempts=0, next_attempt_at=now or utcnow())
                           .execution_options(synchronize_session=False)).rowcount


def enable_endpoint(session: Session, url: str) -> bool:
    """Clear the 410 flag of ``url``; True when it was flagged.

    Example: ``enable_endpoint(s, cfg.settings.export.webhook_url)``
    """
    return bool(session.execute(update(WebhookEndpoint).where(WebhookEndpoint.url == url, WebhookEndpoint.status == "gone")
                                .values(status="active", reason=None)).rowcount)


def delivery_log(session: Session, event_id: str | None = None, limit: int = 50) -> list[WebhookDelivery]:
    """The newest delivery attempts, optionally of one event.

    Example: ``delivery_log(s, "evt_01J...")``
    """
    q = select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)
    if event_id:
        q = q.where(WebhookDelivery.event_id == event_id)
    return list(session.scalars(q))
