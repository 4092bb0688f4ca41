"""Shared fixtures.

``db_url`` gives a migrated, empty database: SQLite always, and PostgreSQL too when
``RADAR_TEST_POSTGRES_URL`` is set (a fresh database is created per test run and dropped after).
Tests that take ``db_url`` (or ``session``) therefore run once per engine.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from radar import migrate
from radar.db import dispose_all, get_sessionmaker

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"

PG_ENV = "RADAR_TEST_POSTGRES_URL"

# The classifier keeps a fast copy of spaCy's lemma tables in a cache folder (~/.cache/business-radar
# unless RADAR_CACHE_DIR says otherwise). A test run keeps its own, removed at the end, so it writes
# nothing into the user's home (the services and commands the tests start inherit it).
if "RADAR_CACHE_DIR" not in os.environ:
    _TEST_CACHE = tempfile.mkdtemp(prefix="radar-test-cache-")
    os.environ["RADAR_CACHE_DIR"] = _TEST_CACHE
    atexit.register(shutil.rmtree, _TEST_CACHE, True)


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


class _PostgresCleaner:
    """Empties every table and restarts every sequence, like ``TRUNCATE ... RESTART IDENTITY
    CASCADE`` but about 100x faster on this PostgreSQL: TRUNCATE creates new files for each of the
    ~24 tables and their indexes and syncs them (~0.6 s a test), DELETE on a few rows costs ms.

    The same isolation: the tables (all of them but alembic_version, read from the database, so a
    table outside the models is emptied too) are first locked ACCESS EXCLUSIVE as TRUNCATE does,
    so a straggling connection of the previous test still holding a transaction is waited for
    rather than raced; then rows are deleted children first and sequences restarted; and the
    result is checked to be empty in the same transaction.
    """

    def __init__(self, url: str) -> None:
        from radar.models import Base

        self.engine = create_engine(url, poolclass=NullPool)
        with self.engine.connect() as c:
            tables = set(c.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")).scalars())
            self.sequences = list(c.execute(text(
                "SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public'")).scalars())
        ordered = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name in tables]  # children first
        self.tables = [f'"{n}"' for n in ordered + sorted(tables - set(ordered))]

    def __call__(self) -> None:
        with self.engine.begin() as c:
            c.execute(text(f"LOCK TABLE {', '.join(self.tables)} IN ACCESS EXCLUSIVE MODE"))
            for t in self.tables:
                c.execute(text(f"DELETE FROM {t}"))
            for seq in self.sequences:
                c.execute(text(f"ALTER SEQUENCE {seq} RESTART"))
            left = c.execute(text("SELECT " + " + ".join(f"(SELECT count(*) FROM {t})" for t in self.tables))).scalar()
            assert left == 0, f"{left} rows left after emptying the test database"


@pytest.fixture(scope="session")
def _postgres_cleaner(_postgres_url) -> Iterator[_PostgresCleaner]:
    cleaner = _PostgresCleaner(_postgres_url)
    yield cleaner
    cleaner.engine.dispose()


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
        request.getfixturevalue("_postgres_cleaner")()
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
