"""Read-side query functions for the dashboard and CLI (the dashboard never builds SQL).

Every function takes a ``session`` and returns plain data (dicts, lists, dataclasses) so the
dashboard can cache it with ``st.cache_data``. Functions that a partner user may call take the
partner id and filter by it here, never in the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from radar.models import (
    Classification,
    CrawlRun,
    Label,
    Lead,
    LeadEvent,
    Mention,
    ModelVersion,
    Opportunity,
    Partner,
    Persona,
    Radar,
    Source,
    utcnow,
)

OPEN_STATUSES = ("new", "seen")


def overview_counts(session: Session) -> dict[str, int]:
    """Headline counts. Example: ``overview_counts(s) -> {"Sources": 9, ...}``"""
    return {
        "Sources": session.scalar(select(func.count()).select_from(Source).where(Source.enabled.is_(True))) or 0,
        "Mentions": session.scalar(select(func.count()).select_from(Mention)) or 0,
        "Open opportunities": session.scalar(select(func.count()).select_from(Opportunity).where(Opportunity.status.in_(OPEN_STATUSES))) or 0,
        "Leads": session.scalar(select(func.count()).select_from(Lead)) or 0,
        "Partners": session.scalar(select(func.count()).select_from(Partner).where(Partner.active.is_(True))) or 0,
    }


# ---------------------------------------------------------------------------- Today
@dataclass(frozen=True)
class InboxFilter:
    """What the Today page shows. ``since``/``until`` bound ``published_at`` (aware UTC)."""

    since: dt.datetime
    until: dt.datetime
    statuses: tuple[str, ...] = OPEN_STATUSES
    personas: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    temperatures: tuple[str, ...] = ()


@dataclass
class InboxPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _inbox_where(session: Session, f: InboxFilter) -> list[Any]:
    where: list[Any] = [Opportunity.published_at >= f.since, Opportunity.published_at < f.until]
    if f.statuses:
        where.append(Opportunity.status.in_(f.statuses))
    if f.personas:
        where.append(Opportunity.persona.in_(f.personas))
    if f.languages:
        where.append(Opportunity.language.in_(f.languages))
    if f.temperatures:
        where.append(Opportunity.temperature.in_(f.temperatures))
    if f.sources:
        ids = list(session.scalars(select(Source.id).where(Source.name.in_(f.sources))))
        where.append(Opportunity.source_id.in_(ids or [-1]))
    return where


def inbox(session: Session, f: InboxFilter, page: int = 1, page_size: int = 25, now: dt.datetime | None = None) -> InboxPage:
    """The Today page: opportunities in ``f``, best first (score, then newest), one page of them.

    Two cheap queries: a count, and the page of ids ordered by the ``(status, published_at, score)``
    index; titles and source names are joined only for the rows on the page.

    Example: ``inbox(s, InboxFilter(since=day_start, until=day_end), page=1).rows[0]["title"]``
    """
    now = now or utcnow()
    page = max(1, page)
    where = _inbox_where(session, f)
    total = session.scalar(select(func.count()).select_from(Opportunity).where(*where)) or 0
    ids = list(session.scalars(
        select(Opportunity.id).where(*where)
        .order_by(Opportunity.score.desc(), Opportunity.published_at.desc(), Opportunity.id.desc())
        .limit(page_size).offset((page - 1) * page_size)
    ))
    rows: list[dict[str, Any]] = []
    if ids:
        q = (
            select(Opportunity, Mention.title, Mention.url, Source.name)
            .join(Mention, Mention.id == Opportunity.mention_id)
            .join(Source, Source.id == Opportunity.source_id)
            .where(Opportunity.id.in_(ids))
        )
        by_id = {o.id: (o, title, url, src) for o, title, url, src in session.execute(q)}
        for oid in ids:
            o, title, url, src = by_id[oid]
            rows.append({
                "id": o.id, "title": title or "(no title)", "source": src, "language": o.language or "",
                "score": round(o.score), "temperature": o.temperature, "intent": o.intent or "", "persona": o.persona or "",
                "age": humanize_age(now - o.published_at), "published_at": o.published_at, "status": o.status, "url": url,
            })
    return InboxPage(rows=rows, total=total, page=page, page_size=page_size)


def humanize_age(delta: dt.timedelta) -> str:
    """``3 min``, ``5 h``, ``2 d``. Example: ``humanize_age(timedelta(hours=5)) == "5 h"``"""
    s = max(0, int(delta.total_seconds()))
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} h"
    return f"{s // 86400} d"


def inbox_filter_options(session: Session, since: dt.datetime | None = None) -> dict[str, list[str]]:
    """Choices for the Today filters: personas and sources from their tables, languages seen in
    the last week (a bounded scan of the published_at index)."""
    since = since or utcnow() - dt.timedelta(days=7)
    langs = session.scalars(
        select(Opportunity.language).where(Opportunity.published_at >= since, Opportunity.language.is_not(None)).distinct().limit(50)
    )
    return {
        "personas": sorted(session.scalars(select(Persona.name).where(Persona.active.is_(True)))),
        "sources": sorted(session.scalars(select(Source.name))),
        "languages": sorted(set(langs)),
        "temperatures": ["hot", "warm", "cold"],
    }


def opportunity_detail(session: Session, opportunity_id: int) -> dict[str, Any] | None:
    """Everything the detail view shows: the full post, the newest classification (explanation,
    persona points per criterion), the review state and the lead made from it, if any."""
    o = session.get(Opportunity, opportunity_id)
    if o is None:
        return None
    m = o.mention
    src = session.get(Source, o.source_id)
    c = session.scalars(
        select(Classification).where(Classification.mention_id == m.id).order_by(Classification.created_at.desc(), Classification.id.desc()).limit(1)
    ).first()
    lead = session.scalars(select(Lead).where(Lead.opportunity_id == o.id)).first()
    labels = session.scalars(select(Label).where(Label.mention_id == m.id).order_by(Label.id)).all()
    return {
        "id": o.id, "mention_id": m.id, "status": o.status, "dismissed_reason": o.dismissed_reason,
        "title": m.title, "body": m.body, "author": m.author, "url": m.url, "source": src.name if src else "",
        "language": o.language or m.language or "", "published_at": o.published_at,
        "score": o.score, "temperature": o.temperature, "intent": o.intent, "persona": o.persona,
        "classification": None if c is None else {
            "model_version": c.model_version, "request_probability": c.request_probability, "intent": c.intent,
            "urgency": c.urgency, "score": c.score, "temperature": c.temperature, "best_persona": c.best_persona,
            "persona_fit": c.persona_fit or {}, "explanation": c.explanation or {},
        },
        "lead_id": lead.id if lead else None, "lead_stage": lead.stage if lead else None, "lead_status": lead.status if lead else None,
        "labels": [{"label": lb.label, "intent": lb.intent, "origin": lb.origin} for lb in labels],
    }


# ---------------------------------------------------------------------------- Sources
def source_overview(session: Session, now: dt.datetime | None = None) -> dict[str, Any]:
    """The Sources page: :func:`radar.status.service_status` (schedule, health, running crawls,
    periodic jobs, the leader) with the items stored per source in the last 24 hours. A source
    the scheduler has not planned yet (service not started) shows its next run estimated as the
    last run plus the interval, marked ``next_run_estimated``."""
    from radar.status import service_status

    now = now or utcnow()
    status = service_status(session)
    new_24h = dict(session.execute(
        select(Source.name, func.coalesce(func.sum(CrawlRun.items_new), 0)).join(CrawlRun, CrawlRun.source_id == Source.id)
        .where(CrawlRun.started_at >= now - dt.timedelta(days=1)).group_by(Source.name)
    ).all())
    rows = []
    for src in status["sources"]:
        run = src.get("last_run") or {}
        next_run, estimated = src.get("next_run_at"), False
        if next_run is None and src["enabled"]:
            last = src.get("last_run_at")
            next_run, estimated = (last + dt.timedelta(seconds=src["interval_seconds"])) if last else now, True
        rows.append({
            "name": src["name"], "kind": src["kind"], "enabled": src["enabled"], "running": src.get("running", False),
            "interval_min": src["interval_seconds"] // 60, "last_run_at": src.get("last_run_at"),
            "last_status": src.get("last_status") or "never run", "last_run_new": run.get("items_new") or 0,
            "new_24h": int(new_24h.get(src["name"], 0)), "items_total": src.get("items_total") or 0,
            "error_streak": src.get("error_streak") or 0, "last_error": src.get("last_error") or "",
            "next_run_at": next_run, "next_run_estimated": estimated,
        })
    return {"sources": rows, "jobs": status["jobs"], "leader": status["leader"]}


def recent_runs(session: Session, source_name: str, limit: int = 20) -> list[dict[str, Any]]:
    """The last crawl runs of one source, newest first, as table rows."""
    from radar.collection import recent_runs as runs

    return [
        {"started_at": r.started_at, "finished_at": r.finished_at, "status": r.status, "pages": r.pages,
         "new": r.items_new, "duplicates": r.items_duplicate, "failed": r.items_failed,
         "errors": "; ".join(str(e.get("reason", e) if isinstance(e, dict) else e) for e in (r.errors or []))[:500]}
        for r in runs(session, source_name, limit)
    ]


# ---------------------------------------------------------------------------- Reports
FUNNEL_STEPS = ("found", "reviewed", "contacted", "lead", "SAL", "SQL", "won")


def _bucket(d: dt.date, bucket: str) -> dt.date:
    if bucket == "week":
        return d - dt.timedelta(days=d.weekday())
    if bucket == "month":
        return d.replace(day=1)
    return d


def funnel(session: Session, since: dt.datetime, until: dt.datetime | None = None, bucket: str = "week",
           partner_id: int | None = None) -> list[dict[str, Any]]:
    """The funnel found → reviewed → contacted → lead → SAL → SQL → won, per period.

    A cohort view: each step counts the opportunities *found* in the period that reached at least
    that step (a lead won later still counts in the week its post was found). A lost lead counts up
    to the furthest stage its event log shows. With ``partner_id`` only that partner's leads count
    (a partner sees no inbox, so its funnel starts at *lead*). Counted in SQL per day, bucketed here.
    Returns rows ``{"period": date, "found": n, "reviewed": n, ...}``, oldest first.
    """
    until = until or utcnow()
    reached = (
        select(LeadEvent.lead_id, func.max(case((LeadEvent.to_stage == "won", 3), (LeadEvent.to_stage == "SQL", 2),
                                               (LeadEvent.to_stage == "SAL", 1), else_=0)).label("r"))
        .group_by(LeadEvent.lead_id).subquery()
    )
    rank = case((Lead.stage == "won", 3), (Lead.stage == "SQL", 2), (Lead.stage == "SAL", 1), else_=func.coalesce(reached.c.r, 0))
    is_lead = or_(Lead.id.is_not(None), Opportunity.status == "lead")
    day = func.date(Opportunity.published_at)

    def n(cond: Any) -> Any:
        return func.sum(case((cond, 1), else_=0))

    q = (
        select(day, func.count(), n(or_(Opportunity.status != "new", is_lead)),
               n(or_(Opportunity.status.in_(("contacted", "lead")), is_lead)), n(is_lead),
               n(and_(is_lead, rank >= 1)), n(and_(is_lead, rank >= 2)), n(and_(is_lead, rank >= 3)))
        .select_from(Opportunity)
        .outerjoin(Lead, Lead.opportunity_id == Opportunity.id)
        .outerjoin(reached, reached.c.lead_id == Lead.id)
        .where(Opportunity.published_at >= since, Opportunity.published_at < until)
        .group_by(day)
    )
    if partner_id is not None:
        q = q.where(Lead.partner_id == partner_id)
    out: dict[dt.date, dict[str, Any]] = {}
    for d, *counts in session.execute(q):
        d = d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d))
        key = _bucket(d, bucket)
        row = out.setdefault(key, {"period": key, **{s: 0 for s in FUNNEL_STEPS}})
        for step, c in zip(FUNNEL_STEPS, counts):
            row[step] += int(c or 0)
    return [out[k] for k in sorted(out)]


def partner_kpis(session: Session, since: dt.datetime | None = None, partner_id: int | None = None,
                 now: dt.datetime | None = None, cfg: Any = None) -> list[dict[str, Any]]:
    """Rows for the Reports page from :func:`radar.leads.kpis`: one per partner (with
    ``partner_id``: that partner and its subtree), its own figures flattened — reserved, won, lost,
    conversion rate, average deal time, average deal size, feedback compliance, points."""
    from radar.leads import kpis

    out = []
    for row in kpis(session, partner_id=partner_id, since=since, now=now, cfg=cfg):
        own = row.get("own") or {}
        out.append({
            "partner": row["partner"], "type": row.get("type"), "offered": own.get("offered"), "reserved": own.get("reserved"),
            "won": own.get("won"), "lost": own.get("lost"), "conversion_rate": own.get("conversion_rate"),
            "avg_deal_days": own.get("avg_deal_time_days"), "avg_deal_size": _num(own.get("avg_deal_size")),
            "revenue": _num(own.get("revenue")), "feedback_compliance": own.get("feedback_compliance"),
            "points": row.get("points"),
        })
    return out


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


# ---------------------------------------------------------------------------- Radars
def radars_for(session: Session, owner_id: int | None = None, partner_id: int | None = None) -> list[dict[str, Any]]:
    """Radars a user may edit: a partner user its partner's, everyone else their own (admins all)."""
    q = select(Radar).order_by(Radar.name)
    if partner_id is not None:
        q = q.where(Radar.partner_id == partner_id)
    elif owner_id is not None:
        q = q.where(Radar.owner_id == owner_id)
    return [
        {"id": r.id, "name": r.name, "query": r.query, "languages": list(r.languages or []), "min_score": r.min_score,
         "personas": list(r.personas or []), "regions": list(r.regions or []), "cadence": r.cadence, "channel": r.channel,
         "active": r.active}
        for r in session.scalars(q)
    ]


