"""Shared dashboard plumbing: config, session factory and the logged-in user."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy.orm import Session, sessionmaker

from radar.config import Config, load_config
from radar.db import get_sessionmaker


@st.cache_resource
def config() -> Config:
    return load_config()


@st.cache_resource
def sessions() -> sessionmaker[Session]:
    return get_sessionmaker(config().database_url)


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: str
    partner_id: int | None


def current_user() -> CurrentUser | None:
    return st.session_state.get("user")
