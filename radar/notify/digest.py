"""What goes into the mail queue: consultant digests, partner teasers, feedback reminders and
escalation notices. Every ``enqueue_*`` function composes the mails, queues them in the caller's
transaction and returns them (``dry_run=True`` composes without queueing).

"What is new" is measured from the previous mail of the same kind to the same user (the queue
is the memory), so running a job twice sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from radar.config import Config, parse_duration
from radar.models import EmailMessage, Lead, LeadEvent, Mention, Opportunity, Radar, Reservation, Source, User, utcnow
from radar.notify.mailer import enqueue_mail
from radar.notify.render import Mail, button, esc, footer_text, link, one_line, page, safe_href
from radar.notify.tokens import ACTION_LABELS, action_url, make_token

TEMPERATURE_RANK = {"cold": 0, "warm": 1, "hot": 2}
CADENCE_RANK = {"instant": 0, "daily": 1, "weekly": 2}
CADENCE_WINDOW = {"instant": dt.timedelta(days=1), "daily": dt.timedelta(days=1), "weekly": dt.timedelta(days=7)}
ESCALATION_KINDS = ("escalated", "revoked")
FEEDBACK_ACTIONS = ("contacted", "not_interested", "won", "lost")


def _last_mail_at(session: Session, user_id: int, kind: str) -> dt.datetime | None:
    return session.scalar(select(func.max(EmailMessage.created_at)).where(EmailMessage.user_id == user_id, EmailMessage.kind == kind))


def _local(cfg: Config, when: dt.datetime | None) -> str:
    if when is None:
        return ""
    return when.astimezone(ZoneInfo(cfg.settings.general.timezone)).strftime("%Y-%m-%d %H:%M")


def _queue(session: Session, mails: list[Mail], dry_run: bool, now: dt.datetime) -> list[Mail]:
    if not dry_run:
        for m in mails:
            enqueue_mail(session, m, now=now)
    return mails


def _mailable(users: Iterable[User]) -> list[User]:
    return [u for u in users if u.active and u.email and "@" in u.email and u.notify_channel == "email"]


# ----------------------------------------------------------------------------- consultants
def best_new_opportunities(session: Session, since: dt.datetime, count: int) -> list[tuple[Opportunity, Mention, Source]]:
    """The ``count`` best opportunities that came in since ``since`` and nobody has looked at."""
    q = (select(Opportunity, Mention, Source)
         .join(Mention, Mention.id == Opportunity.mention_id)
         .join(Source, Source.id == Opportunity.source_id)
         .where(Opportunity.status == "new", Opportunity.created_at > since)
         .order_by(Opportunity.score.desc(), Opportunity.published_at.desc(), Opportunity.id)
         .limit(count))
    return list(session.execute(q))


def compose_consultant_digest(cfg: Config, user: User, items: list[tuple[Opportunity, Mention, Source]]) -> Mail:
    instance = cfg.settings.general.instance_name
    inbox = cfg.settings.general.public_url.rstrip("/")
    subject = f"{instance}: {len(items)} new opportunit{'y' if len(items) == 1 else 'ies'} for today"
    text = [f"Hello {user.display_name or user.username},", "", f"the best new opportunities since your last digest:", ""]
    html = [f"<p>Hello {esc(user.display_name or user.username)},</p><p>the best new opportunities since your last digest:</p><ol>"]
    for opp, mention, source in items:
        facts = f"{opp.temperature} · score {opp.score:.0f} · {opp.intent or 'no intent'} · {opp.persona or 'no persona'} · {source.name}"
        title = one_line(mention.title, 200) or "(no title)"
        snippet = one_line(mention.body, 300)
        text += [f"* {title}", f"  {facts}", f"  {snippet}", f"  {safe_href(mention.url) or '(no link)'}", ""]
        html.append(f"<li style=\"margin-bottom:12px\"><b>{link(mention.url, title)}</b><br>"
                    f"<span style=\"color:#656d76;font-size:12px\">{esc(facts)}</span><br>{esc(snippet)}</li>")
    html.append(f"</ol><p>{button(inbox, 'Open the inbox')}</p>")
    text += [f"Open the inbox: {inbox}"]
    why = "You get this daily digest as a consultant."
    return Mail(to=user.email, subject=subject, text="\n".join(text) + f"\n\n-- \n{footer_text(instance, why)}\n",
                html=page(subject, "".join(html), footer_text(instance, why)), kind="digest", user_id=user.id)


def enqueue_consultant_digests(session: Session, cfg: Config, now: dt.datetime | None = None,
                               dry_run: bool = False) -> list[Mail]:
    """Daily digest: each active consultant with an e-mail gets the ``[notify] digest_count`` best
    opportunities that arrived since their previous digest (at most a day back). No news, no mail.

    Example: ``enqueue_consultant_digests(s, cfg)`` from the scheduler at ``[notify] digest_time``.
    """
    now = now or utcnow()
    mails = []
    consultants = session.scalars(select(User).where(User.role == "consultant", User.active.is_(True)).order_by(User.id))
    for user in consultants:
        if not (user.email and "@" in user.email):
            continue
        since = max(_last_mail_at(session, user.id, "digest") or now - dt.timedelta(days=1), now - dt.timedelta(days=1))
        items = best_new_opportunities(session, since, cfg.settings.notify.digest_count)
        if items:
            mails.append(compose_consultant_digest(cfg, user, items))
    return _queue(session, mails, dry_run, now)


# ----------------------------------------------------------------------------- partners
def _radar_matches(radar: Radar, lead: Lead, text: str) -> bool:
    from radar.leads.query import QuerySyntaxError, matches, region_matches

    if lead.score < radar.min_score:
        return False
    if radar.languages and lead.language not in radar.languages:
        return False
    if radar.personas and lead.persona not in radar.personas:
        return False
    if not region_matches(lead.region, list(radar.regions or [])):
        return False
    try:
        return matches(radar.query, text)
    except QuerySyntaxError:
        return False  # a broken radar matches nothing; `radar radars` shows the error


def _lead_text(session: Session, lead: Lead) -> str:
    parts = [lead.title or "", lead.summary or ""]
    if lead.mention_id:
        mention = session.get(Mention, lead.mention_id)
        if mention is not None:
            parts += [mention.title or "", mention.body or ""]
    return "\n".join(parts)


def lead_cadence(session: Session, user: User, radars: list[Radar], lead: Lead) -> str:
    """The cadence at which ``user`` hears of ``lead``: the fastest of the user's (or the partner's)
    e-mail radars that match it (query, score, languages, personas, regions), else the user's own
    preference."""
    if radars:
        text = _lead_text(session, lead)
        matching = [r.cadence for r in radars if _radar_matches(r, lead, text)]
        if matching:
            return min(matching, key=CADENCE_RANK.__getitem__)
    return user.notify_cadence


def _radars_for(session: Session, user: User) -> list[Radar]:
    return list(session.scalars(select(Radar).where(
        Radar.active.is_(True), Radar.channel == "email",
        or_(Radar.owner_id == user.id, (Radar.partner_id == user.partner_id) & Radar.owner_id.is_(None)))))


def _when(value: str | dt.datetime | None) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def teaser_facts(t: dict[str, Any]) -> str:
    """One line from a teaser (``radar.leads.teaser``): no title, URL, author or contact."""
    parts = [t.get("temperature"), f"score {t.get('score', 0):.0f}", t.get("intent"), t.get("persona"), t.get("region"),
             ", ".join(map(str, t.get("skills") or []))]
    return " · ".join(str(p) for p in parts if p)


def compose_partner_teasers(cfg: Config, user: User, teasers: list[dict[str, Any]], cadence: str,
                            now: dt.datetime) -> Mail:
    """The teaser mail: per lead the anonymised teaser and the Reserve / Not interested buttons."""
    instance = cfg.settings.general.instance_name
    n = len(teasers)
    subject = f"{instance}: {n} new lead{'s' if n != 1 else ''} on your pick list"
    intro = ("new leads are waiting on your pick list. Reserve one to see its details; "
             "the first partner to reserve gets it.")
    text = [f"Hello {user.display_name or user.username},", "", intro, ""]
    html = [f"<p>Hello {esc(user.display_name or user.username)},</p><p>{esc(intro)}</p>"]
    for t in teasers:
        lead_id, pid = t["lead_id"], user.partner_id
        decline = action_url(cfg, make_token(cfg, "not_interested", lead_id, pid, user.id, now=now))
        reserve = action_url(cfg, make_token(cfg, "reserve", lead_id, pid, user.id, now=now)) if t.get("can_reserve", True) else None
        expires = _local(cfg, _when(t.get("expires_at")))
        summary = one_line(t.get("summary"), 400)
        text += [f"* Lead #{lead_id}: {teaser_facts(t)}" + (f" · offer open until {expires}" if expires else ""),
                 f"  {summary}" if summary else ""]
        text += [f"  Reserve: {reserve}"] if reserve else [f"  Reserving is blocked: {t.get('blocked_reason')}"]
        text += [f"  Not interested: {decline}", ""]
        buttons = (button(reserve, ACTION_LABELS["reserve"]) if reserve else
                   f"<i>Reserving is blocked: {esc(t.get('blocked_reason'))}</i><br>") + button(decline, ACTION_LABELS["not_interested"])
        html.append(f"<div style=\"border:1px solid #d0d7de;border-radius:6px;padding:10px;margin-bottom:10px\">"
                    f"<b>Lead #{esc(lead_id)}</b> <span style=\"color:#656d76;font-size:12px\">{esc(teaser_facts(t))}"
                    + (f" · offer open until {esc(expires)}" if expires else "") + "</span><br>"
                    f"{esc(summary)}<br>{buttons}</div>")
    why = f"You get these {cadence} mails as a partner user; change the cadence in the dashboard."
    return Mail(to=user.email, subject=subject, text="\n".join(x for x in text if x is not None) + f"\n-- \n{footer_text(instance, why)}\n",
                html=page(subject, "".join(html), footer_text(instance, why)), kind=f"teaser_{cadence}", user_id=user.id)


def enqueue_partner_teasers(session: Session, cfg: Config, cadence: str, now: dt.datetime | None = None,
                            dry_run: bool = False) -> list[Mail]:
    """Teasers of the leads offered to each partner user's organisation since the previous teaser
    mail (``radar.leads.pick_list``), for the users (or radars) whose cadence is ``cadence``
    (instant: run it every few minutes; daily; weekly). Leads below the user's minimum temperature
    are left out.

    Example: ``enqueue_partner_teasers(s, cfg, "instant")``
    """
    from radar.leads import pick_list

    if cadence not in CADENCE_RANK:
        raise ValueError(f"unknown cadence {cadence!r}; use instant, daily or weekly")
    now = now or utcnow()
    mails = []
    users = _mailable(session.scalars(select(User).where(User.role == "partner", User.partner_id.is_not(None)).order_by(User.id)))
    for user in users:
        since = _last_mail_at(session, user.id, f"teaser_{cadence}") or now - CADENCE_WINDOW[cadence]
        fresh = [t for t in pick_list(session, user, now) if (_when(t.get("offered_at")) or now) > since]
        if not fresh:
            continue
        radars = _radars_for(session, user)
        floor = TEMPERATURE_RANK.get(user.notify_min_temperature, 0)
        picked = [t for t in fresh if TEMPERATURE_RANK.get(t["temperature"], 0) >= floor
                  and lead_cadence(session, user, radars, session.get(Lead, t["lead_id"])) == cadence]
        if picked:
            mails.append(compose_partner_teasers(cfg, user, picked, cadence, now))
    return _queue(session, mails, dry_run, now)


def feedback_buttons(cfg: Config, lead_id: int, partner_id: int, user_id: int | None, now: dt.datetime) -> list[tuple[str, str]]:
    """(label, url) of the four feedback buttons of a reserved lead."""
    return [(ACTION_LABELS[a], action_url(cfg, make_token(cfg, a, lead_id, partner_id, user_id, now=now))) for a in FEEDBACK_ACTIONS]


def _reminder_mails(session: Session, cfg: Config, res: Reservation, lead: Lead, now: dt.datetime) -> list[Mail]:
    reserver = session.get(User, res.user_id) if res.user_id else None
    recipients = _mailable([reserver]) if reserver is not None else []
    if not recipients:
        recipients = _mailable(session.scalars(select(User).where(User.partner_id == res.partner_id).order_by(User.id)))
    instance = cfg.settings.general.instance_name
    overdue = res.feedback_due_at <= now
    due = _local(cfg, res.feedback_due_at)
    title = one_line(lead.title, 200) or f"Lead #{lead.id}"  # the partner holds the lead: it may see the title
    mails = []
    for user in recipients:
        buttons = feedback_buttons(cfg, lead.id, res.partner_id, user.id, now)
        subject = f"{instance}: feedback {'overdue' if overdue else 'due'} for lead #{lead.id}"
        lead_line = f"Lead #{lead.id}: {title} (stage {lead.stage})"
        ask = (f"your feedback on this lead was due on {due}. Without it the reservation is revoked and the lead "
               "offered to another partner." if overdue else f"your feedback on this lead is due on {due}.")
        text = "\n".join([f"Hello {user.display_name or user.username},", "", ask, "", lead_line, ""]
                         + [f"{label}: {url}" for label, url in buttons]
                         + ["", "-- ", footer_text(instance, "You reserved this lead.")]) + "\n"
        body = (f"<p>Hello {esc(user.display_name or user.username)},</p><p>{esc(ask)}</p><p><b>{esc(lead_line)}</b></p>"
                f"<p>{''.join(button(url, label) for label, url in buttons)}</p>")
        mails.append(Mail(to=user.email, subject=subject, text=text, kind="reminder", user_id=user.id,
                          html=page(subject, body, footer_text(instance, "You reserved this lead."))))
    return mails


def enqueue_feedback_reminders(session: Session, cfg: Config, now: dt.datetime | None = None,
                               dry_run: bool = False) -> list[Mail]:
    """Remind partners of feedback they owe, with the four feedback buttons:

    - once ``[notify] reminder_before`` ahead of the due date (recorded as a lead event
      ``reminded`` with ``before_due``, so it is sent once);
    - when the routing job (``radar.leads.escalate``) records that a reservation is overdue (its
      ``reminded`` event), telling that the reservation will be revoked.

    Example: ``enqueue_feedback_reminders(s, cfg)``
    """
    from radar.leads import record_event

    now = now or utcnow()
    horizon = now + dt.timedelta(seconds=parse_duration(cfg.settings.notify.reminder_before))
    mails: list[Mail] = []
    soon = session.execute(select(Reservation, Lead).join(Lead, Lead.id == Reservation.lead_id)
                           .where(Reservation.status == "active", Reservation.feedback_due_at > now,
                                  Reservation.feedback_due_at <= horizon)
                           .order_by(Reservation.feedback_due_at)).all()
    if soon:
        told = {(e.data or {}).get("reservation_id") for e in session.scalars(select(LeadEvent).where(
            LeadEvent.kind == "reminded", LeadEvent.lead_id.in_({lead.id for _, lead in soon})))}
        for res, lead in soon:
            if res.id in told:
                continue
            batch = _reminder_mails(session, cfg, res, lead, now)
            mails += batch
            if batch and not dry_run:
                record_event(session, lead, "reminded", "system", partner_id=res.partner_id, at=now,
                             data={"reservation_id": res.id, "feedback_due_at": res.feedback_due_at, "before_due": True})
    # overdue: follow the routing job's "reminded" events since the last overdue reminder mail
    since = session.scalar(select(func.max(EmailMessage.created_at)).where(EmailMessage.kind == "reminder_overdue")) or now - dt.timedelta(days=1)
    for event in session.scalars(select(LeadEvent).where(LeadEvent.kind == "reminded", LeadEvent.at > since, LeadEvent.at <= now)
                                 .order_by(LeadEvent.id)):
        data = event.data or {}
        if data.get("before_due"):
            continue
        res = session.get(Reservation, data.get("reservation_id")) if data.get("reservation_id") else None
        if res is None or res.status != "active":
            continue
        for m in _reminder_mails(session, cfg, res, session.get(Lead, event.lead_id), now):
            m.kind = "reminder_overdue"
            mails.append(m)
            if not dry_run:
                enqueue_mail(session, m, now=now)
    if not dry_run:
        for m in mails:
            if m.kind == "reminder":
                enqueue_mail(session, m, now=now)
    return mails


def _notice(cfg: Config, users: list[User], lead: Lead, headline: str, reason: str, facts: str, kind: str) -> list[Mail]:
    instance = cfg.settings.general.instance_name
    dash = cfg.settings.general.public_url.rstrip("/")
    mails = []
    for user in users:
        subject = f"{instance}: {headline}"
        text = (f"Hello {user.display_name or user.username},\n\n{headline}: {reason}.\n\n{facts}\n\nDashboard: {dash}\n\n-- \n"
                f"{footer_text(instance, 'Escalation notice.')}\n")
        body = (f"<p>Hello {esc(user.display_name or user.username)},</p><p><b>{esc(headline)}</b>: {esc(reason)}.</p>"
                f"<p style=\"color:#656d76\">{esc(facts)}</p><p>{button(dash, 'Open the dashboard')}</p>")
        mails.append(Mail(to=user.email, subject=subject, text=text, kind=kind, user_id=user.id,
                          html=page(subject, body, footer_text(instance, "Escalation notice."))))
    return mails


def enqueue_escalation_notice(session: Session, cfg: Config, lead: Lead, partner_id: int, reason: str,
                              now: dt.datetime | None = None, dry_run: bool = False) -> list[Mail]:
    """Tell the users of ``partner_id`` that ``lead`` was escalated to them, and why (teaser facts
    only: they see the details after reserving).

    Example: ``enqueue_escalation_notice(s, cfg, lead, distributor.id, "no reseller reserved it in 3 rounds")``
    """
    from radar.leads import teaser

    now = now or utcnow()
    users = _mailable(session.scalars(select(User).where(User.partner_id == partner_id).order_by(User.id)))
    mails = _notice(cfg, users, lead, f"lead #{lead.id} escalated to you", reason,
                    teaser_facts(teaser(lead, now=now)) + " · it is on your pick list now", "escalation")
    return _queue(session, mails, dry_run, now)


def enqueue_escalation_notices(session: Session, cfg: Config, now: dt.datetime | None = None,
                               dry_run: bool = False) -> list[Mail]:
    """Notices for the routing job's lead events since the previous scan:

    - ``escalated`` to a distributor or the channel manager: to the users of those partners;
    - ``escalated`` to nobody (nobody left to ask): to admins and marketing;
    - ``revoked`` (feedback never came): to the users of the partner that lost the reservation.

    Example: ``enqueue_escalation_notices(s, cfg)`` every few minutes.
    """
    from radar.leads import teaser

    now = now or utcnow()
    since = session.scalar(select(func.max(EmailMessage.created_at)).where(EmailMessage.kind == "escalation")) or now - dt.timedelta(days=1)
    events = session.execute(select(LeadEvent, Lead).join(Lead, Lead.id == LeadEvent.lead_id)
                             .where(LeadEvent.kind.in_(ESCALATION_KINDS), LeadEvent.at > since, LeadEvent.at <= now)
                             .order_by(LeadEvent.id)).all()
    mails: list[Mail] = []
    for event, lead in events:
        data = event.data or {}
        reason = str(data.get("reason") or event.kind)
        if event.kind == "escalated" and data.get("to") in ("distributor", "channel manager"):
            for p in data.get("partners") or []:
                mails += enqueue_escalation_notice(session, cfg, lead, int(p["partner_id"]), reason, now=now, dry_run=dry_run)
        elif event.kind == "escalated" and data.get("to") == "nobody":
            staff = _mailable(session.scalars(select(User).where(User.role.in_(("admin", "marketing"))).order_by(User.id)))
            mails += _queue(session, _notice(cfg, staff, lead, f"lead #{lead.id} needs a decision", reason,
                                             teaser_facts(teaser(lead, now=now)), "escalation"), dry_run, now)
        elif event.kind == "revoked" and event.partner_id:
            users = _mailable(session.scalars(select(User).where(User.partner_id == event.partner_id).order_by(User.id)))
            mails += _queue(session, _notice(cfg, users, lead, f"your reservation of lead #{lead.id} was revoked", reason,
                                             "The lead goes to another partner.", "escalation"), dry_run, now)
    return mails