# ---------------------------------------------------------------------------- Classifier
def model_versions(session: Session) -> list[dict[str, Any]]:
    """Every model version (:func:`radar.model_versions.list_versions`, the bundled one included)
    with its evaluation figures flattened for a table: F1, precision, recall, PR-AUC overall and
    F1 per language."""
    from radar.model_versions import ensure_bundled, list_versions

    ensure_bundled(session)
    rows = []
    for mv in list_versions(session):
        ev = (mv.metrics or {}).get("evaluation") or {}
        row: dict[str, Any] = {"version": mv.version, "active": mv.active, "created_at": mv.created_at}
        for key in ("f1", "precision", "recall", "pr_auc"):
            v = (ev.get("all") or {}).get(key)
            row[key] = round(float(v), 3) if isinstance(v, (int, float)) else None
        for lang in ("de", "en"):
            v = (ev.get(lang) or {}).get("f1")
            row[f"f1_{lang}"] = round(float(v), 3) if isinstance(v, (int, float)) else None
        row["notes"] = mv.notes or ""
        rows.append(row)
    return rows


def threshold_curve(session: Session, days: int = 30, now: dt.datetime | None = None) -> dict[str, Any]:
    """Precision and recall of "score ≥ t" against human labels, and opportunities per day, for
    every threshold t in 0..100.

    Uses the newest label of each labelled mention and the opportunity's current score. Returns
    ``{"thresholds": [...], "precision": [...], "recall": [...], "per_day": [...], "labelled": n}``;
    precision is None where nothing reaches the threshold.
    """
    now = now or utcnow()
    newest = select(Label.mention_id, func.max(Label.id).label("lid")).group_by(Label.mention_id).subquery()
    pairs = session.execute(
        select(Opportunity.score, Label.label)
        .join(newest, newest.c.mention_id == Opportunity.mention_id)
        .join(Label, Label.id == newest.c.lid)
    ).all()
    since = now - dt.timedelta(days=days)
    score_bins = session.execute(
        select(func.floor(Opportunity.score), func.count()).where(Opportunity.published_at >= since).group_by(func.floor(Opportunity.score))
    ).all()
    per_bin = [0] * 101
    for b, n in score_bins:
        per_bin[min(100, max(0, int(b)))] += n
    thresholds = list(range(0, 101))
    positives = sum(1 for _, lb in pairs if lb == 1)
    precision, recall, per_day = [], [], []
    above = sum(per_bin)
    for t in thresholds:
        tp = sum(1 for s, lb in pairs if s >= t and lb == 1)
        sel = sum(1 for s, _ in pairs if s >= t)
        precision.append(round(tp / sel, 4) if sel else None)
        recall.append(round(tp / positives, 4) if positives else None)
        per_day.append(round(above / days, 2))
        above -= per_bin[t]
    return {"thresholds": thresholds, "precision": precision, "recall": recall, "per_day": per_day, "labelled": len(pairs)}


