"""Users, passwords (bcrypt) and roles."""

from __future__ import annotations

import bcrypt
from sqlalchemy import select
from sqlalchemy.orm import Session

from radar.models import ROLES, Partner, User, utcnow


class AuthError(Exception):
    pass


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise AuthError("a password needs at least 8 characters")
    if len(password.encode()) > 72:
        raise AuthError("a password may have at most 72 bytes (a bcrypt limit)")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def verify_password(password: str, hashed: str) -> bool:
    if not hashed:
        return False
    try:
        return bcrypt.checkpw(password.encode()[:72], hashed.encode())
    except ValueError:
        return False


def create_user(session: Session, username: str, password: str | None, role: str, *, email: str = "",
                display_name: str = "", partner: str | None = None) -> User:
    """Create a user. Partner users name their partner organisation.

    Example: ``create_user(s, "anna", "s3cret-pass", "consultant", email="anna@example.com")``
    """
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if session.scalar(select(User).where(User.username == username)):
        raise AuthError(f"user {username!r} exists already")
    partner_id = None
    if partner:
        p = session.scalar(select(Partner).where(Partner.name == partner))
        if p is None:
            raise AuthError(f"no partner named {partner!r}; `radar partners list` shows them")
        partner_id = p.id
    if role == "partner" and partner_id is None:
        raise AuthError("a partner user needs --partner NAME")
    user = User(username=username, role=role, email=email, display_name=display_name or username,
                password_hash=hash_password(password) if password else "", partner_id=partner_id)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None. Records the login time."""
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None or not verify_password(password, user.password_hash):
        return None
    user.last_login_at = utcnow()
    return user


def set_password(session: Session, username: str, password: str) -> None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AuthError(f"no user {username!r}")
    user.password_hash = hash_password(password)
