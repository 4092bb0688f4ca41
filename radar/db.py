"""One engine and one session factory per database URL, made once.

SQLite runs in WAL mode with foreign keys on and a busy timeout, so the dashboard can read
while the service writes. Entry points (CLI commands, jobs, pipelines, dashboard loaders) open
``with session_scope() as session:``; everything else takes a ``session`` argument.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_factories: dict[str, sessionmaker[Session]] = {}


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - exercised by every SQLite test
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str, echo: bool = False) -> Engine:
    """A new engine for ``url`` with this project's connection settings (use :func:`get_engine`)."""
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            from pathlib import Path

            Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy own transaction start, so BEGIN IMMEDIATE works where we need it.
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _resolve(url: str | None) -> tuple[str, bool]:
    if url is not None:
        return url, False
    from radar.config import load_config

    cfg = load_config()
    return cfg.database_url, cfg.settings.database.echo


def _ensure(url: str | None) -> str:
    key, echo = _resolve(url)
    with _lock:
        if key not in _engines:
            _engines[key] = make_engine(key, echo=echo)
            _factories[key] = sessionmaker(_engines[key], expire_on_commit=False)
    return key


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: the configured database), made once per process."""
    return _engines[_ensure(url)]


def get_sessionmaker(url: str | None = None) -> sessionmaker[Session]:
    """The session factory bound to :func:`get_engine` of the same ``url``."""
    return _factories[_ensure(url)]


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on error."""
    factory = get_sessionmaker(url)
    with factory.begin() as session:
        yield session


def dispose_all() -> None:
    """Close every pooled connection (tests, forks, shutdown)."""
    with _lock:
        for eng in _engines.values():
            eng.dispose()
        _engines.clear()
        _factories.clear()
