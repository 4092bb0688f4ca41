"""Shared fixtures.

``db_url`` gives a migrated, empty database: SQLite always, and PostgreSQL too when
``RADAR_TEST_POSTGRES_URL`` is set (a fresh database is created per test run and dropped after).
Tests that take ``db_url`` (or ``session``) therefore run once per engine.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from radar import migrate
from radar.db import dispose_all, get_sessionmaker

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"

PG_ENV = "RADAR_TEST_POSTGRES_URL"


def _engines() -> list[str]:
    return ["sqlite", "postgres"] if os.environ.get(PG_ENV) else ["sqlite"]


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "radar.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_url() -> Iterator[str]:
    base = os.environ[PG_ENV]
    name = f"radar_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    migrate.upgrade(url)
    yield url
    dispose_all()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_postgres(url: str) -> None:
    from radar.models import Base

    eng = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with eng.begin() as c:
        c.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    eng.dispose()


@pytest.fixture(params=_engines())
def db_url(request, tmp_path) -> Iterator[str]:
    """A migrated, empty database; parametrised over SQLite and (when configured) PostgreSQL."""
    if request.param == "sqlite":
        template = request.getfixturevalue("_sqlite_template")
        path = tmp_path / "radar.db"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("_postgres_url")
        _truncate_postgres(url)
    yield url
    dispose_all()


@pytest.fixture
def sqlite_url(_sqlite_template, tmp_path) -> Iterator[str]:
    """A migrated, empty SQLite database (for tests about SQLite itself)."""
    path = tmp_path / "radar.db"
    shutil.copyfile(_sqlite_template, path)
    yield f"sqlite:///{path}"
    dispose_all()


@pytest.fixture
def session(db_url):
    """A session in a transaction that is committed at the end of the test (if it passed)."""
    factory = get_sessionmaker(db_url)
    with factory() as s:
        yield s
        s.commit()


@pytest.fixture
def config_dir(tmp_path, db_url, monkeypatch) -> Path:
    """A config folder copied from config/, pointing at ``db_url``; RADAR_CONFIG set to it."""
    folder = tmp_path / "instance" / "config"
    shutil.copytree(ROOT / "config", folder)
    monkeypatch.setenv("RADAR_CONFIG", str(folder))
    monkeypatch.setenv("RADAR_DATABASE_URL", db_url)
    return folder


@pytest.fixture
def replay_server():
    """A started local replay HTTP server on 127.0.0.1 (ephemeral port); see tests/httpserver.py.

    Example: ``replay_server.route("/feed.xml", Reply(body=wire("rss_atom/real_sites/narro.rss")))``
    then crawl ``replay_server.url("/feed.xml")``; ``replay_server.requests`` logs every request.
    """
    from httpserver import ReplayServer

    with ReplayServer() as server:
        yield server
