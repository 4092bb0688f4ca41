"""The service's periodic jobs: one table, name → function → interval setting.

To add a job, add one line to :data:`PERIODIC_JOBS` once its module exists::

    PeriodicJob("classify", "radar.scoring:classify_pending", "classify_interval"),

``target`` is an import path ``"module:function"``. ``calling`` says how it is called:

- ``"session"``: ``function(session, cfg)`` inside one transaction (committed when it returns,
  rolled back when it raises);
- ``"factory"``: ``function(session_factory, cfg)`` for jobs that commit item by item (deliveries).

``interval`` names a duration setting of ``[scheduler]`` (``classify_interval`` …). The function's
return value (a count, a dict) is logged and kept in ``job_states.last_error``-free rows; an
exception marks the run failed in ``job_states`` and the next run happens on time.

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
    interval: str
    calling: Literal["session", "factory"] = "session"

    def function(self) -> Callable[..., Any]:
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)

    def interval_seconds(self, cfg: Config) -> float:
        return parse_duration(getattr(cfg.settings.scheduler, self.interval))


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("auto-leads", "radar.leads:auto_create_leads", "classify_interval"),
    PeriodicJob("escalate", "radar.leads:escalate", "escalation_interval"),
    PeriodicJob("retention-purge", "radar.retention:purge_expired_mentions", "purge_interval", "factory"),
)
