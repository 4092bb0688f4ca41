"""Leads: made from opportunities, qualified, moved forward through MQL → SAL → SQL → won/lost.

Every change is written with :func:`radar.leads.events.record_event` (who, when, what)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from radar.config import Config, LeadSettings, parse_duration
from radar.leads.errors import LeadClosed, LeadError, NotFound, QualificationError, StageError
from radar.leads.events import actor_name, record_event
from radar.leads.query import Phrase, Term, _Doc, _eval, parse, region_matches, words
from radar.models import (
    STAGE_ORDER,
    Classification,
    Lead,
    Mention,
    Opportunity,
    Partner,
    Radar,
    Reservation,
    Source,
    User,
    utcnow,
)

LEAD_FIELDS = ("title", "summary", "region", "skills", "contact", "intent", "persona", "language")


def lead_settings(cfg: Config | LeadSettings | None) -> LeadSettings:
    """The ``[leads]`` settings from a loaded config (defaults when ``cfg`` is None)."""
    if cfg is None:
        return LeadSettings()
    if isinstance(cfg, LeadSettings):
        return cfg
    return cfg.settings.leads


def seconds(value: str) -> dt.timedelta:
    return dt.timedelta(seconds=parse_duration(value))


def get_lead_row(session: Session, lead_id: int, *, lock: bool = False) -> Lead:
    stmt = select(Lead).where(Lead.id == lead_id)
    if lock:
        stmt = stmt.with_for_update()
    lead = session.scalar(stmt)
    if lead is None:
        raise NotFound(f"no lead {lead_id}; `radar leads list` shows them")
    return lead


# --------------------------------------------------------------------------- anonymised summary
_URL = re.compile(r"(https?://|www\.)\S+", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@[\w.]{2,}")
_PHONE = re.compile(r"(?<![\w.,])(\+|00)?\(?\d[\d /()-]{5,}\d(?![\w.,]\d)")
_SPACE = re.compile(r"\s+")


def anonymise(text: str, limit: int = 200) -> str:
    """A short teaser of ``text`` without links, e-mail addresses, @handles or phone numbers,
    cut at a word boundary. Example: ``anonymise("Mail me: a@b.de, Tel 0171 2345678")``"""
    text = _URL.sub("[link]", text or "")
    text = _EMAIL.sub("[e-mail]", text)
    text = _HANDLE.sub("[user]", text)
    text = _PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group()) >= 7 else m.group(), text)
    text = _SPACE.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:-") + " …"


# --------------------------------------------------------------------------- creation
def _detect_skills(session: Session, text: str) -> list[str]:
    """Partner skill tags that occur in the text (the tags partners said they serve)."""
    doc = _Doc.of(text)
    tags: set[str] = set()
    for (skills,) in session.execute(select(Partner.skills).where(Partner.active.is_(True))):
        tags.update(str(s) for s in skills or [])
    found = []
    for tag in sorted(tags, key=str.lower):
        ws = tuple(words(tag))
        if ws and _eval(Phrase(ws) if len(ws) > 1 else Term(ws[0]), doc):
            found.append(tag)
    return found


def matching_radars(session: Session, text: str, *, language: str | None, score: float, persona: str | None,
                    region: str | None) -> list[dict[str, Any]]:
    """The active radars that this post satisfies (query, language, minimum score, persona, region)."""
    doc = _Doc.of(text)
    out = []
    for radar in session.scalars(select(Radar).where(Radar.active.is_(True)).order_by(Radar.id)):
        if radar.languages and (language or "") not in radar.languages:
            continue
        if score < radar.min_score or (radar.personas and persona not in radar.personas):
            continue
        if not region_matches(region, radar.regions):
            continue
        try:
            if not _eval(parse(radar.query), doc):
                continue
        except ValueError:  # a radar saved before its query was checked; it matches nothing
            continue
        out.append({"id": radar.id, "name": radar.name, "partner_id": radar.partner_id, "owner_id": radar.owner_id})
    return out


def create_lead(session: Session, opportunity_id: int, actor: str | User | None, cfg: Config | LeadSettings | None = None,
                now: dt.datetime | None = None, *, region: str | None = None, skills: list[str] | None = None,
                summary: str | None = None, contact: dict[str, Any] | None = None,
                required_certifications: list[str] | None = None, required_skills: list[str] | None = None) -> Lead:
    """Make a lead from an opportunity. Temperature, score and origin (source, URL, matched radars,
    the classifier's explanation of the score) are copied as they are; nothing is made hotter.

    Status afterwards: ``qualifying`` when ``[leads] require_qualification``, else ``ready`` when the
    qualification gate passes, else ``new`` (fill in what is missing with :func:`update_lead`).

    Example: ``create_lead(s, 17, "user:anna", cfg, region="DE-70")``
    """
    settings = lead_settings(cfg)
    now = now or utcnow()
    opp = session.get(Opportunity, opportunity_id)
    if opp is None:
        raise NotFound(f"no opportunity {opportunity_id}; the inbox (`radar opportunities`) lists them")
    existing = session.scalar(select(Lead.id).where(Lead.opportunity_id == opportunity_id))
    if existing is not None:
        raise LeadError(f"opportunity {opportunity_id} is lead {existing} already; see `radar leads show {existing}`")
    mention = session.get(Mention, opp.mention_id)
    source = session.get(Source, opp.source_id)
    classification = session.scalar(
        select(Classification).where(Classification.mention_id == opp.mention_id)
        .order_by(Classification.created_at.desc(), Classification.id.desc()).limit(1))
    text = f"{mention.title}\n{mention.body}" if mention else ""
    region = (region or (mention.extra or {}).get("region") if mention else region) or None
    region = region.upper() if region else None
    radars = matching_radars(session, text, language=opp.language, score=opp.score, persona=opp.persona, region=region)
    origin = {
        "source": source.name if source else None,
        "source_kind": source.kind if source else None,
        "url": mention.url if mention else None,
        "published_at": (mention.published_at or mention.fetched_at).isoformat() if mention else None,
        "radars": radars,
        "score": opp.score,
        "temperature": opp.temperature,
        "model_version": classification.model_version if classification else None,
        "why": (classification.explanation if classification else {"note": "not classified; score as stored on the opportunity"}),
    }
    user = actor if isinstance(actor, User) else None
    lead = Lead(
        opportunity_id=opp.id, mention_id=opp.mention_id, stage="MQL", status="new",
        title=(mention.title if mention else "")[:500],
        summary=summary if summary is not None else anonymise(f"{mention.title}. {mention.body}" if mention and mention.title else (mention.body if mention else "")),
        score=opp.score, temperature=opp.temperature, intent=opp.intent, persona=opp.persona, language=opp.language,
        region=region, skills=list(skills) if skills is not None else _detect_skills(session, text), origin=origin,
        contact=contact if contact is not None else {"author": mention.author if mention else None,
                                                      "url": mention.url if mention else None,
                                                      "channel": source.kind if source else None},
        qualification={"required_certifications": list(required_certifications or []),
                       "required_skills": list(required_skills or [])},
        created_by=user.id if user else None, created_at=now, updated_at=now,
    )
    session.add(lead)
    session.flush()
    opp.status = "lead"
    opp.updated_at = now
    record_event(session, lead, "created", actor, data={"opportunity_id": opp.id, "score": opp.score,
                                                         "temperature": opp.temperature, "source": origin["source"],
                                                         "radars": [r["name"] for r in radars]}, at=now)
    _settle_status(session, lead, settings, actor, now)
    return lead


def auto_create_leads(session: Session, cfg: Config | LeadSettings | None, now: dt.datetime | None = None, limit: int = 500) -> list[Lead]:
    """Leads from every open opportunity at or above ``[leads] auto_lead_min_score`` (0 = off).

    Example: ``auto_create_leads(s, cfg)``
    """
    settings = lead_settings(cfg)
    if settings.auto_lead_min_score <= 0:
        return []
    has_lead = select(Lead.id).where(Lead.opportunity_id == Opportunity.id).exists()
    ids = list(session.scalars(
        select(Opportunity.id).where(Opportunity.score >= settings.auto_lead_min_score,
                                     Opportunity.status.in_(("new", "seen")), ~has_lead)
        .order_by(Opportunity.score.desc(), Opportunity.id).limit(limit)))
    made = []
    for oid in ids:
        try:
            made.append(create_lead(session, oid, "system:auto", settings, now))
        except (LeadError, IntegrityError):  # made meanwhile by a consultant: fine
            continue
    return made


# --------------------------------------------------------------------------- gate
def gate_problems(lead: Lead, cfg: Config | LeadSettings | None) -> list[str]:
    """Why ``lead`` may not be offered yet (empty list: it may)."""
    s = lead_settings(cfg)
    problems = []
    if lead.stage in ("won", "lost"):
        problems.append(f"the lead is {lead.stage}")
    elif STAGE_ORDER[lead.stage] < STAGE_ORDER[s.offer_min_stage]:
        problems.append(f"stage {lead.stage} is below the minimum stage {s.offer_min_stage} ([leads] offer_min_stage)")
    if lead.score < s.offer_min_score:
        problems.append(f"score {lead.score:.0f} is below {s.offer_min_score} ([leads] offer_min_score)")
    for name in s.required_fields:
        if name not in LEAD_FIELDS:
            problems.append(f"[leads] required_fields names {name!r}, which is not a lead field ({', '.join(LEAD_FIELDS)})")
        elif not getattr(lead, name):
            problems.append(f"{name} is empty (required by [leads] required_fields); fill it with `radar leads update`")
    if s.require_qualification and not (lead.qualification or {}).get("confirmed"):
        problems.append("need, budget and contact are not confirmed by a qualifier ([leads] require_qualification)")
    return problems


def check_gate(lead: Lead, cfg: Config | LeadSettings | None) -> None:
    """Raise :class:`QualificationError` listing every problem when the lead may not be offered."""
    problems = gate_problems(lead, cfg)
    if problems:
        raise QualificationError(lead.id, problems)


def _settle_status(session: Session, lead: Lead, settings: LeadSettings, actor: Any, now: dt.datetime) -> None:
    """new/qualifying → ready when the gate passes (statuses after that are owned by routing)."""
    if lead.status not in ("new", "qualifying"):
        return
    if settings.require_qualification and not (lead.qualification or {}).get("confirmed"):
        lead.status = "qualifying"
    elif not gate_problems(lead, settings):
        lead.status = "ready"
    else:
        lead.status = "new"


def update_lead(session: Session, lead_id: int, actor: str | User | None, cfg: Config | LeadSettings | None = None,
                now: dt.datetime | None = None, **fields: Any) -> Lead:
    """Fill in or correct lead fields (``region``, ``skills``, ``summary``, ``contact``, ...,
    ``required_certifications``, ``required_skills``) before the lead goes out.

    Example: ``update_lead(s, 5, "user:anna", cfg, region="DE-8", skills=["datev"])``
    """
    now = now or utcnow()
    lead = get_lead_row(session, lead_id)
    if lead.stage in ("won", "lost"):
        raise LeadClosed(f"lead {lead_id} is {lead.stage}; it cannot be changed any more")
    changed: dict[str, Any] = {}
    qual = dict(lead.qualification or {})
    for key, value in fields.items():
        if key in ("required_certifications", "required_skills"):
            qual[key] = list(value or [])
            changed[key] = qual[key]
        elif key in LEAD_FIELDS:
            if key == "region" and value:
                value = str(value).upper()
            setattr(lead, key, value)
            changed[key] = value
        else:
            raise LeadError(f"{key!r} cannot be set; settable: {', '.join(LEAD_FIELDS + ('required_certifications', 'required_skills'))}")
    lead.qualification = qual
    record_event(session, lead, "updated", actor, data={"fields": sorted(changed)}, at=now)
    _settle_status(session, lead, lead_settings(cfg), actor, now)
    return lead


def qualify_lead(session: Session, lead_id: int, user: User, *, need: bool, budget: bool, contact: bool,
                 note: str = "", cfg: Config | LeadSettings | None = None, now: dt.datetime | None = None) -> Lead:
    """The qualification step: a qualifier (agency, telesales), consultant or admin confirms need,
    budget and contact. All three confirmed → the lead is ready to be offered; no need → lost.

    Example: ``qualify_lead(s, 5, qualifier_user, need=True, budget=True, contact=True, note="called, 20 seats")``
    """
    if user.role not in ("qualifier", "consultant", "admin") or not user.active:
        raise LeadError(f"user {user.username!r} (role {user.role}) may not qualify leads; a qualifier, consultant or admin may")
    now = now or utcnow()
    lead = get_lead_row(session, lead_id)
    if lead.stage in ("won", "lost"):
        raise LeadClosed(f"lead {lead_id} is {lead.stage} already")
    confirmed = bool(need and budget and contact)
    qual = dict(lead.qualification or {})
    qual.update({"need": bool(need), "budget": bool(budget), "contact": bool(contact), "confirmed": confirmed,
                 "by": user.username, "at": now.isoformat(), "note": note})
    lead.qualification = qual
    if not need:
        record_event(session, lead, "disqualified", user, data={"need": False, "note": note}, at=now)
        change_stage(session, lead.id, "lost", user, now=now, reason="no need (qualification)")
        return lead
    record_event(session, lead, "qualified" if confirmed else "updated", user,
                 data={"need": bool(need), "budget": bool(budget), "contact": bool(contact), "note": note}, at=now)
    _settle_status(session, lead, lead_settings(cfg), user, now)
    return lead


# --------------------------------------------------------------------------- stages
def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise LeadError(f"deal size {value!r} is not a number; give e.g. 12500 or 12500.50") from None
    if amount < 0 or not amount.is_finite():
        raise LeadError("deal size must be zero or more")
    return amount.quantize(Decimal("0.01"))


def change_stage(session: Session, lead_id: int, to_stage: str, actor: str | User | None, *, now: dt.datetime | None = None,
                 deal_size: Any = None, reason: str | None = None, partner_id: int | None = None) -> Lead:
    """Move a lead forward: MQL → SAL → SQL → won / lost (won needs a deal size, lost a reason).

    The move is a conditional UPDATE on the stage it was read with, so two concurrent moves cannot
    both apply. Won and lost close the lead and its reservation.

    Example: ``change_stage(s, 5, "won", "user:anna", deal_size=12000)``
    """
    now = now or utcnow()
    if to_stage not in STAGE_ORDER:
        raise StageError(f"unknown stage {to_stage!r}; use one of {', '.join(STAGE_ORDER)}")
    lead = get_lead_row(session, lead_id)
    from_stage = lead.stage
    if from_stage in ("won", "lost"):
        raise StageError(f"lead {lead_id} is {from_stage}; a closed lead does not change stage")
    if STAGE_ORDER[to_stage] <= STAGE_ORDER[from_stage]:
        raise StageError(f"lead {lead_id} is at {from_stage}; stages only move forward (MQL → SAL → SQL → won/lost), not to {to_stage}")
    values: dict[str, Any] = {"stage": to_stage, "updated_at": now}
    if to_stage == "won":
        if deal_size is None:
            raise StageError("a won lead needs its deal size")
        values.update(deal_size=_money(deal_size), closed_at=now, status="closed")
    elif to_stage == "lost":
        if not (reason or "").strip():
            raise StageError("a lost lead needs a reason (e.g. 'price', 'went with a competitor', 'no budget')")
        values.update(lost_reason=reason.strip(), closed_at=now, status="closed")
    res = session.execute(update(Lead).where(Lead.id == lead_id, Lead.stage == from_stage).values(**values)
                          .execution_options(synchronize_session=False))
    if res.rowcount != 1:
        raise StageError(f"lead {lead_id} changed stage meanwhile; reload and try again")
    session.refresh(lead)
    data: dict[str, Any] = {}
    if to_stage in ("won", "lost"):
        session.execute(update(Reservation).where(Reservation.lead_id == lead_id, Reservation.status == "active")
                        .values(status="closed", ended_at=now).execution_options(synchronize_session=False))
        data = {"deal_size": lead.deal_size} if to_stage == "won" else {"reason": lead.lost_reason}
    kind = to_stage if to_stage in ("won", "lost") else "stage_changed"
    record_event(session, lead, kind, actor, partner_id=partner_id if partner_id is not None else lead.partner_id,
                 from_stage=from_stage, to_stage=to_stage, data=data, at=now)
    return lead


__all__ = [
    "anonymise", "auto_create_leads", "change_stage", "check_gate", "create_lead", "gate_problems", "get_lead_row",
    "lead_settings", "matching_radars", "qualify_lead", "update_lead", "actor_name",
]
