"""Service commands: run, status, demo."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
from pathlib import Path

import click

from radar.cli.common import config_or_exit, require_schema, session


@click.command()
@click.option("--no-dashboard", is_flag=True, help="Do not start the dashboard process.")
@click.option("--worker", is_flag=True,
              help="Crawl worker only: no leader lock, no periodic jobs, no dashboard; crawls sources the leader is late with.")
def run(no_dashboard: bool, worker: bool) -> None:
    """Run the service: the scheduler with every enabled source and periodic job, and the dashboard.
    Ctrl-C or SIGTERM stops both (running crawls get [scheduler] shutdown_grace); SIGHUP reloads the config.

    Example: radar run
    """
    import logging

    from radar.logs import setup_logging
    from radar.service import EXIT_LOCK_HELD, LeaderLockHeld, run_service

    cfg = config_or_exit()
    require_schema(cfg)
    setup_logging(cfg)
    try:
        code = run_service(cfg, with_dashboard=not no_dashboard, worker=worker)
    except LeaderLockHeld as exc:
        click.echo(f"Refusing to start: {exc}", err=True)
        sys.exit(EXIT_LOCK_HELD)
    leftovers = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if leftovers:
        # A periodic job is still inside its transaction: leave now, the database rolls it back.
        logging.getLogger("radar.service").warning("leaving %d job thread(s) behind: %s", len(leftovers), ", ".join(t.name for t in leftovers))
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _when(value: dt.datetime | None, now: dt.datetime) -> str:
    if value is None:
        return "-"
    secs = (value - now).total_seconds()
    span = abs(secs)
    text = f"{span:.0f}s" if span < 120 else f"{span / 60:.0f}m" if span < 7200 else f"{span / 3600:.1f}h" if span < 172800 else f"{span / 86400:.0f}d"
    rel = f"in {text}" if secs >= 0 else f"{text} ago"
    return f"{value:%Y-%m-%d %H:%M:%S} ({rel})"


def _every(seconds: float) -> str:
    return f"every {seconds / 3600:g}h" if seconds >= 3600 and seconds % 3600 == 0 else f"every {seconds / 60:g}m" if seconds >= 60 else f"every {seconds:g}s"


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(as_json: bool) -> None:
    """Show each source's schedule, last and next run, last result and error streak; each periodic
    job's last and next run; and which process holds the scheduler lock. Times are UTC.

    Example: radar status
    """
    from radar.config import parse_duration
    from radar.models import utcnow
    from radar.status import service_status

    cfg = config_or_exit()
    require_schema(cfg)
    with session(cfg) as s:
        data = service_status(s, lock_timeout=parse_duration(cfg.settings.scheduler.lock_timeout))
    if as_json:
        click.echo(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, dt.datetime) else str(v), indent=2))
        return
    now = utcnow()
    leader = data["leader"]
    if leader is None:
        click.echo("scheduler: not running (no leader lock)")
    else:
        state = "running" if leader["alive"] else "STALE (holder presumed dead)"
        click.echo(f"scheduler: {state}, {leader['holder']}, last heartbeat {leader['heartbeat_age_seconds']:.0f}s ago")
    click.echo(f"\nsources ({sum(1 for x in data['sources'] if x['enabled'])} enabled):")
    header = f"  {'name':28} {'schedule':14} {'last run':34} {'result':9} {'streak':>6}  {'next run'}"
    click.echo(header)
    for src in data["sources"]:
        schedule = _every(src["interval_seconds"]) if src["enabled"] else "disabled"
        result = "running" if src["running"] else (src["last_status"] or "-")
        click.echo(f"  {src['name'][:28]:28} {schedule:14} {_when(src['last_run_at'], now):34} {result:9} {src['error_streak']:>6}  {_when(src['next_run_at'], now)}")
        if src["last_error"] and src["last_status"] not in ("ok", None):
            click.echo(f"  {'':28} last error: {src['last_error'][:160]}")
    click.echo("\nperiodic jobs:")
    click.echo(f"  {'name':28} {'last run':34} {'result':9} {'runs':>6}  {'next run'}")
    for job in data["jobs"]:
        click.echo(f"  {job['name'][:28]:28} {_when(job['last_run_at'], now):34} {(job['last_status'] or '-'):9} {job['runs']:>6}  {_when(job['next_run_at'], now)}")
        if job["last_error"]:
            click.echo(f"  {'':28} last error: {job['last_error'][:160]}")


@click.command()
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-instance"), show_default=True,
              help="Folder of the demo instance (its own config, database and logs).")
@click.option("--port", type=int, default=8501, show_default=True, help="Port of the demo dashboard.")
@click.option("--fresh", is_flag=True, help="Delete the demo instance's data first.")
@click.option("--no-dashboard", is_flag=True, help="Run without the dashboard (the replay server and the service only).")
def demo(folder: Path, port: int, fresh: bool, no_dashboard: bool) -> None:
    """A first look without internet or accounts: a local replay server with recorded posts, a
    demo instance with partners and users, the service and the dashboard. Ctrl-C stops everything.

    Example: radar demo --port 8502
    """
    import shutil

    from radar.demo import DEMO_USERS, ReplayServer, prepare
    from radar.logs import setup_logging
    from radar.service import EXIT_LOCK_HELD, LeaderLockHeld, run_service

    if fresh and folder.exists():
        shutil.rmtree(folder)
    os.environ.pop("RADAR_DATABASE_URL", None)  # the demo has its own database
    server = ReplayServer().start()
    try:
        cfg = prepare(folder, server.url, port=port)
        os.environ["RADAR_CONFIG"] = str(cfg.folder)
        setup_logging(cfg)
        url = f"http://{cfg.settings.dashboard.address}:{port}"
        click.echo(f"\nBusiness Radar demo\n  replay server : {server.url} (recorded posts and API responses, nothing leaves this machine)")
        click.echo(f"  instance      : {cfg.folder.parent.resolve()} (log: {cfg.data_dir / 'radar.log'})")
        if not no_dashboard:
            click.echo(f"  dashboard     : {url}")
        click.echo("  logins        : " + ", ".join(f"{u} / {p} ({r})" for u, p, r, _ in DEMO_USERS))
        click.echo("  The first crawls start now; posts, scores and leads appear within a minute. Ctrl-C stops the demo.\n")
        try:
            code = run_service(cfg, with_dashboard=not no_dashboard, dashboard_port=port)
        except LeaderLockHeld as exc:
            click.echo(f"Refusing to start: {exc}", err=True)
            sys.exit(EXIT_LOCK_HELD)
    finally:
        server.close()
    sys.exit(code)


COMMANDS = [run, status, demo]
