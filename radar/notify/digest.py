"""What goes into the mail queue: consultant digests, partner teasers, feedback reminders and
escalation notices. Every ``enqueue_*`` function composes the mails, queues them in the caller's
transaction and returns them (``dry_run=True`` composes without queueing).

"What is new" is measured from the previous mail of the same kind to the same user (the queue
is the memory), so running a job twice sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from radar.config import Config, parse_duration
from radar.models import EmailMessage, Lead, LeadEvent, Mention, Offer, Opportunity, Partner, Radar, Reservation, Source, User, utcnow
from radar.notify.mailer import enqueue_mail
from radar.notify.render import Mail, button, esc, footer_text, link, one_line, page, safe_href
from radar.notify.tokens import ACTION_LABELS, action_url, make_token

TEMPERATURE_RANK = {"cold": 0, "warm": 1, "hot": 2}
CADENCE_RANK = {"instant": 0, "daily": 1, "weekly": 2}
CADENCE_WINDOW = {"instant": dt.timedelta(days=1), "daily": dt.timedelta(days=1), "weekly": dt.timedelta(days=7)}
ESCALATION_KINDS = ("escalated", "revoked", "reservation_revoked", "offer_escalated")
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
def _radar_matches(radar: Radar, lead: Lead) -> bool:
    if lead.score < radar.min_score:
        return False
    if radar.languages and lead.language not in radar.languages:
        return False
    if radar.personas and lead.persona not in radar.personas:
        return False
    if radar.regions and not any((lead.region or "").upper().startswith(str(r).upper()) for r in radar.regions):
        return False
    return True


def lead_cadence(user: User, radars: list[Radar], lead: Lead) -> str:
    """The cadence at which ``user`` hears of ``lead``: the fastest of the user's (or the partner's)
    e-mail radars that match it, else the user's own preference."""
    matching = [r.cadence for r in radars if _radar_matches(r, lead)]
    return min(matching, key=CADENCE_RANK.__getitem__) if matching else user.notify_cadence


def _radars_for(session: Session, user: User) -> list[Radar]:
    return list(session.scalars(select(Radar).where(
        Radar.active.is_(True), Radar.channel == "email",
        or_(Radar.owner_id == user.id, (Radar.partner_id == user.partner_id) & Radar.owner_id.is_(None)))))


def teaser_facts(lead: Lead) -> str:
    parts = [lead.temperature, f"score {lead.score:.0f}", lead.intent or "", lead.region or "", ", ".join(map(str, lead.skills or []))]
    return " · ".join(p for p in parts if p)


def compose_partner_teasers(cfg: Config, user: User, offers: list[tuple[Offer, Lead]], cadence: str,
                            now: dt.datetime) -> Mail:
    instance = cfg.settings.general.instance_name
    n = len(offers)
    subject = f"{instance}: {n} new lead{'s' if n != 1 else ''} on your pick list"
    text = [f"Hello {user.display_name or user.username},", "", "new leads are waiting on your pick list. "
            "Reserve one to see its details; the first partner to reserve gets it.", ""]
    html = [f"<p>Hello {esc(user.display_name or user.username)},</p><p>new leads are waiting on your pick list. "
            "Reserve one to see its details; the first partner to reserve gets it.</p>"]
    for offer, lead in offers:
        reserve = action_url(cfg, make_token(cfg, "reserve", lead.id, offer.partner_id, user.id, now=now))
        decline = action_url(cfg, make_token(cfg, "not_interested", lead.id, offer.partner_id, user.id, now=now))
        title = one_line(lead.title, 200) or f"Lead #{lead.id}"
        expires = _local(cfg, offer.expires_at)
        text += [f"* Lead #{lead.id}: {title}", f"  {teaser_facts(lead)} · offer open until {expires}",
                 f"  Reserve: {reserve}", f"  Not interested: {decline}", ""]
        html.append(f"<div style=\"border:1px solid #d0d7de;border-radius:6px;padding:10px;margin-bottom:10px\">"
                    f"<b>Lead #{lead.id}: {esc(title)}</b><br><span style=\"color:#656d76;font-size:12px\">"
                    f"{esc(teaser_facts(lead))} · offer open until {esc(expires)}</span><br>"
                    f"{button(reserve, ACTION_LABELS['reserve'])}{button(decline, ACTION_LABELS['not_interested'])}</div>")
    why = f"You get these {cadence} mails as a partner user; change the cadence in the dashboard."
    return Mail(to=user.email, subject=subject, text="\n".join(text) + f"\n-- \n{footer_text(instance, why)}\n",
                html=page(subject, "".join(html), footer_text(instance, why)), kind=f"teaser_{cadence}", user_id=user.id)


def enqueue_partner_teasers(session: Session, cfg: Config, cadence: str, now: dt.datetime | None = None,
                            dry_run: bool = False) -> list[Mail]:
    """Teasers of new open offers on each partner user's pick list, for the users (or radars)
    whose cadence is ``cadence`` (instant: run it every few minutes; daily; weekly). Leads below the
    user's minimum temperature are left out.

    Example: ``enqueue_partner_teasers(s, cfg, "instant")``
    """
    if cadence not in CADENCE_RANK:
        raise ValueError(f"unknown cadence {cadence!r}; use instant, daily or weekly")
    now = now or utcnow()
    mails = []
    users = _mailable(session.scalars(select(User).where(User.role == "partner", User.partner_id.is_not(None)).order_by(User.id)))
    for user in users:
        since = _last_mail_at(session, user.id, f"teaser_{cadence}") or now - CADENCE_WINDOW[cadence]
        rows = session.execute(
            select(Offer, Lead).join(Lead, Lead.id == Offer.lead_id)
            .where(Offer.partner_id == user.partner_id, Offer.status == "open", Offer.expires_at > now, Offer.offered_at > since)
            .order_by(Lead.score.desc(), Offer.id)).all()
        if not rows:
            continue
        radars = _radars_for(session, user)
        floor = TEMPERATURE_RANK.get(user.notify_min_temperature, 0)
        picked = [(o, lead) for o, lead in rows
                  if TEMPERATURE_RANK.get(lead.temperature, 0) >= floor and lead_cadence(user, radars, lead) == cadence]
        if picked:
            mails.append(compose_partner_teasers(cfg, user, picked, cadence, now))
    return _queue(session, mails, dry_run, now)


