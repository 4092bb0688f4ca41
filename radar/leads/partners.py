"""Partners in the channel hierarchy (manufacturer → distributors → resellers; agencies beside
them), subtree helpers and radars (a partner's keyword subscriptions)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from radar.leads.errors import LeadError, NotFound
from radar.leads.query import parse
from radar.models import PARTNER_TYPES, Partner, Radar, User


def get_partner(session: Session, partner: int | str | Partner) -> Partner:
    """A partner by id, name or itself. Raises :class:`NotFound` with a hint."""
    if isinstance(partner, Partner):
        return partner
    row = None
    if isinstance(partner, int) or (isinstance(partner, str) and partner.isdigit()):
        row = session.get(Partner, int(partner))
    if row is None and isinstance(partner, str):
        row = session.scalar(select(Partner).where(Partner.name == partner))
    if row is None:
        raise NotFound(f"no partner {partner!r}; `radar partners list` shows them")
    return row


def get_user(session: Session, user: int | str | User) -> User:
    """A user by id, username or itself."""
    if isinstance(user, User):
        return user
    row = None
    if isinstance(user, int) or (isinstance(user, str) and user.isdigit()):
        row = session.get(User, int(user))
    if row is None and isinstance(user, str):
        row = session.scalar(select(User).where(User.username == user))
    if row is None:
        raise NotFound(f"no user {user!r}; `radar users list` shows them")
    return row


def add_partner(session: Session, name: str, type: str, parent: int | str | None = None, *, level: str = "standard",
                level_weight: float = 1.0, certifications: list[str] | None = None, skills: list[str] | None = None,
                regions: list[str] | None = None, capacity_per_week: int = 5, active: bool = True) -> Partner:
    """Add a partner below ``parent`` (id or name).

    Example: ``add_partner(s, "IT-Haus Nord", "reseller", parent="Distri GmbH", skills=["datev"], regions=["DE-2"])``
    """
    if type not in PARTNER_TYPES:
        raise LeadError(f"unknown partner type {type!r}; use one of {', '.join(PARTNER_TYPES)}")
    if not name.strip():
        raise LeadError("a partner needs a name")
    if session.scalar(select(Partner.id).where(Partner.name == name)) is not None:
        raise LeadError(f"partner {name!r} exists already; `radar partners show {name!r}` shows it")
    if capacity_per_week < 0 or level_weight < 0:
        raise LeadError("capacity_per_week and level_weight must not be negative")
    parent_row = get_partner(session, parent) if parent not in (None, "") else None
    row = Partner(name=name.strip(), type=type, parent_id=parent_row.id if parent_row else None, level=level,
                  level_weight=level_weight, certifications=list(certifications or []), skills=list(skills or []),
                  regions=[r.upper() for r in regions or []], capacity_per_week=capacity_per_week, active=active)
    session.add(row)
    session.flush()
    return row


def _children_map(session: Session) -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for pid, parent_id in session.execute(select(Partner.id, Partner.parent_id).order_by(Partner.id)):
        children[parent_id].append(pid)
    return children


def subtree_ids(session: Session, partner_id: int) -> set[int]:
    """The partner and everyone below it (a distributor and its resellers)."""
    children = _children_map(session)
    seen: set[int] = set()
    stack = [partner_id]
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        stack.extend(children.get(pid, ()))
    return seen


def ancestors(session: Session, partner_id: int) -> list[Partner]:
    """The partner's parent, grandparent, ... (nearest first)."""
    out: list[Partner] = []
    row = session.get(Partner, partner_id)
    seen = {partner_id}
    while row is not None and row.parent_id is not None and row.parent_id not in seen:
        seen.add(row.parent_id)
        row = session.get(Partner, row.parent_id)
        if row is not None:
            out.append(row)
    return out


def channel_manager(session: Session, partner_id: int | None) -> Partner | None:
    """Where an unreserved lead of ``partner_id``'s group goes: its nearest active distributor,
    else the manufacturer above it, else any active manufacturer."""
    if partner_id is not None:
        for anc in ancestors(session, partner_id):
            if anc.type == "distributor" and anc.active:
                return anc
        for anc in ancestors(session, partner_id):
            if anc.type == "manufacturer" and anc.active:
                return anc
    return session.scalar(select(Partner).where(Partner.type == "manufacturer", Partner.active.is_(True)).order_by(Partner.id).limit(1))


