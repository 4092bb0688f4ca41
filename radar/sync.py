"""Load the configuration into the database: sources, personas, partners with their users
and radars. Idempotent: running it again updates in place and adds what is new; sources and
personas removed from the config are disabled, never deleted (their history stays)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from radar.config import Config
from radar.models import Partner, Persona, Radar, Source, User


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{len(self.added)} added, {len(self.updated)} updated, {len(self.disabled)} disabled"


_SOURCE_COMMON = {"name", "kind", "interval", "enabled", "note"}


def sync_sources(session: Session, cfg: Config) -> SyncReport:
    report = SyncReport()
    existing = {s.name: s for s in session.scalars(select(Source))}
    for sc in cfg.sources:
        settings = sc.model_dump(exclude=_SOURCE_COMMON)
        src = existing.pop(sc.name, None)
        if src is None:
            session.add(Source(name=sc.name, kind=sc.kind, settings=settings, interval_seconds=int(sc.interval_seconds), enabled=sc.enabled))
            report.added.append(sc.name)
        else:
            changed = (src.kind, src.settings, src.interval_seconds, src.enabled) != (sc.kind, settings, int(sc.interval_seconds), sc.enabled)
            if src.kind != sc.kind:
                src.cursor = {}
                src.etag = src.last_modified = None
            src.kind, src.settings, src.interval_seconds, src.enabled = sc.kind, settings, int(sc.interval_seconds), sc.enabled
            if changed:
                report.updated.append(sc.name)
    for src in existing.values():
        if src.enabled:
            src.enabled = False
            report.disabled.append(src.name)
    session.flush()
    return report


def sync_personas(session: Session, cfg: Config) -> SyncReport:
    report = SyncReport()
    existing = {p.name: p for p in session.scalars(select(Persona))}
    for pc in cfg.personas:
        definition = pc.model_dump()
        row = existing.pop(pc.name, None)
        if row is None:
            session.add(Persona(name=pc.name, title=pc.title or pc.name, definition=definition, active=True))
            report.added.append(pc.name)
        elif row.definition != definition or not row.active:
            row.definition, row.title, row.active = definition, pc.title or pc.name, True
            report.updated.append(pc.name)
    for row in existing.values():
        if row.active:
            row.active = False
            report.disabled.append(row.name)
    session.flush()
    return report


def sync_partners(session: Session, cfg: Config) -> SyncReport:
    """Partners, their users (without passwords: set with `radar users passwd`) and radars."""
    report = SyncReport()
    by_name = {p.name: p for p in session.scalars(select(Partner))}
    # parents first, so a child can point at its parent in the same run
    pending = list(cfg.partners)
    ordered = []
    while pending:
        progressed = False
        for pc in list(pending):
            if not pc.parent or pc.parent in {o.name for o in ordered} or pc.parent in by_name:
                ordered.append(pc)
                pending.remove(pc)
                progressed = True
        if not progressed:
            raise ValueError("partners.toml: parent references form a cycle: " + ", ".join(p.name for p in pending))
    for pc in ordered:
        row = by_name.get(pc.name)
        values = dict(type=pc.type, level=pc.level, level_weight=pc.level_weight, certifications=pc.certifications,
                      skills=pc.skills, regions=pc.regions, capacity_per_week=pc.capacity_per_week, active=pc.active,
                      parent_id=by_name[pc.parent].id if pc.parent else None)
        if row is None:
            row = Partner(name=pc.name, **values)
            session.add(row)
            report.added.append(pc.name)
        else:
            if any(getattr(row, k) != v for k, v in values.items()):
                report.updated.append(pc.name)
            for k, v in values.items():
                setattr(row, k, v)
        session.flush()
        by_name[pc.name] = row
        for uc in pc.users:
            user = session.scalar(select(User).where(User.username == uc.username))
            if user is None:
                user = User(username=uc.username, role=uc.role, partner_id=row.id, password_hash="")
                session.add(user)
            user.role, user.partner_id = uc.role, row.id
            user.email, user.display_name = uc.email, uc.display_name or uc.username
            user.notify_channel, user.notify_cadence, user.notify_min_temperature = uc.channel, uc.cadence, uc.min_temperature
        for rc in pc.radars:
            radar = session.scalar(select(Radar).where(Radar.partner_id == row.id, Radar.name == rc.name))
            if radar is None:
                radar = Radar(name=rc.name, partner_id=row.id, query=rc.query)
                session.add(radar)
            radar.query, radar.languages, radar.min_score = rc.query, rc.languages, rc.min_score
            radar.personas, radar.regions, radar.cadence, radar.channel = rc.personas, rc.regions, rc.cadence, rc.channel
    session.flush()
    return report


def sync_all(session: Session, cfg: Config) -> dict[str, SyncReport]:
    """Sources, personas and partners from ``cfg`` into the database. Example: ``sync_all(s, load_config())``"""
    return {"sources": sync_sources(session, cfg), "personas": sync_personas(session, cfg), "partners": sync_partners(session, cfg)}
