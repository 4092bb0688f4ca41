"""Partner KPIs, per partner and per subtree (a distributor with its resellers)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from radar.config import Config, LeadSettings
from radar.leads.core import lead_settings, seconds
from radar.leads.partners import get_partner, partner_tree
from radar.models import Feedback, Lead, LeadEvent, Offer, Reservation, utcnow

KPI_KEYS = ("offered", "reserved", "time_to_reserve_hours", "won", "lost", "closed", "conversion_rate",
            "avg_deal_time_days", "avg_deal_size", "revenue", "feedback_due", "feedback_on_time",
            "feedback_compliance", "declined", "revoked", "points_earned")


def _empty() -> dict[str, Any]:
    return {"offered": set(), "reserved": 0, "reserve_hours": [], "won": 0, "lost": 0, "deal_days": [], "deal_sizes": [],
            "feedback_due": 0, "feedback_on_time": 0, "declined": 0, "revoked": 0, "points_earned": 0}


def _finish(raw: dict[str, Any]) -> dict[str, Any]:
    closed = raw["won"] + raw["lost"]
    mean = (lambda xs: round(statistics.fmean(xs), 2) if xs else None)
    return {
        "offered": len(raw["offered"]), "reserved": raw["reserved"],
        "time_to_reserve_hours": mean(raw["reserve_hours"]),
        "won": raw["won"], "lost": raw["lost"], "closed": closed,
        "conversion_rate": round(raw["won"] / closed, 4) if closed else None,
        "avg_deal_time_days": mean(raw["deal_days"]),
        "avg_deal_size": mean(raw["deal_sizes"]), "revenue": round(sum(raw["deal_sizes"]), 2),
        "feedback_due": raw["feedback_due"], "feedback_on_time": raw["feedback_on_time"],
        "feedback_compliance": round(raw["feedback_on_time"] / raw["feedback_due"], 4) if raw["feedback_due"] else None,
        "declined": raw["declined"], "revoked": raw["revoked"], "points_earned": raw["points_earned"],
    }


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    into["offered"] |= other["offered"]
    for key in ("reserved", "won", "lost", "feedback_due", "feedback_on_time", "declined", "revoked", "points_earned"):
        into[key] += other[key]
    for key in ("reserve_hours", "deal_days", "deal_sizes"):
        into[key].extend(other[key])


def kpis(session: Session, partner_id: int | str | None = None, since: dt.datetime | None = None,
         now: dt.datetime | None = None, cfg: Config | LeadSettings | None = None) -> list[dict[str, Any]]:
    """KPIs of every partner (or of ``partner_id`` and everyone below it) since ``since``
    (default: 30 days before ``now``).

    Each row: ``partner_id``, ``partner``, ``type``, ``depth``, ``points`` (balance), ``own`` and
    ``subtree`` dicts with: offered (leads), reserved, time_to_reserve_hours (offer → reservation,
    mean), won, lost, closed, conversion_rate (won / closed), avg_deal_time_days (reservation →
    won), avg_deal_size, revenue, feedback_due (reservations whose first report fell due),
    feedback_on_time, feedback_compliance (on time / due), declined, revoked, points_earned.

    Example: ``kpis(s, "Distri GmbH", since=now - timedelta(days=90))``
    """
    s = lead_settings(cfg)
    now = now or utcnow()
    since = since or now - dt.timedelta(days=30)
    tree = partner_tree(session, partner_id if partner_id is not None else None)
    ids = {p.id for p, _ in tree}
    raw: dict[int, dict[str, Any]] = defaultdict(_empty)

    for offer in session.scalars(select(Offer).where(Offer.offered_at >= since, Offer.offered_at <= now, Offer.partner_id.in_(ids))):
        raw[offer.partner_id]["offered"].add(offer.lead_id)
        if offer.status == "declined":
            raw[offer.partner_id]["declined"] += 1
    due_after = seconds(s.feedback_due)
    reservations = list(session.scalars(select(Reservation).where(Reservation.reserved_at >= since, Reservation.reserved_at <= now,
                                                                 Reservation.partner_id.in_(ids))))
    offers = {o.id: o for o in session.scalars(select(Offer).where(Offer.id.in_({r.offer_id for r in reservations if r.offer_id})))} if reservations else {}
    first_feedback: dict[int, dt.datetime] = {}
    if reservations:
        for rid, at in session.execute(select(Feedback.reservation_id, Feedback.at).where(
                Feedback.reservation_id.in_({r.id for r in reservations})).order_by(Feedback.at)):
            first_feedback.setdefault(rid, at)
    for r in reservations:
        row = raw[r.partner_id]
        row["reserved"] += 1
        if r.status == "revoked":
            row["revoked"] += 1
        offer = offers.get(r.offer_id)
        if offer is not None:
            row["reserve_hours"].append((r.reserved_at - offer.offered_at).total_seconds() / 3600)
        first_due = r.reserved_at + due_after
        got = first_feedback.get(r.id)
        if first_due <= now or got is not None:
            row["feedback_due"] += 1
            if got is not None and got <= first_due:
                row["feedback_on_time"] += 1
    # outcomes by close date; deal time from the winning reservation
    for lead in session.scalars(select(Lead).where(Lead.closed_at >= since, Lead.closed_at <= now, Lead.partner_id.in_(ids),
                                                   Lead.stage.in_(("won", "lost")))):
        row = raw[lead.partner_id]
        if lead.stage == "lost":
            row["lost"] += 1
            continue
        row["won"] += 1
        row["deal_sizes"].append(float(lead.deal_size or 0))
        res = session.scalar(select(Reservation).where(Reservation.lead_id == lead.id, Reservation.partner_id == lead.partner_id)
                             .order_by(Reservation.id.desc()).limit(1))
        if res is not None:
            row["deal_days"].append((lead.closed_at - res.reserved_at).total_seconds() / 86400)
    for ev in session.scalars(select(LeadEvent).where(LeadEvent.at >= since, LeadEvent.at <= now, LeadEvent.partner_id.in_(ids),
                                                      LeadEvent.kind.in_(("reserved", "feedback")))):
        raw[ev.partner_id]["points_earned"] += int((ev.data or {}).get("points") or 0)

    # subtree sums, children before parents (the tree is in pre-order)
    children: dict[int, list[int]] = defaultdict(list)
    for p, _ in tree:
        if p.parent_id in ids:
            children[p.parent_id].append(p.id)
    sub: dict[int, dict[str, Any]] = {}
    for p, _ in reversed(tree):
        acc = _empty()
        _merge(acc, raw[p.id])
        for c in children.get(p.id, ()):
            _merge(acc, sub[c])
        sub[p.id] = acc
    return [{"partner_id": p.id, "partner": p.name, "type": p.type, "parent_id": p.parent_id, "depth": depth, "points": p.points,
             "own": _finish(raw[p.id]), "subtree": _finish(sub[p.id])} for p, depth in tree]


def kpi_for(session: Session, partner: int | str, **kw: Any) -> dict[str, Any]:
    """The KPI row of one partner (with its subtree figures)."""
    p = get_partner(session, partner)
    return next(row for row in kpis(session, p.id, **kw) if row["partner_id"] == p.id)
