"""Signed, expiring, single-use tokens for the one-click buttons in e-mails.

A token is ``<base64url JSON claims>.<base64url HMAC-SHA256>``; the claims name the action, the
lead, the partner, the user, a random token id (``jti``) and the expiry. The key is
``[general] secret_key`` or, when that is empty, a random key kept in ``data_dir/secret.key``.
Single use is enforced by the database: redeeming inserts the token id into ``action_tokens``
(unique) in the same transaction as the action, so a token is used up exactly when its action
was committed, and two clicks at once cannot both succeed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from radar.config import Config, parse_duration
from radar.models import ActionToken, utcnow

ACTIONS = ("reserve", "contacted", "not_interested", "won", "lost")
ACTION_LABELS = {"reserve": "Reserve", "contacted": "Contacted", "not_interested": "Not interested",
                 "won": "Won", "lost": "Lost"}
_CONTEXT = b"radar-action-token-v1."


class TokenError(Exception):
    """A one-click token cannot be used; ``str()`` tells the user why and what to do."""


class TokenInvalid(TokenError):
    pass


class TokenExpired(TokenError):
    pass


class TokenUsed(TokenError):
    pass


class TokenActionFailed(TokenError):
    """The token is fine but the action was refused (e.g. the lead is reserved by someone else)."""


class DealSizeRequired(TokenError):
    """A "won" click needs the deal size; ask for it and redeem again (the token is not used up)."""


@dataclass(frozen=True)
class TokenClaims:
    token_id: str
    action: str
    lead_id: int
    partner_id: int
    user_id: int | None
    expires_at: dt.datetime


@dataclass(frozen=True)
class ActionResult:
    action: str
    lead_id: int
    partner_id: int
    message: str


def secret_key(cfg: Config) -> bytes:
    """The token key: ``[general] secret_key``, or ``data_dir/secret.key`` (created once, mode 0600)."""
    if cfg.settings.general.secret_key:
        return cfg.settings.general.secret_key.encode("utf-8")
    path = Path(cfg.data_dir) / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 32:
        raise TokenError(f"{path} holds too short a key; delete it (a new one is made) or set [general] secret_key")
    return key.encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(cfg: Config, action: str, lead_id: int, partner_id: int, user_id: int | None = None,
               ttl: float | None = None, now: dt.datetime | None = None) -> str:
    """A signed one-click token valid for ``ttl`` seconds (default ``[notify] token_ttl``).

    Example: ``make_token(cfg, "reserve", lead.id, partner.id, user.id)``
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; use one of {', '.join(ACTIONS)}")
    ttl = parse_duration(cfg.settings.notify.token_ttl) if ttl is None else ttl
    expires = (now or utcnow()) + dt.timedelta(seconds=ttl)
    claims = {"v": 1, "jti": secrets.token_urlsafe(12), "a": action, "l": lead_id, "p": partner_id, "u": user_id,
              "exp": int(expires.timestamp())}
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    sig = hmac.new(secret_key(cfg), _CONTEXT + body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(sig)}"


def action_url(cfg: Config, token: str) -> str:
    """The dashboard address that redeems ``token`` (the ``action`` page, no login needed)."""
    base = cfg.settings.general.public_url.rstrip("/")
    return f"{base}/action?{urlencode({'token': token})}"


def read_token(cfg: Config, token: str, now: dt.datetime | None = None) -> TokenClaims:
    """Verify signature and expiry; the claims, or :class:`TokenInvalid` / :class:`TokenExpired`.

    Example: ``read_token(cfg, request_token).action``
    """
    token = (token or "").strip()
    body, _, sig = token.partition(".")
    if not body or not sig:
        raise TokenInvalid("This link is incomplete or damaged. Open the button from the e-mail again, or copy the whole link.")
    expected = hmac.new(secret_key(cfg), _CONTEXT + body.encode(), hashlib.sha256).digest()
    try:
        given = _unb64(sig)
        valid = hmac.compare_digest(given, expected)
        raw = json.loads(_unb64(body)) if valid else None
    except (binascii.Error, ValueError):
        valid = False
    if not valid or not isinstance(raw, dict) or raw.get("v") != 1:
        raise TokenInvalid("This link is not valid: its signature does not match (it was changed, or it is not from this radar).")
    try:
        claims = TokenClaims(token_id=str(raw["jti"]), action=str(raw["a"]), lead_id=int(raw["l"]), partner_id=int(raw["p"]),
                             user_id=None if raw.get("u") is None else int(raw["u"]),
                             expires_at=dt.datetime.fromtimestamp(int(raw["exp"]), dt.timezone.utc))
    except (KeyError, TypeError, ValueError):
        raise TokenInvalid("This link is not valid: its content is incomplete.") from None
    if claims.action not in ACTIONS:
        raise TokenInvalid(f"This link asks for an unknown action {claims.action!r}.")
    if (now or utcnow()) >= claims.expires_at:
        raise TokenExpired(f"This link expired on {claims.expires_at:%Y-%m-%d %H:%M} UTC. "
                           "Log in to the dashboard to act on the lead, or wait for the next e-mail.")
    return claims


