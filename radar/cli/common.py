"""Shared helpers for CLI commands: load config with clear errors, open sessions."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.orm import Session

from radar.config import Config, ConfigError, load_config

EXIT_CONFIG = 2


SHIPPED_CONFIG = Path(__file__).resolve().parents[2] / "config"


def config_or_exit(shipped_fallback: bool = False) -> Config:
    """The loaded config, or print every problem (file, key, reason, example) and exit 2.

    With ``shipped_fallback`` (commands that need no database: classify, evaluate), a missing
    ``./config`` with no ``$RADAR_CONFIG`` falls back to the project's own config folder, with a
    note on stderr, so that they also run from another directory."""
    import os

    folder = None
    if shipped_fallback and not os.environ.get("RADAR_CONFIG") and not Path("config").is_dir() and SHIPPED_CONFIG.is_dir():
        folder = SHIPPED_CONFIG
        click.echo(f"No ./config here and RADAR_CONFIG is not set: using the shipped config {folder}.", err=True)
    try:
        return load_config(folder)
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
