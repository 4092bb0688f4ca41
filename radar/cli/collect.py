"""Collection commands: sources list/check, crawl, mentions, purge."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
import time

import click

from radar.cli.common import config_or_exit, require_schema, session

STATUS_STYLE = {"ok": "green", "partial": "yellow", "failed": "red", "timeout": "red", "aborted": "magenta", "running": "cyan"}


def _ago(when: dt.datetime | None) -> str:
    if when is None:
        return "never"
    seconds = (dt.datetime.now(dt.timezone.utc) - when).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit} ago"
    return f"{max(seconds, 0):.0f}s ago"


def _parse_since(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    from radar.config import parse_duration

    try:
        return dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=parse_duration(value))
    except ValueError:
        pass
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: use a date like 2025-11-24, a time like 2025-11-24T08:00, or a duration like 7d") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


# ---------------------------------------------------------------------------- sources
@click.group("sources")
def sources_group() -> None:
    """Sources: their health, and a dry run of one.

    Example: radar sources list
    """


@sources_group.command("list")
def sources_list() -> None:
    """Every source with its health: last run, its status, new items, total, last error.

    Example: radar sources list
    """
    from rich.console import Console
    from rich.table import Table

    from radar.collection import source_health
    from radar.sync import sync_sources

    cfg = config_or_exit()
    require_schema(cfg)
    with session(cfg) as s:
        sync_sources(s, cfg)
        rows = source_health(s)
    table = Table(title="Sources")
    for col in ("name", "kind", "enabled", "every", "last run", "status", "new", "total", "failing", "last error"):
        table.add_column(col, overflow="fold")
    for r in rows:
        status = r.last_status or "-"
        table.add_row(r.name, r.kind, "yes" if r.enabled else "no", f"{r.interval_seconds // 60}m", _ago(r.last_run_at),
                      f"[{STATUS_STYLE.get(status, 'white')}]{status}[/]", "-" if r.last_new is None else str(r.last_new),
                      str(r.items_total), str(r.error_streak) if r.error_streak else "", (r.last_error or "")[:120])
    Console().print(table)


@sources_group.command("check")
@click.argument("name")
@click.option("--show", default=10, show_default=True, help="Items to print in full.")
@click.option("--timeout", default=120.0, show_default=True, help="Seconds before the fetch is stopped.")
def sources_check(name: str, show: int, timeout: float) -> None:
    """Fetch source NAME once, from scratch, and show what would be stored. Stores nothing.

    Example: radar sources check hn-ask
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from radar.crawl import CrawlError, check_source

    cfg = config_or_exit()
    require_schema(cfg)
    console = Console()
    try:
        with console.status(f"fetching {name} ..."):
            result = check_source(cfg, name, timeout=timeout)
    except CrawlError as exc:
        raise click.ClickException(str(exc)) from None
    new = [c for c in result.items if c.would_store]
    table = Table(title=f"{name}: {len(result.items)} items, {len(new)} would be stored ({result.status}, {result.pages} pages)")
    for col in ("store", "published", "lang", "author", "title", "url"):
        table.add_column(col, overflow="fold")
    for c in result.items:
        it = c.item
        table.add_row("yes" if c.would_store else f"no: {c.duplicate_reason}", it.published_at.isoformat(timespec="minutes") if it.published_at else "-",
                      it.language or "-", escape(it.author or "-"), escape(it.title[:90]), escape(it.url or ""))
    console.print(table)
    for c in result.items[:show]:
        console.rule(escape(c.item.title[:100] or c.item.external_id))
        console.print(escape(c.item.body[:600] + ("…" if len(c.item.body) > 600 else "")))
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {escape(w['reason'])}")
    for e in result.errors:
        console.print(f"[red]error:[/] {escape(e['reason'])}")
    if result.status not in ("ok", "partial"):
        sys.exit(1)


