"""The periodic jobs of notifications and exports, for the service's scheduler.

| job | when | what |
|---|---|---|
| :func:`export_tick` | every ``[scheduler] export_interval`` | deliver the webhook outbox |
| :func:`notify_tick` | every ``[scheduler] export_interval`` | instant teasers, feedback reminders, escalation notices, then send the mail queue |
| :func:`daily_job` | daily at ``[notify] digest_time`` (``[general] timezone``) | consultant digests, daily teasers, send |
| :func:`weekly_job` | ``[notify] weekly_report_day`` at ``digest_time`` | weekly KPI reports, weekly teasers, send |

Every job is safe to run twice or from two processes: what was already queued is not queued
again, and queue rows are claimed atomically.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from radar.config import Config
from radar.db import get_sessionmaker
from radar.export.webhooks import DeliveryReport, deliver_outbox
from radar.notify.digest import (enqueue_consultant_digests, enqueue_escalation_notices, enqueue_feedback_reminders,
                                 enqueue_partner_teasers)
from radar.notify.mailer import SendReport, send_pending
from radar.notify.weekly import enqueue_weekly_reports


@dataclass
class JobReport:
    queued: dict[str, int] = field(default_factory=dict)
    sent: SendReport | None = None

    def __str__(self) -> str:
        q = ", ".join(f"{k} {v}" for k, v in self.queued.items()) or "nothing"
        return f"queued: {q}; mail: {self.sent}"


def export_tick(cfg: Config, now: dt.datetime | None = None) -> DeliveryReport:
    """Deliver the webhook outbox once."""
    return deliver_outbox(get_sessionmaker(cfg.database_url), cfg, now=now)


def notify_tick(cfg: Config, now: dt.datetime | None = None, send: bool = True) -> JobReport:
    """Instant partner teasers, feedback reminders and escalation notices; then flush the queue."""
    factory = get_sessionmaker(cfg.database_url)
    report = JobReport()
    with factory.begin() as s:
        report.queued["instant teasers"] = len(enqueue_partner_teasers(s, cfg, "instant", now=now))
        report.queued["reminders"] = len(enqueue_feedback_reminders(s, cfg, now=now))
        report.queued["escalation notices"] = len(enqueue_escalation_notices(s, cfg, now=now))
    if send:
        report.sent = send_pending(factory, cfg, now=now)
    return report


def daily_job(cfg: Config, now: dt.datetime | None = None, send: bool = True) -> JobReport:
    """Consultant digests and daily partner teasers; then flush the queue."""
    factory = get_sessionmaker(cfg.database_url)
    report = JobReport()
    with factory.begin() as s:
        report.queued["digests"] = len(enqueue_consultant_digests(s, cfg, now=now))
        report.queued["daily teasers"] = len(enqueue_partner_teasers(s, cfg, "daily", now=now))
    if send:
        report.sent = send_pending(factory, cfg, now=now)
    return report


def weekly_job(cfg: Config, now: dt.datetime | None = None, send: bool = True) -> JobReport:
    """Weekly KPI reports and weekly partner teasers; then flush the queue."""
    factory = get_sessionmaker(cfg.database_url)
    report = JobReport()
    with factory.begin() as s:
        report.queued["weekly reports"] = len(enqueue_weekly_reports(s, cfg, now=now))
        report.queued["weekly teasers"] = len(enqueue_partner_teasers(s, cfg, "weekly", now=now))
    if send:
        report.sent = send_pending(factory, cfg, now=now)
    return report


def cron_triggers(cfg: Config) -> dict[str, dict[str, object]]:
    """APScheduler cron trigger arguments of the daily and weekly jobs.

    Example: ``CronTrigger(**cron_triggers(cfg)["daily_job"])``
    """
    hour, minute = (int(x) for x in cfg.settings.notify.digest_time.split(":"))
    tz = cfg.settings.general.timezone
    return {
        "daily_job": {"hour": hour, "minute": minute, "timezone": tz},
        "weekly_job": {"day_of_week": cfg.settings.notify.weekly_report_day, "hour": hour, "minute": minute, "timezone": tz},
    }