def persona_definitions(session: Session) -> list[dict[str, Any]]:
    """Personas as stored (the validated TOML tables)."""
    return [{"name": p.name, "title": p.title, "active": p.active, "definition": p.definition}
            for p in session.scalars(select(Persona).order_by(Persona.name))]


def partner_subtree(session: Session, partner_id: int) -> list[int]:
    """The partner and all its descendants (a distributor sees its resellers' leads)."""
    ids, frontier = [partner_id], [partner_id]
    while frontier:
        frontier = list(session.scalars(select(Partner.id).where(Partner.parent_id.in_(frontier))))
        ids.extend(i for i in frontier if i not in ids)
    return ids


def label_queue(session: Session, cfg: Any, limit: int = 20) -> list[dict[str, Any]]:
    """The classifier's label queue (:func:`radar.scoring.label_queue`: unlabelled posts nearest
    the request threshold) with each post's full title and text for the person who labels it."""
    from radar.scoring import label_queue as queue

    items = queue(session, cfg, limit=limit)
    texts = dict((i, (t, b)) for i, t, b in session.execute(
        select(Mention.id, Mention.title, Mention.body).where(Mention.id.in_([it["mention_id"] for it in items]))))
    for it in items:
        it["title"], it["body"] = texts.get(it["mention_id"], (it.get("title") or "", ""))
        it["probability"] = round(it.get("request_probability") or 0, 3)
    return items


def label_counts(session: Session) -> dict[str, int]:
    """How many human labels exist: positive, negative, and by origin."""
    rows = session.execute(select(Label.label, func.count()).group_by(Label.label)).all()
    d = {"help request": 0, "not": 0}
    for lb, n in rows:
        d["help request" if lb == 1 else "not"] += n
    return d
