"""The weekly KPI report: every user gets the numbers of their own slice (a partner its own,
a distributor its subtree, the manufacturer, admins, marketing and consultants everything), with
a small chart (matplotlib, PNG) embedded inline through ``cid:``.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from radar.config import Config
from radar.models import EmailMessage, Feedback, Lead, Partner, Reservation, User, utcnow
from radar.notify.mailer import enqueue_mail, png_attachment
from radar.notify.render import Mail, button, esc, footer_text, page

CHART_CID = "kpi-chart"
WEEKS_IN_CHART = 8


@dataclass
class SliceKpis:
    """KPIs of one slice of the channel over one period."""

    label: str
    leads: int = 0
    won: int = 0
    lost: int = 0
    conversion_rate: float | None = None  # won / (won + lost) of leads closed in the period
    avg_deal_days: float | None = None  # created -> won, in days
    avg_deal_size: float | None = None
    feedback_due: int = 0
    feedback_on_time: int = 0
    feedback_compliance: float | None = None  # share of feedback due in the period that came in time
    weekly: list[tuple[dt.date, int, int]] = field(default_factory=list)  # (week start, leads, won)


def slice_partner_ids(session: Session, user: User) -> list[int] | None:
    """The partners whose numbers ``user`` sees: None means all (admin, marketing, consultant,
    qualifier, manufacturer users); a distributor sees its whole subtree, others themselves."""
    if user.role != "partner" or user.partner_id is None:
        return None
    partner = session.get(Partner, user.partner_id)
    if partner is None:
        return []
    if partner.type == "manufacturer":
        return None
    ids = [partner.id]
    frontier = [partner.id]
    while frontier:  # walk down the hierarchy
        frontier = list(session.scalars(select(Partner.id).where(Partner.parent_id.in_(frontier))))
        ids += frontier
    return ids


def _lead_filter(partner_ids: list[int] | None):
    return [] if partner_ids is None else [Lead.partner_id.in_(partner_ids)]


def compute_kpis(session: Session, partner_ids: list[int] | None, since: dt.datetime, until: dt.datetime,
                 label: str = "all partners") -> SliceKpis:
    """KPIs of the slice ``partner_ids`` (None: everything) for ``[since, until)``.

    Leads: leads created (all) or reserved (a partner slice) in the period. Conversion: won among
    won+lost closed in the period. Deal time: created -> closed of the won ones. Feedback
    compliance: reservations whose feedback fell due in the period and got feedback by then.
    """
    k = SliceKpis(label=label)
    if partner_ids is None:
        k.leads = session.scalar(select(func.count()).select_from(Lead).where(Lead.created_at >= since, Lead.created_at < until)) or 0
    else:
        k.leads = session.scalar(select(func.count(func.distinct(Reservation.lead_id))).where(
            Reservation.partner_id.in_(partner_ids), Reservation.reserved_at >= since, Reservation.reserved_at < until)) or 0
    closed = session.execute(select(Lead.stage, Lead.created_at, Lead.closed_at, Lead.deal_size).where(
        Lead.stage.in_(("won", "lost")), Lead.closed_at >= since, Lead.closed_at < until, *_lead_filter(partner_ids))).all()
    won = [r for r in closed if r.stage == "won"]
    k.won, k.lost = len(won), len(closed) - len(won)
    if closed:
        k.conversion_rate = k.won / len(closed)
    if won:
        k.avg_deal_days = sum((r.closed_at - r.created_at).total_seconds() for r in won) / len(won) / 86400
        sizes = [Decimal(r.deal_size) for r in won if r.deal_size is not None]
        k.avg_deal_size = float(sum(sizes) / len(sizes)) if sizes else None
    res_filter = [] if partner_ids is None else [Reservation.partner_id.in_(partner_ids)]
    due = session.execute(select(Reservation.id, Reservation.feedback_due_at).where(
        Reservation.feedback_due_at >= since, Reservation.feedback_due_at < until, *res_filter)).all()
    k.feedback_due = len(due)
    if due:
        first_feedback = dict(session.execute(select(Feedback.reservation_id, func.min(Feedback.at))
                                              .where(Feedback.reservation_id.in_([r.id for r in due]))
                                              .group_by(Feedback.reservation_id)).all())
        k.feedback_on_time = sum(1 for r in due if r.id in first_feedback and first_feedback[r.id] <= r.feedback_due_at)
        k.feedback_compliance = k.feedback_on_time / k.feedback_due
    # weekly series for the chart
    start = until - dt.timedelta(weeks=WEEKS_IN_CHART)
    for w in range(WEEKS_IN_CHART):
        a, b = start + dt.timedelta(weeks=w), start + dt.timedelta(weeks=w + 1)
        if partner_ids is None:
            n = session.scalar(select(func.count()).select_from(Lead).where(Lead.created_at >= a, Lead.created_at < b)) or 0
        else:
            n = session.scalar(select(func.count(func.distinct(Reservation.lead_id))).where(
                Reservation.partner_id.in_(partner_ids), Reservation.reserved_at >= a, Reservation.reserved_at < b)) or 0
        wins = session.scalar(select(func.count()).select_from(Lead).where(
            Lead.stage == "won", Lead.closed_at >= a, Lead.closed_at < b, *_lead_filter(partner_ids))) or 0
        k.weekly.append((a.date(), n, wins))
    return k


def chart_png(k: SliceKpis) -> bytes:
    """A small bar chart (leads and wins per week) as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # the object API: no global pyplot state, thread-safe

    fig = Figure(figsize=(6, 2.4), dpi=100)
    ax = fig.add_subplot()
    xs = range(len(k.weekly))
    ax.bar([x - 0.2 for x in xs], [w[1] for w in k.weekly], width=0.4, label="leads", color="#1f6feb")
    ax.bar([x + 0.2 for x in xs], [w[2] for w in k.weekly], width=0.4, label="won", color="#2da44e")
    ax.set_xticks(list(xs), [w[0].strftime("%d.%m.") for w in k.weekly], fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_title(f"Last {len(k.weekly)} weeks: {k.label}", fontsize=9)
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.0f} %"