def token_used(session: Session, token_id: str) -> bool:
    return session.scalar(select(ActionToken.id).where(ActionToken.token_id == token_id)) is not None


def redeem_token(session: Session, token: str, cfg: Config, now: dt.datetime | None = None,
                 deal_size: Any = None, reason: str | None = None) -> ActionResult:
    """Check ``token`` and perform its action in the caller's transaction; the token is used up
    when that transaction commits. Raises a :class:`TokenError` subclass that says what is wrong:
    forged/damaged (:class:`TokenInvalid`), expired, used already, deal size missing for "won",
    or the action itself refused (:class:`TokenActionFailed`).

    Example: ``with Session.begin() as s: print(redeem_token(s, token, cfg).message)``
    """
    now = now or utcnow()
    claims = read_token(cfg, token, now)
    if token_used(session, claims.token_id):
        raise TokenUsed("This button was used already; each button works once. The lead's current state is in the dashboard.")
    size = None
    if claims.action == "won":
        if deal_size in (None, ""):
            raise DealSizeRequired("Please enter the deal size to record the win.")
        try:
            size = Decimal(str(deal_size).replace(",", "."))
        except InvalidOperation:
            raise DealSizeRequired(f"{deal_size!r} is not an amount; enter a number like 12500 or 12500.50.") from None
        if size < 0:
            raise DealSizeRequired("The deal size cannot be negative.")
    try:
        with session.begin_nested():  # token and action: both or neither
            try:
                with session.begin_nested():
                    session.add(ActionToken(token_id=claims.token_id, action=claims.action, used_at=now))
                    session.flush()
            except IntegrityError:
                raise TokenUsed("This button was used already; each button works once.") from None
            message = _perform(session, claims, cfg, now, size, reason)
    except TokenError:
        raise
    except Exception as exc:  # the lead functions raise their own errors with clear messages
        raise TokenActionFailed(f"The action could not be done: {exc}") from exc
    return ActionResult(claims.action, claims.lead_id, claims.partner_id, message)


def _perform(session: Session, claims: TokenClaims, cfg: Config, now: dt.datetime, deal_size: Decimal | None,
             reason: str | None) -> str:
    """Run the action through the lead functions (radar.leads); returns a sentence for the user."""
    from radar import leads as lead_api

    if claims.action == "reserve":
        lead_api.reserve_lead(session, claims.lead_id, claims.partner_id, user_id=claims.user_id, cfg=cfg, now=now)
        return f"Lead #{claims.lead_id} is reserved for you. Its details are in the dashboard; please give feedback in time."
    if claims.action == "not_interested" and not _holds_reservation(session, claims):
        lead_api.decline_offer(session, claims.lead_id, claims.partner_id, reason or "not interested (e-mail button)",
                               user_id=claims.user_id, now=now)
        return f"Offer of lead #{claims.lead_id} declined. Thank you; it goes to another partner."
    outcome = claims.action
    lead_api.give_feedback(session, claims.lead_id, claims.partner_id, outcome, deal_size=deal_size,
                           reason=reason or ("e-mail button" if outcome in ("lost", "not_interested") else None),
                           user_id=claims.user_id, now=now)
    words = {"contacted": "marked as contacted", "not_interested": "closed as not interested",
             "won": f"recorded as won ({deal_size})", "lost": "recorded as lost"}
    return f"Lead #{claims.lead_id} {words[outcome]}. Thank you for the feedback."


def _holds_reservation(session: Session, claims: TokenClaims) -> bool:
    from radar.models import Reservation

    return session.scalar(select(Reservation.id).where(Reservation.lead_id == claims.lead_id,
                                                       Reservation.partner_id == claims.partner_id,
                                                       Reservation.status == "active")) is not None
