"""The weekly KPI report: every user gets the numbers of their own slice (a partner its own,
a distributor its subtree, the manufacturer, admins, marketing and consultants everything), with
a small chart (matplotlib, PNG) embedded inline through ``cid:``.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from radar.config import Config
from radar.models import EmailMessage, Lead, Partner, User, utcnow
from radar.notify.mailer import enqueue_mail, png_attachment
from radar.notify.render import Mail, button, esc, footer_text, page

CHART_CID = "kpi-chart"
WEEKS_IN_CHART = 8
COMPLIANCE_DAYS = 30


@dataclass
class SliceKpis:
    """KPIs of one slice of the channel over one period."""

    label: str
    leads: int = 0
    leads_label: str = "Leads offered"
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
    """The partners whose numbers ``user`` sees (``radar.leads.visible_partner_ids``): None means
    all (staff and manufacturer users); a distributor sees its whole subtree, a reseller itself."""
    from radar.leads import visible_partner_ids

    ids = visible_partner_ids(session, user)
    return None if ids is None else sorted(ids)


def _combine(rows: list[dict]) -> dict:
    """Sum KPI dicts of disjoint subtrees; means weighted by their counts."""
    out: dict = {k: sum((r[k] or 0) for r in rows) for k in ("offered", "won", "lost", "closed", "feedback_due", "feedback_on_time")}
    won = out["won"]
    for key in ("avg_deal_time_days", "avg_deal_size"):
        pairs = [(r[key], r["won"]) for r in rows if r[key] is not None and r["won"]]
        out[key] = sum(v * w for v, w in pairs) / sum(w for _, w in pairs) if pairs else None
    out["conversion_rate"] = won / out["closed"] if out["closed"] else None
    out["feedback_compliance"] = out["feedback_on_time"] / out["feedback_due"] if out["feedback_due"] else None
    return out


def _slice_figures(session: Session, partner_id: int | None, since: dt.datetime, until: dt.datetime, cfg: Config | None) -> dict:
    """``radar.leads.kpis`` of one slice: a partner's subtree, or (None) every partner tree."""
    from radar.leads import kpis

    rows = kpis(session, partner_id, since=since, now=until, cfg=cfg)
    if partner_id is not None:
        return next(r["subtree"] for r in rows if r["partner_id"] == partner_id)
    return _combine([r["subtree"] for r in rows if r["depth"] == 0])


def compute_kpis(session: Session, partner_id: int | None, since: dt.datetime, until: dt.datetime,
                 label: str = "all partners", cfg: Config | None = None) -> SliceKpis:
    """KPIs of ``partner_id`` with everything below it (None: all partners) for ``since``..``until``,
    from ``radar.leads.kpis`` (the same figures as the dashboard), plus an 8-week series for the chart.

    Leads: distinct leads offered to the slice (for all partners: leads created). Conversion: won of
    closed. Deal time: reservation -> won. Feedback compliance: first feedback on time, of the
    reservations of the last 30 days whose first feedback fell due.
    """
    f = _slice_figures(session, partner_id, since, until, cfg)
    # Feedback falls due days after a reservation ([leads] feedback_due), so one week's reservations
    # have hardly any due yet: compliance is taken over the reservations of the last 30 days.
    f30 = _slice_figures(session, partner_id, until - dt.timedelta(days=COMPLIANCE_DAYS), until, cfg)
    k = SliceKpis(label=label, won=f["won"], lost=f["lost"], conversion_rate=f["conversion_rate"],
                  avg_deal_days=f["avg_deal_time_days"], avg_deal_size=f["avg_deal_size"], feedback_due=f30["feedback_due"],
                  feedback_on_time=f30["feedback_on_time"], feedback_compliance=f30["feedback_compliance"])

    def leads_in(a: dt.datetime, b: dt.datetime, figures: dict) -> int:
        if partner_id is None:
            return session.scalar(select(func.count()).select_from(Lead).where(Lead.created_at >= a, Lead.created_at < b)) or 0
        return figures["offered"]

    k.leads = leads_in(since, until, f)
    k.leads_label = "New leads" if partner_id is None else "Leads offered"
    start = until - dt.timedelta(weeks=WEEKS_IN_CHART)
    for w in range(WEEKS_IN_CHART):
        a, b = start + dt.timedelta(weeks=w), start + dt.timedelta(weeks=w + 1)
        fw = _slice_figures(session, partner_id, a, b, cfg)
        k.weekly.append((a.date(), leads_in(a, b, fw), fw["won"]))
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
        (k.leads_label, str(k.leads)),
        ("Conversion rate (won of closed)", f"{_pct(k.conversion_rate)} ({k.won} won, {k.lost} lost)"),
        ("Average deal time (reserved to won)", "–" if k.avg_deal_days is None else f"{k.avg_deal_days:.1f} days"),
        ("Average deal size", "–" if k.avg_deal_size is None else f"{k.avg_deal_size:,.2f}"),
        (f"Feedback compliance (reservations of the last {COMPLIANCE_DAYS} days)", f"{_pct(k.feedback_compliance)} ({k.feedback_on_time} of {k.feedback_due} on time)"),
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
    cache: dict[int | None, SliceKpis] = {}
    for user in session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)):
        if not (user.email and "@" in user.email):
            continue
        last = session.scalar(select(func.max(EmailMessage.created_at)).where(EmailMessage.user_id == user.id, EmailMessage.kind == "weekly"))
        if last is not None and last > now - dt.timedelta(days=6):
            continue
        ids = slice_partner_ids(session, user)
        if ids == []:
            continue  # an inactive organisation: nothing to report
        key = None if ids is None else user.partner_id
        if key not in cache:
            partner = session.get(Partner, key) if key is not None else None
            label = "all partners" if partner is None else partner.name + (" and its partners" if len(ids or []) > 1 else "")
            cache[key] = compute_kpis(session, key, since, now, label, cfg)
        mails.append(compose_weekly_report(cfg, user, cache[key], since, now))
    if not dry_run:
        for m in mails:
            enqueue_mail(session, m, now=now)
    return mails
