"""`radar notify ...`: digests, weekly reports, the mail queue and a test mail."""

from __future__ import annotations

import sys

import click

from radar.cli.common import config_or_exit, require_schema, session


@click.group("notify")
def notify_group() -> None:
    """E-mail: consultant digests, partner teasers, weekly KPI reports and the mail queue.

    Example: radar notify digest --dry-run
    """


def _show(mails, dry_run: bool) -> None:
    for m in mails:
        click.echo(f"{'would queue' if dry_run else 'queued'}  {m.kind:<14} {m.to:<35} {m.subject}")


@notify_group.command("digest")
@click.option("--dry-run", is_flag=True, help="Compose and list the mails, queue nothing.")
@click.option("--no-send", is_flag=True, help="Queue only; the service (or `radar notify send`) sends.")
def digest_cmd(dry_run: bool, no_send: bool) -> None:
    """Queue the daily mails now (consultant digests, daily partner teasers) and send them.

    Example: radar notify digest --dry-run
    """
    from radar.db import get_sessionmaker
    from radar.notify.digest import enqueue_consultant_digests, enqueue_partner_teasers
    from radar.notify.mailer import send_pending

    cfg = config_or_exit()
    require_schema(cfg)
    with session(cfg) as s:
        mails = enqueue_consultant_digests(s, cfg, dry_run=dry_run) + enqueue_partner_teasers(s, cfg, "daily", dry_run=dry_run)
    _show(mails, dry_run)
    if not mails:
        click.echo("nothing new to send")
    if dry_run:
        for m in mails[:1]:
            click.echo("\n--- first mail, plain-text part ---\n" + m.text)
        return
    if not no_send:
        click.echo(str(send_pending(get_sessionmaker(cfg.database_url), cfg)))


@notify_group.command("weekly")
@click.option("--dry-run", is_flag=True, help="Compose and list the reports, queue nothing.")
@click.option("--no-send", is_flag=True, help="Queue only.")
def weekly_cmd(dry_run: bool, no_send: bool) -> None:
    """Queue the weekly KPI reports (and weekly partner teasers) now and send them.

    Example: radar notify weekly
    """
    from radar.db import get_sessionmaker
    from radar.notify.digest import enqueue_partner_teasers
    from radar.notify.mailer import send_pending
    from radar.notify.weekly import enqueue_weekly_reports

    cfg = config_or_exit()
    require_schema(cfg)
    with session(cfg) as s:
        mails = enqueue_weekly_reports(s, cfg, dry_run=dry_run) + enqueue_partner_teasers(s, cfg, "weekly", dry_run=dry_run)
    _show(mails, dry_run)
    if not mails:
        click.echo("nobody is due a weekly report (one per 6 days)")
    if not dry_run and not no_send:
        click.echo(str(send_pending(get_sessionmaker(cfg.database_url), cfg)))


@notify_group.command("send")
def send_cmd() -> None:
    """Send every due message of the mail queue now (flush the queue).

    Example: radar notify send
    """
    from radar.db import get_sessionmaker
    from radar.notify.mailer import send_pending

    cfg = config_or_exit()
    require_schema(cfg)
    report = send_pending(get_sessionmaker(cfg.database_url), cfg)
    click.echo(str(report))
    if report.stopped and report.sent == 0 and report.pending:
        sys.exit(1)


@notify_group.command("retry")
def retry_cmd() -> None:
    """Requeue messages that failed for good (e.g. after fixing an address or the SMTP settings).

    Example: radar notify retry
    """
    from radar.notify.mailer import requeue_failed_mail

    cfg = config_or_exit()
    require_schema(cfg)
    with session(cfg) as s:
        click.echo(f"{requeue_failed_mail(s)} messages requeued")


@notify_group.command("test")
@click.argument("email")
def test_cmd(email: str) -> None:
    """Queue a test message to EMAIL and send it right away; shows what the SMTP server said.

    Example: radar notify test anna@example.com
    """
    from radar.db import get_sessionmaker
    from radar.notify.mailer import MailConfigError, enqueue_email, send_pending
    from radar.notify.render import esc, page

    cfg = config_or_exit()
    require_schema(cfg)
    n = cfg.settings.notify
    instance = cfg.settings.general.instance_name
    subject = f"{instance}: test message"
    text = f"This is a test message from {instance}.\nSMTP {n.smtp_host}:{n.smtp_port}, sender {n.from_address}.\n"
    try:
        with session(cfg) as s:
            enqueue_email(s, email, subject, text, page(subject, f"<p>{esc(text)}</p>", instance), kind="test")
    except MailConfigError as exc:
        raise click.BadParameter(str(exc)) from None
    report = send_pending(get_sessionmaker(cfg.database_url), cfg)
    click.echo(str(report))
    if report.sent == 0:
        click.echo(f"The test message was not sent yet; check [notify] smtp_host/smtp_port ({n.smtp_host}:{n.smtp_port}). "
                   "It stays queued and goes out once the server answers.", err=True)
        sys.exit(1)


COMMANDS = [notify_group]
