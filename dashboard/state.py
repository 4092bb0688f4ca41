"""Shared dashboard plumbing: config, session factory, the logged-in user, and helpers that keep
pages thin (a cached read, a write in one transaction)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st
from sqlalchemy.orm import Session, sessionmaker

from radar.config import Config, load_config
from radar.db import get_sessionmaker


@st.cache_resource
def _config(folder: str | None, db_env: str | None) -> Config:
    return load_config(folder)


def config() -> Config:
    """The loaded config (made once per config folder and database URL)."""
    return _config(os.environ.get("RADAR_CONFIG"), os.environ.get("RADAR_DATABASE_URL"))


def db_url() -> str:
    return config().database_url


@st.cache_resource
def _sessions(url: str) -> sessionmaker[Session]:
    return get_sessionmaker(url)


def sessions() -> sessionmaker[Session]:
    """The session factory (one engine per database URL, kept by st.cache_resource)."""
    return _sessions(db_url())


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: str
    partner_id: int | None


def current_user() -> CurrentUser | None:
    return st.session_state.get("user")


def require_user(*roles: str) -> CurrentUser:
    """The logged-in user, or stop the page when the role may not see it (defence in depth:
    navigation already shows each role only its pages)."""
    user = current_user()
    if user is None or (roles and user.role not in roles):
        st.error("You may not see this page.")
        st.stop()
    return user  # type: ignore[return-value]


def _refusals() -> tuple[type[Exception], ...]:
    """Exceptions that carry a message for the user (not a bug): ours and the leads package's."""
    from radar.commands import ActionError

    kinds: list[type[Exception]] = [ActionError]
    try:
        from radar.leads.errors import LeadError

        kinds.append(LeadError)
    except ImportError:
        pass
    return tuple(kinds)


def run_command(fn: Callable[..., Any], *args: Any, success: str | None = None,
                errors: dict[type[Exception], str] | None = None, clear_cache: bool = True,
                report: Callable[[str], Any] | None = None, **kwargs: Any) -> Any:
    """Run a command function of radar/ in one transaction. A refusal (ActionError, LeadError)
    is shown as an error message — ``errors`` may word it per exception type, with ``{exc}`` for
    the original message — instead of a traceback (or hands it to ``report``, e.g. from a callback). On success clears cached reads (so the page
    shows the change) and queues ``success`` for :func:`flash`. Returns the result (None on refusal)."""
    try:
        with sessions().begin() as s:
            result = fn(s, *args, **kwargs)
    except _refusals() as exc:
        template = next((m for k, m in (errors or {}).items() if isinstance(exc, k)), "{exc}")
        (report or st.error)(template.replace("{exc}", str(exc)))
        return None
    if clear_cache:
        st.cache_data.clear()
    if success:
        st.session_state["flash"] = success
    return True if result is None else result


def flash() -> None:
    """Show (once) the success or refusal message of the last command."""
    msg = st.session_state.pop("flash", None)
    if msg:
        st.success(msg)
    err = st.session_state.pop("flash_error", None)
    if err:
        st.error(err)


def report_later(message: str) -> None:
    """For commands run in widget callbacks: show the refusal with the next :func:`flash`."""
    st.session_state["flash_error"] = message
