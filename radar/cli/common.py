"""Shared helpers for CLI commands: load config with clear errors, open sessions."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from radar.config import Config, ConfigError, load_config

EXIT_CONFIG = 2


def config_or_exit() -> Config:
    """The loaded config, or print every problem (file, key, reason, example) and exit 2."""
    try:
        return load_config()
    except ConfigError as exc:
        click.echo("Configuration error:", err=True)
        for p in exc.problems:
            click.echo(f"  {p}", err=True)
        sys.exit(EXIT_CONFIG)


def require_schema(cfg: Config) -> None:
    """Exit with a clear message when the database is not migrated to the current head."""
    from radar import migrate

    try:
        ok = migrate.is_current(cfg.database_url)
    except Exception as exc:  # noqa: BLE001 - any driver error means we cannot reach the database
        click.echo(f"Cannot open the database {redact(cfg.database_url)}: {exc}\n"
                   "Check [database] url in radar.toml or RADAR_DATABASE_URL.", err=True)
        sys.exit(1)
    if not ok:
        click.echo(f"The database {redact(cfg.database_url)} is not at the current schema. Run `radar db upgrade` first.", err=True)
        sys.exit(1)


@contextmanager
def session(cfg: Config) -> Iterator[Session]:
    from radar.db import session_scope

    with session_scope(cfg.database_url) as s:
        yield s


def redact(url: str) -> str:
    """Hide a password in a database URL."""
    import re

    return re.sub(r"(://[^:/@]+):[^@]+@", r"\1:***@", url)
