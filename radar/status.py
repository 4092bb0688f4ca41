"""What the service is doing: sources' schedules and health, periodic jobs, the leader.

``service_status(session)`` feeds both `radar status` and the dashboard's Sources page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from radar.jobs import PERIODIC_JOBS
from radar.locks import LEADER_LOCK, crawl_lock_name
from radar.models import APSchedulerJob, CrawlRun, JobState, ServiceLock, Source, utcnow
from radar.service import PERIODIC_JOB_PREFIX, SOURCE_JOB_PREFIX


def _ts(value: float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(value, dt.timezone.utc) if value is not None else None


def service_status(session: Session, lock_timeout: float = 60.0) -> dict[str, Any]:
    """``{"leader": {...} | None, "sources": [...], "jobs": [...]}``; times are aware UTC.

    Each source: name, kind, enabled, interval_seconds, next_run_at (from the scheduler's job
    store; None when not scheduled), last_run_at, last_status, last_error, error_streak,
    items_total, running (a crawl holds its lock), last_run (id, status, started/finished,
    items_new, pages). Each periodic job: name, next_run_at, last_run_at, last_status,
    last_error, runs. Example: ``service_status(s)["sources"][0]["next_run_at"]``.
    """
    now = utcnow()
    fresh = now - dt.timedelta(seconds=lock_timeout)
    next_runs = {job_id: _ts(t) for job_id, t in session.execute(select(APSchedulerJob.id, APSchedulerJob.next_run_time))}
    locks = {lk.name: lk for lk in session.scalars(select(ServiceLock))}

    leader = None
    if (lk := locks.get(LEADER_LOCK)) is not None:
        leader = {"holder": lk.holder, "acquired_at": lk.acquired_at, "heartbeat_at": lk.heartbeat_at,
                  "heartbeat_age_seconds": round((now - lk.heartbeat_at).total_seconds(), 1),
                  "alive": lk.heartbeat_at >= fresh}

    latest = (select(CrawlRun.source_id, func.max(CrawlRun.id).label("run_id")).group_by(CrawlRun.source_id).subquery())
    last_runs = {r.source_id: r for r in session.scalars(select(CrawlRun).join(latest, CrawlRun.id == latest.c.run_id))}
    sources = []
    for src in session.scalars(select(Source).order_by(Source.name)):
        run = last_runs.get(src.id)
        lk = locks.get(crawl_lock_name(src.name))
        sources.append({
            "name": src.name, "kind": src.kind, "enabled": src.enabled, "interval_seconds": src.interval_seconds,
            "next_run_at": next_runs.get(SOURCE_JOB_PREFIX + src.name) if src.enabled else None,
            "last_run_at": src.last_run_at, "last_status": src.last_status, "last_error": src.last_error,
            "error_streak": src.error_streak, "items_total": src.items_total,
            "running": lk is not None and lk.heartbeat_at >= fresh,
            "last_run": None if run is None else {
                "id": run.id, "status": run.status, "started_at": run.started_at, "finished_at": run.finished_at,
                "items_new": run.items_new, "pages": run.pages},
        })

    states = {st.name: st for st in session.scalars(select(JobState))}
    names = [j.name for j in PERIODIC_JOBS]
    names += sorted(n for n in states if n not in names)
    names += sorted(i.removeprefix(PERIODIC_JOB_PREFIX) for i in next_runs if i.startswith(PERIODIC_JOB_PREFIX)
                    and i.removeprefix(PERIODIC_JOB_PREFIX) not in names)
    jobs = []
    for name in names:
        st = states.get(name)
        jobs.append({
            "name": name,
            "next_run_at": next_runs.get(PERIODIC_JOB_PREFIX + name) or (st.next_run_at if st else None),
            "last_run_at": st.last_run_at if st else None, "last_status": st.last_status if st else None,
            "last_error": st.last_error if st else None, "runs": st.runs if st else 0,
        })
    return {"leader": leader, "sources": sources, "jobs": jobs}
