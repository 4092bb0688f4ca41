"""Foundation commands: init, db, config, users, run."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from pathlib import Path

import click

from radar.cli.common import config_or_exit, redact, require_schema, session
from radar.config import CONFIG_FILES, settings_reference_markdown

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--admin", default="admin", show_default=True, help="Username of the first admin.")
@click.option("--password", default=None, help="Password of the first admin (default: a random one, printed once).")
@click.option("--force", is_flag=True, help="Overwrite existing config files.")
def init(folder: Path, admin: str, password: str | None, force: bool) -> None:
    """Create an instance: FOLDER/config/*.toml with defaults, the database in FOLDER/data,
    the schema, and the first admin user.

    Example: radar init /srv/radar && RADAR_CONFIG=/srv/radar/config radar run
    """
    from radar import migrate
    from radar.auth import AuthError, create_user
    from radar.config import load_config
    from radar.sync import sync_all

    cfg_dir = folder / "config"
    cfg_dir.mkdir(parents=True, exist_ok=True)
    for name in CONFIG_FILES:
        target = cfg_dir / name
        if target.exists() and not force:
            click.echo(f"kept     {target}")
            continue
        src = REPO_CONFIG / name
        if src.exists():
            shutil.copyfile(src, target)
        else:
            target.write_text(f"# {name}: see the README's configuration reference\n", encoding="utf-8")
        click.echo(f"wrote    {target}")
    os.environ["RADAR_CONFIG"] = str(cfg_dir)
    cfg = config_or_exit()
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(cfg.database_url)
    click.echo(f"database {redact(cfg.database_url)} at schema {migrate.current(cfg.database_url)}")
    with session(cfg) as s:
        sync_all(s, load_config(cfg_dir))
        password = password or secrets.token_urlsafe(12)
        try:
            create_user(s, admin, password, "admin")
            click.echo(f"\nLog in to the dashboard as {admin!r} with password: {password}")
        except AuthError as exc:
            click.echo(f"admin: {exc} (left as it is)")
    click.echo(f"\nStart it with:  RADAR_CONFIG={cfg_dir} radar run")


# ---------------------------------------------------------------------------- db
@click.group()
def db() -> None:
    """Database schema (Alembic migrations).

    Example: radar db upgrade
    """


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head).

    Example: radar db upgrade
    """
    from radar import migrate

    cfg = config_or_exit()
    migrate.upgrade(cfg.database_url, revision)
    click.echo(f"{redact(cfg.database_url)}: at {migrate.current(cfg.database_url)}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' removes every table: all data is lost).

    Example: radar db downgrade base
    """
    from radar import migrate

    cfg = config_or_exit()
    migrate.downgrade(cfg.database_url, revision)
    click.echo(f"{redact(cfg.database_url)}: at {migrate.current(cfg.database_url) or 'base (empty)'}")


@db.command("current")
def db_current() -> None:
    """Show the schema revision of the database and whether it is up to date.

    Example: radar db current
    """
    from radar import migrate

    cfg = config_or_exit()
    cur = migrate.current(cfg.database_url)
    state = "up to date" if cur == migrate.head() else f"behind head {migrate.head()}: run `radar db upgrade`"
    click.echo(f"{redact(cfg.database_url)}: {cur or 'base (empty)'} ({state})")


# ---------------------------------------------------------------------------- config
@click.group("config")
def config_group() -> None:
    """Check, show and load the configuration.

    Example: radar config check
    """


@config_group.command("check")
def config_check() -> None:
    """Validate every config file; on a wrong value print file, key, reason and an example, exit 2.

    Example: RADAR_CONFIG=/srv/radar/config radar config check
    """
    cfg = config_or_exit()
    click.echo(f"{cfg.folder}: OK ({len(cfg.sources)} sources, {len(cfg.personas)} personas, {len(cfg.partners)} partners)")


@config_group.command("show")
def config_show() -> None:
    """Print the effective settings (defaults filled in, secrets hidden) as TOML-like text.

    Example: radar config show
    """
    cfg = config_or_exit()
    click.echo(f"# config folder: {cfg.folder.resolve()}\n# database: {redact(cfg.database_url)}")
    for sec_name, sec in cfg.settings:
        click.echo(f"\n[{sec_name}]")
        for key, value in sec:
            if any(w in key for w in ("secret", "password")) and value:
                value = "***"
            click.echo(f"{key} = {value!r}")
    click.echo(f"\n# sources: {', '.join(s.name for s in cfg.sources) or '(none)'}")
    click.echo(f"# personas: {', '.join(p.name for p in cfg.personas) or '(none)'}")
    click.echo(f"# partners: {', '.join(p.name for p in cfg.partners) or '(none)'}")


@config_group.command("docs")
def config_docs() -> None:
    """Print the configuration reference (Markdown), as in the README.

    Example: radar config docs > docs/settings.md
    """
    click.echo(settings_reference_markdown(), nl=False)


@config_group.command("load")
def config_load() -> None:
    """Load sources, personas and partners from the config folder into the database.

    Example: radar config load
    """
    from radar.sync import sync_all

    cfg = config_or_exit()
    require_schema(cfg)
    with session(cfg) as s:
        try:
            reports = sync_all(s, cfg)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    for what, rep in reports.items():
        click.echo(f"{what}: {rep}")


# ---------------------------------------------------------------------------- users
@click.group()
def users() -> None:
    """Dashboard users and their roles.

    Example: radar users add anna --role consultant
    """


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "marketing", "consultant", "partner", "qualifier"]), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="RADAR_NEW_PASSWORD",
              help="Password (prompted when omitted; or RADAR_NEW_PASSWORD).")
@click.option("--email", default="", help="E-mail for digests and reports.")
@click.option("--partner", default=None, help="Partner organisation (required for role partner).")
def users_add(username: str, role: str, password: str, email: str, partner: str | None) -> None:
    """Create a user who can log in to the dashboard.

    Example: radar users add bob --role partner --partner "Muster IT GmbH" --email bob@muster.example
    """
    from radar.auth import AuthError, create_user

    cfg = config_or_exit()
    require_schema(cfg)
    try:
        with session(cfg) as s:
            create_user(s, username, password, role, email=email, partner=partner)
    except AuthError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"user {username!r} ({role}) created")


@users.command("passwd")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="RADAR_NEW_PASSWORD")
def users_passwd(username: str, password: str) -> None:
    """Set a user's password.

    Example: radar users passwd bob
    """
    from radar.auth import AuthError, set_password

    cfg = config_or_exit()
    require_schema(cfg)
    try:
        with session(cfg) as s:
            set_password(s, username, password)
    except AuthError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"password of {username!r} set")


@users.command("list")
def users_list() -> None:
    """List users with role and partner.

    Example: radar users list
    """
    from sqlalchemy import select

    from radar.models import User

    cfg = config_or_exit()
    require_schema(cfg)
    with session(cfg) as s:
        for u in s.scalars(select(User).order_by(User.username)):
            partner = u.partner.name if u.partner else ""
            login = "can log in" if u.password_hash else "no password yet"
            click.echo(f"{u.username:20} {u.role:11} {partner:30} {u.email:30} {login}")


@users.command("ensure-admin")
@click.option("--username", default="admin", show_default=True)
def users_ensure_admin(username: str) -> None:
    """Create an admin with a random password, printed once, unless an admin exists already.

    Example: radar users ensure-admin
    """
    from sqlalchemy import select

    from radar.auth import create_user
    from radar.models import User

    cfg = config_or_exit()
    require_schema(cfg)
    with session(cfg) as s:
        if s.scalar(select(User.id).where(User.role == "admin").limit(1)) is not None:
            click.echo("an admin exists already")
            return
        password = secrets.token_urlsafe(12)
        create_user(s, username, password, "admin")
    click.echo(f"created admin {username!r}; log in to the dashboard with password: {password}")


# ---------------------------------------------------------------------------- dashboard
@click.command()
@click.option("--port", type=int, default=None, help="Port (default: [dashboard] port).")
def dashboard(port: int | None) -> None:
    """Start only the Streamlit dashboard.

    Example: radar dashboard --port 8502
    """
    from radar.processes import dashboard_command

    cfg = config_or_exit()
    os.execv(sys.executable, dashboard_command(cfg, port))


COMMANDS = [init, db, config_group, users, dashboard]