def feedback_buttons(cfg: Config, lead_id: int, partner_id: int, user_id: int | None, now: dt.datetime) -> list[tuple[str, str]]:
    """(label, url) of the four feedback buttons of a reserved lead."""
    return [(ACTION_LABELS[a], action_url(cfg, make_token(cfg, a, lead_id, partner_id, user_id, now=now))) for a in FEEDBACK_ACTIONS]


def enqueue_feedback_reminders(session: Session, cfg: Config, now: dt.datetime | None = None,
                               dry_run: bool = False) -> list[Mail]:
    """Remind partners of feedback they owe: ``[notify] reminder_before`` ahead of the due date,
    then daily while overdue. Marks ``reservations.reminded_at``.

    Example: ``enqueue_feedback_reminders(s, cfg)``
    """
    now = now or utcnow()
    horizon = now + dt.timedelta(seconds=parse_duration(cfg.settings.notify.reminder_before))
    rows = session.execute(
        select(Reservation, Lead).join(Lead, Lead.id == Reservation.lead_id)
        .where(Reservation.status == "active", Reservation.feedback_due_at <= horizon,
               or_(Reservation.reminded_at.is_(None), Reservation.reminded_at <= now - dt.timedelta(hours=23)))
        .order_by(Reservation.feedback_due_at)).all()
    instance = cfg.settings.general.instance_name
    mails = []
    for res, lead in rows:
        reserver = session.get(User, res.user_id) if res.user_id else None
        recipients = _mailable([reserver]) if reserver is not None else []
        if not recipients:
            recipients = _mailable(session.scalars(select(User).where(User.partner_id == res.partner_id).order_by(User.id)))
        overdue = res.feedback_due_at <= now
        due = _local(cfg, res.feedback_due_at)
        title = one_line(lead.title, 200) or f"Lead #{lead.id}"
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
        if recipients and not dry_run:
            res.reminded_at = now
    return _queue(session, mails, dry_run, now)


def enqueue_escalation_notice(session: Session, cfg: Config, lead: Lead, partner_id: int, reason: str,
                              now: dt.datetime | None = None, dry_run: bool = False) -> list[Mail]:
    """Tell the users of ``partner_id`` that ``lead`` was escalated, and why.

    Example: ``enqueue_escalation_notice(s, cfg, lead, distributor.id, "no reseller reserved it in 3 rounds")``
    """
    now = now or utcnow()
    partner = session.get(Partner, partner_id)
    instance = cfg.settings.general.instance_name
    title = one_line(lead.title, 200) or f"Lead #{lead.id}"
    mails = []
    for user in _mailable(session.scalars(select(User).where(User.partner_id == partner_id).order_by(User.id))):
        subject = f"{instance}: lead #{lead.id} escalated"
        intro = f"lead #{lead.id} ({title}) was escalated for {partner.name if partner else 'your organisation'}: {reason}."
        dash = cfg.settings.general.public_url.rstrip("/")
        text = (f"Hello {user.display_name or user.username},\n\n{intro}\n\n{teaser_facts(lead)}\n\nDashboard: {dash}\n\n-- \n"
                f"{footer_text(instance, 'Escalation notice.')}\n")
        body = (f"<p>Hello {esc(user.display_name or user.username)},</p><p>{esc(intro)}</p>"
                f"<p style=\"color:#656d76\">{esc(teaser_facts(lead))}</p><p>{button(dash, 'Open the dashboard')}</p>")
        mails.append(Mail(to=user.email, subject=subject, text=text, kind="escalation", user_id=user.id,
                          html=page(subject, body, footer_text(instance, "Escalation notice."))))
    return _queue(session, mails, dry_run, now)


def enqueue_escalation_notices(session: Session, cfg: Config, now: dt.datetime | None = None,
                               dry_run: bool = False) -> list[Mail]:
    """Notices for lead events of an escalation kind (``ESCALATION_KINDS``) recorded since the
    previous scan: to the partner named on the event, and to its parent (the distributor).

    Example: ``enqueue_escalation_notices(s, cfg)`` every few minutes.
    """
    now = now or utcnow()
    since = session.scalar(select(func.max(EmailMessage.created_at)).where(EmailMessage.kind == "escalation")) or now - dt.timedelta(days=1)
    events = session.execute(select(LeadEvent, Lead).join(Lead, Lead.id == LeadEvent.lead_id)
                             .where(LeadEvent.kind.in_(ESCALATION_KINDS), LeadEvent.at > since, LeadEvent.at <= now)
                             .order_by(LeadEvent.id)).all()
    mails: list[Mail] = []
    for event, lead in events:
        reason = str((event.data or {}).get("reason") or event.kind.replace("_", " "))
        targets: list[int] = []
        if event.partner_id:
            targets.append(event.partner_id)
            parent = session.scalar(select(Partner.parent_id).where(Partner.id == event.partner_id))
            if parent:
                targets.append(parent)
        for pid in targets:
            mails += enqueue_escalation_notice(session, cfg, lead, pid, reason, now=now, dry_run=dry_run)
    return mails
