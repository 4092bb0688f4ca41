"""The mail queue (``email_messages``) and its sender.

- :func:`enqueue_email` adds a message in the *caller's* transaction, so a mail exists exactly
  when the change that caused it was committed.
- :func:`send_pending` (a scheduled job) sends due messages over SMTP (``smtplib``; STARTTLS,
  implicit TLS and login per ``[notify]``). A server that cannot be reached delays the queue
  and uses up no attempts: nothing is lost. A message the server rejects temporarily (4xx) is
  retried with exponential backoff and jitter up to ``[notify] max_attempts``; a permanent
  rejection (5xx) marks it ``failed`` at once (``radar notify retry`` requeues).
- Rows are claimed with a conditional UPDATE (``attempts`` is the version, a lease moves
  ``next_attempt_at``), so two senders never send the same message at the same time.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import os
import random
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, parseaddr
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from radar.config import Config, NotifySettings
from radar.models import EmailMessage, utcnow
from radar.notify.render import Mail

log = logging.getLogger("radar.notify.mailer")

BATCH = 50
LEASE = dt.timedelta(minutes=5)


class MailConfigError(Exception):
    """The mail settings are unusable (e.g. no recipient address)."""


def enqueue_email(session: Session, to: str, subject: str, text: str, html: str | None = None, *,
                  kind: str = "notice", user_id: int | None = None,
                  attachments: list[dict[str, Any]] | None = None, now: dt.datetime | None = None) -> EmailMessage:
    """Queue one e-mail in the caller's transaction (it is sent by :func:`send_pending`).

    ``attachments``: ``[{"cid": "chart", "mime": "image/png", "filename": "chart.png", "data": <base64 str>}]``,
    shown inline in the HTML part through ``<img src="cid:chart">``.

    Example: ``enqueue_email(s, "anna@example.com", "Hello", "plain text", "<p>html</p>")``
    """
    if "@" not in parseaddr(to)[1]:
        raise MailConfigError(f"{to!r} is not an e-mail address")
    row = EmailMessage(to_address=to, subject=subject, text_body=text, html_body=html, kind=kind, user_id=user_id,
                       attachments=list(attachments or []), next_attempt_at=now or utcnow())
    if now is not None:
        row.created_at = now
    session.add(row)
    session.flush()
    return row


def enqueue_mail(session: Session, mail: Mail, now: dt.datetime | None = None) -> EmailMessage:
    """Queue a composed :class:`~radar.notify.render.Mail`. Example: ``enqueue_mail(s, mail)``"""
    return enqueue_email(session, mail.to, mail.subject, mail.text, mail.html, kind=mail.kind, user_id=mail.user_id,
                         attachments=mail.attachments, now=now)


def png_attachment(cid: str, png: bytes, filename: str = "chart.png") -> dict[str, Any]:
    """An inline image for :func:`enqueue_email`. Example: ``png_attachment("chart", png_bytes)``"""
    return {"cid": cid, "mime": "image/png", "filename": filename, "data": base64.b64encode(png).decode("ascii")}


def build_mime(row: EmailMessage, settings: NotifySettings) -> MimeMessage:
    """The MIME message of a queued row: multipart/alternative (text, HTML), with the inline
    images as multipart/related parts of the HTML."""
    msg = MimeMessage()
    msg["From"] = settings.from_address
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(settings.from_address)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = f"<radar-mail-{row.id}@{domain}>"  # stable: a resend after a crash is recognisable
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row.text_body)
    if row.html_body:
        msg.add_alternative(row.html_body, subtype="html")
        html_part = msg.get_payload()[1]
        for att in row.attachments or []:
            maintype, _, subtype = att.get("mime", "image/png").partition("/")
            html_part.add_related(base64.b64decode(att["data"]), maintype=maintype, subtype=subtype,
                                  cid=f"<{att['cid']}>", filename=att.get("filename"), disposition="inline")
    return msg


def smtp_connect(settings: NotifySettings) -> smtplib.SMTP:
    """An open, authenticated SMTP connection per ``[notify]``; raises OSError/SMTPException."""
    if settings.smtp_ssl:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout,
                                              context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
    try:
        smtp.ehlo()
        if settings.smtp_starttls and not settings.smtp_ssl:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, os.environ.get("RADAR_SMTP_PASSWORD") or settings.smtp_password)
    except BaseException:
        smtp.close()
        raise
    return smtp


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    pending: int = 0
    disabled: bool = False
    stopped: str = ""

    def __str__(self) -> str:
        if self.disabled:
            return f"e-mail is off ([notify] enabled = false); {self.pending} messages wait in the queue"
        text = f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed for good; {self.pending} pending"
        return text + (f"; stopped: {self.stopped}" if self.stopped else "")


def retry_delay(attempts: int, settings: NotifySettings, rng: random.Random | None = None) -> float:
    """Exponential backoff with equal jitter, capped at ``retry_max``."""
    delay = min(settings.retry_max, settings.retry_base * 2 ** max(0, attempts - 1))
    return delay / 2 + (rng or random).uniform(0, delay / 2)


def pending_mail_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(EmailMessage).where(EmailMessage.status == "pending")) or 0


def send_pending(session_factory: sessionmaker[Session], cfg: Config, now: dt.datetime | None = None,
                 limit: int | None = None, rng: random.Random | None = None) -> SendReport:
    """Send every due queued e-mail; return a report. Safe to run from several workers at once.

    Example: ``print(send_pending(get_sessionmaker(cfg.database_url), cfg))``
    """
    settings = cfg.settings.notify
    report = SendReport()
    clock: Callable[[], dt.datetime] = (lambda: now) if now is not None else utcnow
    if not settings.enabled:
        report.disabled = True
        with session_factory() as s:
            report.pending = pending_mail_count(s)
        return report
    smtp: smtplib.SMTP | None = None
    seen: set[int] = set()
    try:
        while True:
            with session_factory() as s:
                rows = s.execute(select(EmailMessage.id, EmailMessage.attempts)
                                 .where(EmailMessage.status == "pending", EmailMessage.next_attempt_at <= clock())
                                 .order_by(EmailMessage.id).limit(BATCH)).all()
            rows = [r for r in rows if r[0] not in seen]
            if not rows:
                break
            if smtp is None:
                try:
                    smtp = smtp_connect(settings)
                except (OSError, smtplib.SMTPException) as exc:
                    report.stopped = (f"SMTP server {settings.smtp_host}:{settings.smtp_port} unreachable ({exc}); "
                                      "the mail stays queued")
                    log.warning(report.stopped)
                    break
            for pk, attempts in rows:
                if limit is not None and report.sent + report.retrying + report.failed >= limit:
                    report.stopped = f"limit of {limit} messages reached"
                    return report
                seen.add(pk)
                row = _claim(session_factory, pk, attempts, clock())
                if row is None:
                    continue
                outcome, error = _send_one(smtp, row, settings)
                _record(session_factory, row, outcome, error, clock(), settings, rng)
                if outcome == "sent":
                    report.sent += 1
                elif outcome == "failed" or row.attempts >= settings.max_attempts:
                    report.failed += 1
                else:
                    report.retrying += 1
                if outcome == "disconnected":
                    report.stopped = f"SMTP connection lost ({error}); the mail stays queued"
                    return report
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
        with session_factory() as s:
            report.pending = pending_mail_count(s)
    return report


def _claim(factory: sessionmaker[Session], pk: int, attempts: int, now: dt.datetime) -> EmailMessage | None:
    with factory.begin() as s:
        n = s.execute(update(EmailMessage)
                      .where(EmailMessage.id == pk, EmailMessage.status == "pending", EmailMessage.attempts == attempts,
                             EmailMessage.next_attempt_at <= now)
                      .values(attempts=attempts + 1, next_attempt_at=now + LEASE)
                      .execution_options(synchronize_session=False)).rowcount
        if n != 1:
            return None
        row = s.get(EmailMessage, pk)
        s.expunge(row)
        return row


def _send_one(smtp: smtplib.SMTP, row: EmailMessage, settings: NotifySettings) -> tuple[str, str | None]:
    """sent | retry | failed | disconnected, and the error text."""
    try:
        msg = build_mime(row, settings)
        smtp.send_message(msg)
        return "sent", None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        permanent = all(c >= 500 for c in codes)
        return ("failed" if permanent else "retry"), f"recipient refused: {exc.recipients}"[:500]
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        return ("failed" if exc.smtp_code >= 500 else "retry"), f"{exc.smtp_code} {exc.smtp_error!r}"[:500]
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        return "disconnected", f"{type(exc).__name__}: {exc}"[:500]
    except (smtplib.SMTPException, ValueError) as exc:
        return "retry", f"{type(exc).__name__}: {exc}"[:500]


def _record(factory: sessionmaker[Session], row: EmailMessage, outcome: str, error: str | None, now: dt.datetime,
            settings: NotifySettings, rng: random.Random | None) -> None:
    values: dict[str, Any]
    if outcome == "sent":
        values = {"status": "delivered", "sent_at": now, "last_error": None}
    elif outcome == "failed":
        values = {"status": "failed", "last_error": error}
    elif outcome == "disconnected":
        # The server went away: not this message's fault, so the attempt is given back.
        values = {"attempts": row.attempts - 1, "next_attempt_at": now + dt.timedelta(seconds=retry_delay(1, settings, rng)),
                  "last_error": error}
    elif row.attempts >= settings.max_attempts:
        values = {"status": "failed", "last_error": error}
    else:
        values = {"next_attempt_at": now + dt.timedelta(seconds=retry_delay(row.attempts, settings, rng)), "last_error": error}
    with factory.begin() as s:
        s.execute(update(EmailMessage).where(EmailMessage.id == row.id, EmailMessage.attempts == row.attempts)
                  .values(**values).execution_options(synchronize_session=False))
    if outcome == "failed" or values.get("status") == "failed":
        log.error("mail %s to %s failed for good: %s", row.id, row.to_address, error)


def requeue_failed_mail(session: Session, now: dt.datetime | None = None) -> int:
    """Put failed messages back into the queue; returns how many. Example: ``requeue_failed_mail(s)``"""
    return session.execute(update(EmailMessage).where(EmailMessage.status == "failed")
                           .values(status="pending", attempts=0, next_attempt_at=now or utcnow())
                           .execution_options(synchronize_session=False)).rowcount
