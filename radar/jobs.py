"""The service's periodic jobs: one table, name → function → when.

To add a job, add one line to :data:`PERIODIC_JOBS` once its module exists::

    PeriodicJob("classify", "radar.scoring:classify_pending", "classify_interval"),

``target`` is an import path ``"module:function"``. ``calling`` says how it is called:

- ``"session"``: ``function(session, cfg)`` inside one transaction (committed when it returns,
  rolled back when it raises);
- ``"factory"``: ``function(session_factory, cfg)`` for jobs that commit item by item (deliveries);
- ``"config"``: ``function(cfg)`` for jobs that open their own sessions.

When: ``interval`` names a duration setting of ``[scheduler]`` (``classify_interval`` …); or
``at="daily"`` (at ``[notify] digest_time``) / ``at="weekly"`` (on ``[notify] weekly_report_day`` at
``digest_time``), both in ``[general] timezone``. The return value is logged; an exception marks
the run failed in ``job_states`` and the next run happens on time.

The scheduler stores only ``radar.service:run_periodic_job`` and the job's *name* in its job store,
never the target itself, so moving a function between modules never breaks a stored schedule.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from radar.config import Config, parse_duration


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    target: str
    interval: str = ""
    calling: Literal["session", "factory", "config"] = "session"
    at: Literal["", "daily", "weekly"] = ""

    def function(self) -> Callable[..., Any]:
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)

    def interval_seconds(self, cfg: Config) -> float | None:
        """Seconds between runs, or None for a daily/weekly job."""
        return None if self.at else parse_duration(getattr(cfg.settings.scheduler, self.interval))

    def cron(self, cfg: Config) -> dict[str, Any]:
        """CronTrigger fields of a daily/weekly job."""
        hour, minute = (int(x) for x in cfg.settings.notify.digest_time.split(":"))
        fields: dict[str, Any] = {"hour": hour, "minute": minute}
        if self.at == "weekly":
            fields["day_of_week"] = cfg.settings.notify.weekly_report_day
        return fields


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("classify", "radar.scoring:classify_backlog", "classify_interval", "factory"),
    PeriodicJob("auto-leads", "radar.leads:auto_create_leads", "classify_interval"),
    PeriodicJob("escalate", "radar.leads:escalate", "escalation_interval"),
    PeriodicJob("retention-purge", "radar.retention:purge_expired_mentions", "purge_interval", "factory"),
    PeriodicJob("export", "radar.notify.jobs:export_tick", "export_interval", "config"),
    PeriodicJob("notify", "radar.notify.jobs:notify_tick", "export_interval", "config"),
    PeriodicJob("daily-digest", "radar.notify.jobs:daily_job", calling="config", at="daily"),
    PeriodicJob("weekly-report", "radar.notify.jobs:weekly_job", calling="config", at="weekly"),
)