def partner_tree(session: Session, root: int | str | None = None, active_only: bool = False) -> list[tuple[Partner, int]]:
    """Partners in hierarchy order with their depth (0 = top), below ``root`` when given."""
    rows = {p.id: p for p in session.scalars(select(Partner))}
    children = _children_map(session)
    out: list[tuple[Partner, int]] = []

    def walk(pid: int, depth: int) -> None:
        p = rows[pid]
        if active_only and not p.active:
            return
        out.append((p, depth))
        for c in sorted(children.get(pid, ()), key=lambda i: rows[i].name.lower()):
            walk(c, depth + 1)

    if root is not None:
        walk(get_partner(session, root).id, 0)
    else:
        for top in sorted(children.get(None, ()), key=lambda i: (PARTNER_TYPES.index(rows[i].type), rows[i].name.lower())):
            walk(top, 0)
    return out


def list_partners(session: Session, type: str | None = None, under: int | str | None = None, active_only: bool = False) -> list[Partner]:
    """Partners in hierarchy order; ``type`` filters, ``under`` limits to a subtree.

    Example: ``[p.name for p in list_partners(s, type="reseller", under="Distri GmbH")]``
    """
    return [p for p, _ in partner_tree(session, under, active_only) if type is None or p.type == type]


def partner_summary(session: Session, partner: int | str | Partner) -> dict[str, Any]:
    """A partner with its parent, children, users and radars, for `radar partners show` and the dashboard."""
    p = get_partner(session, partner)
    parent = session.get(Partner, p.parent_id) if p.parent_id else None
    return {
        "id": p.id, "name": p.name, "type": p.type, "parent": parent.name if parent else None, "level": p.level,
        "level_weight": p.level_weight, "certifications": list(p.certifications), "skills": list(p.skills),
        "regions": list(p.regions), "capacity_per_week": p.capacity_per_week, "active": p.active, "points": p.points,
        "children": [c.name for c in session.scalars(select(Partner).where(Partner.parent_id == p.id).order_by(Partner.name))],
        "users": [{"username": u.username, "role": u.role, "email": u.email, "channel": u.notify_channel,
                   "cadence": u.notify_cadence, "min_temperature": u.notify_min_temperature, "active": u.active}
                  for u in session.scalars(select(User).where(User.partner_id == p.id).order_by(User.username))],
        "radars": [{"id": r.id, "name": r.name, "query": r.query, "active": r.active}
                   for r in session.scalars(select(Radar).where(Radar.partner_id == p.id).order_by(Radar.name))],
    }


# --------------------------------------------------------------------------- radars
def add_radar(session: Session, name: str, query: str, *, partner: int | str | None = None, owner: int | str | None = None,
              languages: list[str] | None = None, min_score: int = 0, personas: list[str] | None = None,
              regions: list[str] | None = None, cadence: str = "daily", channel: str = "email") -> Radar:
    """Save a radar (the query is parsed first; a syntax error names its position).

    Example: ``add_radar(s, "DATEV", 'datev OR "steuer berater"', partner="IT-Haus Nord", min_score=50)``
    """
    parse(query)
    if not 0 <= min_score <= 100:
        raise LeadError("min_score must lie between 0 and 100")
    partner_row = get_partner(session, partner) if partner is not None else None
    owner_row = get_user(session, owner) if owner is not None else None
    if partner_row is None and owner_row is None:
        raise LeadError("a radar belongs to a partner or a user; give partner= or owner=")
    row = Radar(name=name, query=query, partner_id=partner_row.id if partner_row else None,
                owner_id=owner_row.id if owner_row else None, languages=list(languages or []), min_score=min_score,
                personas=list(personas or []), regions=[r.upper() for r in regions or []], cadence=cadence, channel=channel)
    session.add(row)
    session.flush()
    return row


def list_radars(session: Session, partner: int | str | None = None, active_only: bool = False) -> list[Radar]:
    """Radars, optionally of one partner."""
    stmt = select(Radar).order_by(Radar.partner_id, Radar.name)
    if partner is not None:
        stmt = stmt.where(Radar.partner_id == get_partner(session, partner).id)
    if active_only:
        stmt = stmt.where(Radar.active.is_(True))
    return list(session.scalars(stmt))
