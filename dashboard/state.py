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


def run_command(fn: Callable[..., Any], *args: Any, success: str | None = None, **kwargs: Any) -> Any:
    """Run a command function of radar/ in one transaction; show its error message instead of a
    traceback. Clears cached reads so the page shows the change. Returns the result or None."""
    from radar.commands import ActionError

    try:
        with sessions().begin() as s:
            result = fn(s, *args, **kwargs)
    except ActionError as exc:
        st.error(str(exc))
        return None
    except Exception as exc:  # noqa: BLE001 - the other parts raise their own named errors
        name = type(exc).__name__
        if name in {"AlreadyReserved", "FeedbackOverdue", "NotOffered", "LeadError", "QueryError", "StageError"}:
            st.error(str(exc))
            return None
        raise
    st.cache_data.clear()
    if success:
        st.session_state["flash"] = success
    return result


def flash() -> None:
    """Show (once) the success message of the last command."""
    msg = st.session_state.pop("flash", None)
    if msg:
        st.success(msg)