def kpi_rows(k: SliceKpis) -> list[tuple[str, str]]:
    return [
        ("Leads", str(k.leads)),
        ("Conversion rate (won of closed)", f"{_pct(k.conversion_rate)} ({k.won} won, {k.lost} lost)"),
        ("Average deal time", "–" if k.avg_deal_days is None else f"{k.avg_deal_days:.1f} days"),
        ("Average deal size", "–" if k.avg_deal_size is None else f"{k.avg_deal_size:,.2f}"),
        ("Feedback compliance", f"{_pct(k.feedback_compliance)} ({k.feedback_on_time} of {k.feedback_due} on time)"),
    ]


def compose_weekly_report(cfg: Config, user: User, k: SliceKpis, since: dt.datetime, until: dt.datetime) -> Mail:
    instance = cfg.settings.general.instance_name
    period = f"{since:%Y-%m-%d} – {(until - dt.timedelta(seconds=1)):%Y-%m-%d}"
    subject = f"{instance}: weekly report {period} ({k.label})"
    rows = kpi_rows(k)
    dash = cfg.settings.general.public_url.rstrip("/")
    text = "\n".join([f"Hello {user.display_name or user.username},", "", f"the week {period} for {k.label}:", ""]
                     + [f"  {name}: {value}" for name, value in rows]
                     + ["", "Leads and wins per week: " + ", ".join(f"{w[0]:%d.%m.} {w[1]}/{w[2]}" for w in k.weekly),
                        "", f"Dashboard: {dash}", "", "-- ", footer_text(instance, "Weekly report.")]) + "\n"
    table = "".join(f"<tr><td style=\"padding:4px 12px 4px 0\">{esc(n)}</td><td><b>{esc(v)}</b></td></tr>" for n, v in rows)
    body = (f"<p>Hello {esc(user.display_name or user.username)},</p><p>the week {esc(period)} for <b>{esc(k.label)}</b>:</p>"
            f"<table style=\"border-collapse:collapse\">{table}</table>"
            f"<p><img src=\"cid:{CHART_CID}\" alt=\"Leads and wins per week\" width=\"600\" height=\"240\"></p>"
            f"<p>{button(dash, 'Open the dashboard')}</p>")
    return Mail(to=user.email, subject=subject, text=text, html=page(subject, body, footer_text(instance, "Weekly report.")),
                kind="weekly", user_id=user.id, attachments=[png_attachment(CHART_CID, chart_png(k), "kpi-chart.png")])


def enqueue_weekly_reports(session: Session, cfg: Config, now: dt.datetime | None = None,
                           dry_run: bool = False) -> list[Mail]:
    """Queue the weekly report (the 7 days before ``now``) for every active user with an e-mail
    who has not had one in the last 6 days.

    Example: ``enqueue_weekly_reports(s, cfg)`` on ``[notify] weekly_report_day``.
    """
    now = now or utcnow()
    since = now - dt.timedelta(days=7)
    mails = []
    cache: dict[tuple[int, ...] | None, SliceKpis] = {}
    for user in session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)):
        if not (user.email and "@" in user.email):
            continue
        last = session.scalar(select(func.max(EmailMessage.created_at)).where(EmailMessage.user_id == user.id, EmailMessage.kind == "weekly"))
        if last is not None and last > now - dt.timedelta(days=6):
            continue
        ids = slice_partner_ids(session, user)
        key = None if ids is None else tuple(sorted(ids))
        if key not in cache:
            if ids is None:
                label = "all partners"
            else:
                partner = session.get(Partner, user.partner_id)
                label = partner.name + (" and its partners" if len(ids) > 1 else "") if partner else "your organisation"
            cache[key] = compute_kpis(session, ids, since, now, label)
        mails.append(compose_weekly_report(cfg, user, cache[key], since, now))
    if not dry_run:
        for m in mails:
            enqueue_mail(session, m, now=now)
    return mails
