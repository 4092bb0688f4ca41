"""`radar export ...`: lead files, webhook delivery, signature checks and the delivery log."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from radar.cli.common import config_or_exit, require_schema, session


def parse_since(value: str | None, timezone: str) -> dt.datetime | None:
    """``2026-11-01`` (midnight in the instance time zone) or an ISO date-time; None stays None."""
    if not value:
        return None
    from zoneinfo import ZoneInfo

    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD or an ISO date-time like 2026-11-01T08:00") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(timezone))
    return parsed.astimezone(dt.timezone.utc)


@click.group("export")
def export_group() -> None:
    """Lead exports (CSV, JSON Lines) and signed webhooks to the distribution system.

    Example: radar export leads --format csv --since 2026-11-01 -o leads.csv
    """


@export_group.command("leads")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True,
              help="csv: CRM import columns; jsonl: one full record per line.")
@click.option("--since", default=None, help="Only leads created or changed since this date (YYYY-MM-DD, instance time zone).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: standard output).")
def export_leads_cmd(fmt: str, since: str | None, output: Path | None) -> None:
    """Export leads as CSV (UTF-8, CRM-friendly columns, formula-safe) or JSON Lines.

    Example: radar export leads --format jsonl --since 2026-11-01 -o leads.jsonl
    """
    from radar.export.files import export_leads

    cfg = config_or_exit()
    since_at = parse_since(since, cfg.settings.general.timezone)
    require_schema(cfg)
    with session(cfg) as s:
        if output is None:
            n = export_leads(s, sys.stdout, fmt, since_at)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            tmp = output.with_name(output.name + ".part")
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                n = export_leads(s, fh, fmt, since_at)
            tmp.replace(output)
    click.echo(f"{n} leads exported" + (f" to {output}" if output else ""), err=True)


@export_group.command("deliver")
@click.option("--limit", type=int, default=None, help="At most this many delivery attempts.")
def deliver_cmd(limit: int | None) -> None:
    """Deliver due webhook events from the outbox once (the service does this every export_interval).

    Example: radar export deliver
    """
    from radar.db import get_sessionmaker
    from radar.export.webhooks import deliver_outbox

    cfg = config_or_exit()
    require_schema(cfg)
    report = deliver_outbox(get_sessionmaker(cfg.database_url), cfg, limit=limit)
    click.echo(str(report))
    if report.endpoint_gone or (report.stopped and report.attempts == 0 and report.pending):
        sys.exit(1)


@export_group.command("verify-signature")
@click.option("--secret", required=True, help="The endpoint secret (whsec_... or the raw string).")
@click.option("--id", "msg_id", required=True, help="The webhook-id header.")
@click.option("--timestamp", required=True, help="The webhook-timestamp header.")
@click.option("--signature", required=True, help="The webhook-signature header (v1,...).")
@click.option("--tolerance", type=float, default=None,
              help="Also check the timestamp is within this many seconds of now (default: no check).")
@click.argument("bodyfile", type=click.File("rb"))
def verify_signature_cmd(secret: str, msg_id: str, timestamp: str, signature: str, tolerance: float | None, bodyfile) -> None:
    """Check a webhook signature over BODYFILE (the raw request body, '-' for stdin); exit 1 if invalid.
    Helps receivers test their own verification.

    Example: radar export verify-signature --secret whsec_... --id evt_1 --timestamp 1700000000 --signature v1,... body.json
    """
    from radar.export.signing import SignatureError, verify

    body = bodyfile.read()
    try:
        verify(secret, msg_id, timestamp, body, signature, tolerance=tolerance)
    except SignatureError as exc:
        click.echo(f"INVALID: {exc}", err=True)
        sys.exit(1)
    click.echo("valid signature")


@export_group.command("log")
@click.option("--event", "event_id", default=None, help="Only this event id.")
@click.option("--limit", type=int, default=50, show_default=True)
def log_cmd(event_id: str | None, limit: int) -> None:
    """Show the newest webhook delivery attempts and the outbox counts.

    Example: radar export log --limit 20
    """
    from rich.console import Console
    from rich.table import Table

    from radar.export.webhooks import delivery_log, outbox_counts

    cfg = config_or_exit()
    require_schema(cfg)
    with session(cfg) as s:
        rows = delivery_log(s, event_id, limit)
        counts = outbox_counts(s)
        table = Table("at (UTC)", "event", "status", "error", "ms", "endpoint")
        for r in rows:
            table.add_row(r.at.strftime("%Y-%m-%d %H:%M:%S"), r.event_id, str(r.status_code or "-"), r.error or "",
                          f"{r.duration_ms:.0f}" if r.duration_ms is not None else "", r.endpoint)
    console = Console()
    console.print(table)
    console.print("outbox: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "empty"))


@export_group.command("retry")
@click.option("--event", "event_id", default=None, help="Only this event id (default: every failed event).")
def retry_cmd(event_id: str | None) -> None:
    """Requeue webhook events that failed for good (after max_attempts), e.g. after the receiver was fixed.

    Example: radar export retry
    """
    from radar.export.webhooks import requeue_failed

    cfg = config_or_exit()
    require_schema(cfg)
    with session(cfg) as s:
        n = requeue_failed(s, event_id)
    click.echo(f"{n} events requeued")


@export_group.command("endpoint-enable")
@click.option("--url", default=None, help="The endpoint (default: [export] webhook_url).")
def endpoint_enable_cmd(url: str | None) -> None:
    """Re-enable a webhook endpoint that was flagged because it answered 410 Gone.

    Example: radar export endpoint-enable
    """
    from radar.export.webhooks import enable_endpoint

    cfg = config_or_exit()
    require_schema(cfg)
    url = url or cfg.settings.export.webhook_url
    if not url:
        raise click.UsageError("no endpoint: pass --url or set [export] webhook_url")
    with session(cfg) as s:
        changed = enable_endpoint(s, url)
    click.echo(f"{url}: re-enabled" if changed else f"{url}: was not flagged")


COMMANDS = [export_group]