# ---------------------------------------------------------------------------- crawl
@click.command("crawl")
@click.argument("names", nargs=-1)
@click.option("--parallel", default=2, show_default=True, type=click.IntRange(1, 16), help="Sources crawled at the same time (one process each).")
@click.option("--timeout", type=float, default=None, help="Seconds per source (default: [crawl] crawl_timeout).")
def crawl(names: tuple[str, ...], parallel: int, timeout: float | None) -> None:
    """One pass over the named sources (default: all enabled), each in its own process, then exit.
    Exits 1 when any source failed.

    Example: radar crawl reddit-smallbusiness hn-ask
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from radar.config import parse_duration
    from radar.crawl import HARD_TIMEOUT_GRACE, CrawlResult, crawl_command, mark_run_finished
    from radar.models import CrawlRun, Source
    from radar.sync import sync_sources

    cfg = config_or_exit()
    require_schema(cfg)
    known = {s.name: s for s in cfg.sources}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise click.ClickException(f"unknown source(s): {', '.join(unknown)}; `radar sources list` shows them")
    todo = list(names) or [s.name for s in cfg.sources if s.enabled]
    if not todo:
        click.echo("No enabled sources in sources.toml.")
        return
    with session(cfg) as s:
        sync_sources(s, cfg)
    limit = (timeout or parse_duration(cfg.settings.crawl.crawl_timeout)) + HARD_TIMEOUT_GRACE
    console = Console(stderr=False)
    results: list[CrawlResult] = []
    pending = list(todo)
    running: dict[str, tuple[subprocess.Popen, float, int]] = {}
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=False) as progress:
        overall = progress.add_task("crawling", total=len(todo))
        tasks: dict[str, int] = {}
        while pending or running:
            while pending and len(running) < parallel:
                name = pending.pop(0)
                argv = crawl_command(name, cfg.folder)
                if timeout is not None:
                    argv += ["--timeout", str(timeout)]
                proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                running[name] = (proc, time.monotonic(), 0)
                tasks[name] = progress.add_task(f"  {name}", total=None)
            time.sleep(0.1)
            for name, (proc, started, _) in list(running.items()):
                code = proc.poll()
                if code is None and time.monotonic() - started > limit:
                    proc.kill()
                    code = proc.wait()
                    reason = f"the crawl process did not end within {limit:.0f} s and was killed"
                    with session(cfg) as s:
                        src = s.query(Source).filter_by(name=name).one_or_none()
                        if src is not None:
                            for run in s.query(CrawlRun).filter_by(source_id=src.id, status="running", pid=proc.pid):
                                mark_run_finished(s, run.id, "timeout", reason)
                    results.append(CrawlResult(source=name, status="timeout", errors=[{"reason": reason, "url": None}]))
                elif code is not None:
                    out, err = proc.communicate()
                    line = next((ln for ln in reversed(out.strip().splitlines()) if ln.startswith("{")), "")
                    try:
                        results.append(CrawlResult.from_json(line))
                    except (ValueError, TypeError):
                        tail = (err.strip().splitlines() or ["no output"])[-1]
                        results.append(CrawlResult(source=name, status="failed",
                                                   errors=[{"reason": f"the crawl process exited with {code}: {tail}", "url": None}]))
                else:
                    continue
                del running[name]
                progress.remove_task(tasks.pop(name))
                r = results[-1]
                progress.console.print(f"[{STATUS_STYLE.get(r.status, 'white')}]{r.status:8}[/] {escape(name)}: "
                                       f"{r.items_new} new, {r.items_duplicate} seen, {r.items_failed} failed, {r.pages} pages"
                                       + (f" — {escape(r.first_error or '')}" if r.first_error else ""))
                progress.advance(overall)
    bad = [r for r in results if not r.ok]
    console.print(f"{len(results)} sources: {sum(r.items_new for r in results)} new mentions; "
                  f"{len(bad)} failed" + (f" ({', '.join(r.source for r in bad)})" if bad else ""))
    if bad:
        sys.exit(1)


# ---------------------------------------------------------------------------- mentions
@click.command("mentions")
@click.option("--since", default=None, help="Fetched since a date (2025-11-24), a time, or a duration back (7d, 12h).")
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]), default="table", show_default=True)
@click.option("--limit", type=int, default=None, help="At most this many (newest first). Default: 50 for table, all otherwise.")
def mentions(since: str | None, sources: tuple[str, ...], fmt: str, limit: int | None) -> None:
    """Stored mentions, newest first, as a table, JSON Lines or CSV.

    Example: radar mentions --since 7d --format jsonl > mentions.jsonl
    """
    from radar.collection import iter_mentions

    cfg = config_or_exit()
    require_schema(cfg)
    when = _parse_since(since)
    if fmt == "table" and limit is None:
        limit = 50
    with session(cfg) as s:
        rows = iter_mentions(s, when, list(sources) or None, limit)
        if fmt == "jsonl":
            for row in rows:
                click.echo(json.dumps(row, ensure_ascii=False))
        elif fmt == "csv":
            fields = ["id", "source", "external_id", "url", "title", "text", "author", "language", "published_at", "fetched_at", "group_id", "classified"]
            writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
        else:
            from rich.console import Console
            from rich.markup import escape
            from rich.table import Table

            table = Table(title="Mentions")
            for col in ("id", "source", "published", "lang", "author", "title", "group"):
                table.add_column(col, overflow="fold")
            for row in rows:
                table.add_row(str(row["id"]), row["source"], (row["published_at"] or "-")[:16], row["language"] or "-",
                              escape(row["author"] or "-"), escape((row["title"] or row["text"])[:80]), str(row["group_id"] or ""))
            Console().print(table)


# ---------------------------------------------------------------------------- purge
@click.command("purge")
@click.option("--days", type=int, default=None, help="Override [retention] days.")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def purge(days: int | None, dry_run: bool) -> None:
    """Delete mentions older than [retention] days that never became a lead, with their
    classifications and opportunities.

    Example: radar purge --dry-run
    """
    from radar.collection import count_purgeable, purge_mentions
    from radar.db import get_sessionmaker

    cfg = config_or_exit()
    require_schema(cfg)
    days = days or cfg.settings.retention.days
    if dry_run:
        with session(cfg) as s:
            click.echo(f"{count_purgeable(s, days)} mentions older than {days} days would be deleted")
        return
    n = purge_mentions(get_sessionmaker(cfg.database_url), days)
    click.echo(f"deleted {n} mentions older than {days} days (leads and their mentions are kept)")


COMMANDS = [sources_group, crawl, mentions, purge]
