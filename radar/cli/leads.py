"""Commands for partners, radars, leads, KPIs and the escalation job."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import click

from radar.cli.common import config_or_exit, require_schema, session


def _open():
    cfg = config_or_exit()
    require_schema(cfg)
    return cfg


def _run(fn: Callable[[], Any]) -> Any:
    """Turn the lead functions' refusals into a clear message and exit code 1."""
    from radar.leads import LeadError, QuerySyntaxError

    try:
        return fn()
    except (LeadError, QuerySyntaxError) as exc:
        raise click.ClickException(str(exc)) from None


def _when(value: str | None) -> dt.datetime | None:
    """An ISO date/time (UTC when no zone is given) or a duration back from now ('30d')."""
    if not value:
        return None
    from radar.config import parse_duration
    from radar.models import utcnow

    try:
        return utcnow() - dt.timedelta(seconds=parse_duration(value))
    except ValueError:
        pass
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is neither a date (2026-03-01), a time (2026-03-01T08:00) nor a duration (30d)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _as_user(s, username: str | None):
    """The user whose view is shown; the CLI operator (no --as) sees everything, like an admin."""
    from radar.leads import get_user
    from radar.models import User

    if username is None:
        return User(username="cli", role="admin", active=True)
    return _run(lambda: get_user(s, username))


def _lines(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)] if rows else [len(h) for h in header]
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for row in rows:
        click.echo("  ".join(str(x).ljust(w) for x, w in zip(row, widths)))


# =========================================================================== partners
@click.group()
def partners() -> None:
    """Channel partners: manufacturer, distributors, resellers, agencies.

    Example: radar partners list
    """


@partners.command("list")
@click.option("--type", "ptype", type=click.Choice(["manufacturer", "distributor", "reseller", "agency"]), help="Only this type.")
@click.option("--under", default=None, help="Only this partner's subtree (name or id).")
def partners_list(ptype: str | None, under: str | None) -> None:
    """The partner hierarchy with level, regions, capacity and points.

    Example: radar partners list --under "ITK Distribution"
    """
    from radar.leads import partner_tree

    cfg = _open()
    with session(cfg) as s:
        tree = _run(lambda: partner_tree(s, under))
        rows = [["  " * depth + p.name, p.type, p.level, ",".join(p.regions) or "everywhere", p.capacity_per_week, p.points,
                 "" if p.active else "inactive"] for p, depth in tree if ptype is None or p.type == ptype]
    if not rows:
        click.echo("no partners yet: describe them in config/partners.toml and run `radar config load`, or `radar partners add`")
        return
    _lines(rows, ["partner", "type", "level", "regions", "capacity/week", "points", ""])


@partners.command("add")
@click.argument("name")
@click.option("--type", "ptype", type=click.Choice(["manufacturer", "distributor", "reseller", "agency"]), required=True)
@click.option("--parent", default=None, help="The partner above (name or id).")
@click.option("--level", default="standard", show_default=True)
@click.option("--level-weight", type=float, default=1.0, show_default=True, help="Matching weight of the level.")
@click.option("--skill", "skills", multiple=True, help="Skill tag (repeatable).")
@click.option("--cert", "certs", multiple=True, help="Certification (repeatable).")
@click.option("--region", "regions", multiple=True, help="Country code or postcode prefix, e.g. DE-7 (repeatable).")
@click.option("--capacity", type=int, default=5, show_default=True, help="Reservations per week.")
def partners_add(name: str, ptype: str, parent: str | None, level: str, level_weight: float, skills: tuple, certs: tuple,
                 regions: tuple, capacity: int) -> None:
    """Add a partner. (Partners in config/partners.toml are loaded by `radar config load`.)

    Example: radar partners add "IT-Haus Nord" --type reseller --parent "ITK Distribution" --skill datev --region DE-2
    """
    from radar.leads import add_partner

    cfg = _open()
    with session(cfg) as s:
        p = _run(lambda: add_partner(s, name, ptype, parent, level=level, level_weight=level_weight, certifications=list(certs),
                                     skills=list(skills), regions=list(regions), capacity_per_week=capacity))
        click.echo(f"partner {p.name!r} ({p.type}) added with id {p.id}")


@partners.command("show")
@click.argument("partner")
def partners_show(partner: str) -> None:
    """One partner: parent, children, skills, regions, users and radars.

    Example: radar partners show "Systemhaus Hanse"
    """
    from radar.leads import partner_summary

    cfg = _open()
    with session(cfg) as s:
        info = _run(lambda: partner_summary(s, partner))
    click.echo(f"{info['name']} (id {info['id']}, {info['type']}, level {info['level']} x{info['level_weight']})"
               + ("" if info["active"] else "  INACTIVE"))
    click.echo(f"  parent:          {info['parent'] or '-'}")
    click.echo(f"  below:           {', '.join(info['children']) or '-'}")
    click.echo(f"  regions:         {', '.join(info['regions']) or 'everywhere'}")
    click.echo(f"  skills:          {', '.join(info['skills']) or '-'}")
    click.echo(f"  certifications:  {', '.join(info['certifications']) or '-'}")
    click.echo(f"  capacity/week:   {info['capacity_per_week']}    points: {info['points']}")
    for u in info["users"]:
        click.echo(f"  user {u['username']} ({u['role']}): {u['email'] or 'no e-mail'}, {u['channel']} {u['cadence']}, "
                   f"from {u['min_temperature']}" + ("" if u["active"] else ", inactive"))
    for r in info["radars"]:
        click.echo(f"  radar {r['name']!r}: {r['query']}")


# =========================================================================== radars
@click.group()
def radars() -> None:
    """Radars: keyword subscriptions of partners and consultants.

    Example: radar radars preview 'nextcloud AND (hilfe OR empfehlung)'
    """


@radars.command("list")
@click.option("--partner", default=None, help="Only this partner's radars.")
def radars_list(partner: str | None) -> None:
    """Saved radars with their query and filters.

    Example: radar radars list --partner "Systemhaus Hanse"
    """
    from radar.leads import list_radars
    from radar.models import Partner, User

    cfg = _open()
    with session(cfg) as s:
        rows = []
        for r in _run(lambda: list_radars(s, partner)):
            owner = s.get(Partner, r.partner_id).name if r.partner_id else s.get(User, r.owner_id).username
            rows.append([r.id, r.name, owner, r.query, ",".join(r.languages) or "any", r.min_score, r.cadence,
                         "" if r.active else "inactive"])
    if not rows:
        click.echo("no radars yet: `radar radars add NAME QUERY --partner P`")
        return
    _lines(rows, ["id", "radar", "owner", "query", "lang", "min score", "cadence", ""])


@radars.command("add")
@click.argument("name")
@click.argument("query")
@click.option("--partner", default=None, help="The partner the radar belongs to.")
@click.option("--owner", default=None, help="Or the user (e.g. a consultant) it belongs to.")
@click.option("--language", "languages", multiple=True, help="de, en (repeatable; none = any).")
@click.option("--min-score", type=click.IntRange(0, 100), default=0, show_default=True)
@click.option("--persona", "personas", multiple=True, help="Persona name (repeatable; none = any).")
@click.option("--region", "regions", multiple=True, help="Country code or postcode prefix (repeatable).")
@click.option("--cadence", type=click.Choice(["instant", "daily", "weekly"]), default="daily", show_default=True)
@click.option("--channel", type=click.Choice(["email", "webhook"]), default="email", show_default=True)
def radars_add(name: str, query: str, partner: str | None, owner: str | None, languages: tuple, min_score: int,
               personas: tuple, regions: tuple, cadence: str, channel: str) -> None:
    """Save a radar. The query is checked first; preview it with `radar radars preview`.

    Example: radar radars add "DATEV Süd" '(datev OR kanzlei*) AND NOT job' --partner "Bits & Bytes München" --min-score 50
    """
    from radar.leads import add_radar

    cfg = _open()
    with session(cfg) as s:
        r = _run(lambda: add_radar(s, name, query, partner=partner, owner=owner, languages=list(languages), min_score=min_score,
                                   personas=list(personas), regions=list(regions), cadence=cadence, channel=channel))
        click.echo(f"radar {r.name!r} saved with id {r.id}")


@radars.command("preview")
@click.argument("query")
@click.option("--language", "languages", multiple=True, help="de, en (repeatable; none = any).")
@click.option("--min-score", type=click.IntRange(0, 100), default=0, show_default=True)
@click.option("--persona", "personas", multiple=True, help="Persona name (repeatable).")
@click.option("--region", "regions", multiple=True, help="Country code or postcode prefix (repeatable).")
@click.option("--days", type=click.IntRange(1, 365), default=30, show_default=True)
@click.option("--limit", type=int, default=15, show_default=True, help="Newest matches shown.")
def radars_preview(query: str, languages: tuple, min_score: int, personas: tuple, regions: tuple, days: int, limit: int) -> None:
    """What a radar would have found in the last DAYS days, per day and the newest matches.

    Example: radar radars preview '"steuer berater" OR datev' --language de --min-score 40
    """
    from radar.leads import preview_radar

    cfg = _open()
    with session(cfg) as s:
        res = _run(lambda: preview_radar(s, query, list(languages), min_score, list(personas), list(regions), days=days, limit=limit))
    click.echo(f"{res.total} matches in {res.scanned} posts of the last {days} days")
    peak = max(res.per_day.values()) or 1
    for day, n in res.per_day.items():
        if n:
            click.echo(f"  {day}  {'#' * max(1, round(20 * n / peak)):20} {n}")
    for m in res.matches:
        score = f"{m['score']:.0f}" if m["score"] is not None else "-"
        click.echo(f"  [{score:>3} {m['temperature'] or '':4}] {m['published_at'][:10]}  {m['title'][:80]}  {m['url']}")


# =========================================================================== leads
@click.group()
def leads() -> None:
    """Leads: create, offer, reserve, report, inspect.

    Example: radar leads list --as hanse.vertrieb
    """


@leads.command("list")
@click.option("--as", "as_user", default=None, help="Show what this user may see (default: everything).")
@click.option("--stage", type=click.Choice(["MQL", "SAL", "SQL", "won", "lost"]), default=None)
@click.option("--status", default=None, help="new, qualifying, ready, offered, reserved, escalated, closed.")
@click.option("--limit", type=int, default=50, show_default=True)
def leads_list(as_user: str | None, stage: str | None, status: str | None, limit: int) -> None:
    """Leads, newest first, as a given user may see them.

    Example: radar leads list --as itk.partnermanager --stage SQL
    """
    from radar.leads import visible_leads
    from radar.models import Partner

    cfg = _open()
    with session(cfg) as s:
        user = _as_user(s, as_user)
        records = visible_leads(s, user, stage=stage, status=status, limit=limit)
        names = {p.id: p.name for p in s.query(Partner)}
    if not records:
        click.echo("no leads visible")
        return
    _lines([[r["id"], r["stage"], r["status"], r["temperature"], f"{r['score']:.0f}", r["region"] or "-",
             names.get(r["partner_id"], "-"), (r["title"] or r["summary"])[:60]] for r in records],
           ["id", "stage", "status", "temp", "score", "region", "partner", "title"])


@leads.command("picklist")
@click.argument("username")
def leads_picklist(username: str) -> None:
    """The teasers on a partner user's pick list (no URL, author or full text before reserving).

    Example: radar leads picklist hanse.vertrieb
    """
    from radar.leads import pick_list

    cfg = _open()
    with session(cfg) as s:
        items = pick_list(s, _as_user(s, username))
    if not items:
        click.echo("the pick list is empty")
    for t in items:
        flag = "" if t["can_reserve"] else f"  ({t['blocked_reason'] or 'view only'})"
        click.echo(f"lead {t['lead_id']}: {t['temperature']} {t['score']} {t['intent'] or '-'} / {t['persona'] or '-'} / "
                   f"{t['region'] or 'region unknown'}{flag}\n    {t['summary']}")


@leads.command("create")
@click.argument("opportunity_id", type=int)
@click.option("--actor", default="cli", show_default=True, help="Who makes the lead (username or text), for the event log.")
@click.option("--region", default=None, help="Region of the requester, e.g. DE-70 (when known).")
@click.option("--skill", "skills", multiple=True, help="Skill tag the request needs (default: detected from the text).")
@click.option("--offer", "and_offer", is_flag=True, help="Offer it right away when it passes the gate.")
def leads_create(opportunity_id: int, actor: str, region: str | None, skills: tuple, and_offer: bool) -> None:
    """Make a lead from an opportunity (temperature and origin copied as they are).

    Example: radar leads create 42 --region DE-20 --offer
    """
    from radar.leads import create_lead, gate_problems, get_user, offer_lead
    from radar.leads.errors import NotFound

    cfg = _open()
    with session(cfg) as s:
        try:
            who: Any = get_user(s, actor)
        except NotFound:
            who = actor
        lead = _run(lambda: create_lead(s, opportunity_id, who, cfg, region=region, skills=list(skills) or None))
        click.echo(f"lead {lead.id} created: {lead.temperature}, score {lead.score:.0f}, status {lead.status}")
        for problem in gate_problems(lead, cfg):
            click.echo(f"  not offered yet: {problem}")
        if and_offer and lead.status == "ready":
            offers = _run(lambda: offer_lead(s, lead.id, cfg))
            click.echo(f"  offered to {len(offers)} partner(s)")


@leads.command("offer")
@click.argument("lead_id", type=int)
@click.option("--group-size", type=int, default=None, help="Partners in this round (default: [leads] offer_group_size).")
def leads_offer(lead_id: int, group_size: int | None) -> None:
    """Offer a qualified lead to the best-matching partners (the next round).

    Example: radar leads offer 12
    """
    from radar.leads import offer_lead
    from radar.models import Partner

    cfg = _open()
    with session(cfg) as s:
        offers = _run(lambda: offer_lead(s, lead_id, cfg, actor="cli", group_size=group_size))
        if not offers:
            click.echo(f"lead {lead_id}: no partner left to offer it to; it waits for staff")
        for o in offers:
            click.echo(f"offered to {s.get(Partner, o.partner_id).name} (round {o.round}, score {o.match_score:.3f}, "
                       f"until {o.expires_at:%Y-%m-%d %H:%M} UTC)")


@leads.command("reserve")
@click.argument("lead_id", type=int)
@click.option("--partner", required=True, help="Reserving partner (name or id).")
@click.option("--user", "username", default=None, help="Reserving user.")
def leads_reserve(lead_id: int, partner: str, username: str | None) -> None:
    """Reserve an offered lead for a partner: first come, first served.

    Example: radar leads reserve 12 --partner "Systemhaus Hanse" --user hanse.vertrieb
    """
    from radar.leads import get_partner, get_user, reserve_lead

    cfg = _open()
    with session(cfg) as s:
        p = _run(lambda: get_partner(s, partner))
        uid = _run(lambda: get_user(s, username)).id if username else None
        r = _run(lambda: reserve_lead(s, lead_id, p.id, uid, cfg))
        click.echo(f"lead {lead_id} reserved by {p.name}; feedback due {r.feedback_due_at:%Y-%m-%d %H:%M} UTC")


@leads.command("decline")
@click.argument("lead_id", type=int)
@click.option("--partner", required=True, help="Declining partner (name or id).")
@click.option("--reason", required=True, help="Why (it improves matching).")
def leads_decline(lead_id: int, partner: str, reason: str) -> None:
    """Decline an offered lead; the partner is not offered it again.

    Example: radar leads decline 12 --partner "NetCare Stuttgart" --reason "no capacity this month"
    """
    from radar.leads import decline_offer, get_partner

    cfg = _open()
    with session(cfg) as s:
        p = _run(lambda: get_partner(s, partner))
        _run(lambda: decline_offer(s, lead_id, p.id, reason))
        click.echo(f"lead {lead_id} declined by {p.name}")


@leads.command("feedback")
@click.argument("lead_id", type=int)
@click.option("--partner", required=True, help="Reporting partner (name or id).")
@click.option("--outcome", type=click.Choice(["contacted", "SAL", "SQL", "won", "lost", "not_interested"]), required=True)
@click.option("--deal-size", type=str, default=None, help="For won: the deal size, e.g. 12500.")
@click.option("--reason", default=None, help="For lost / not_interested: why.")
@click.option("--user", "username", default=None, help="Reporting user.")
def leads_feedback(lead_id: int, partner: str, outcome: str, deal_size: str | None, reason: str | None, username: str | None) -> None:
    """Report on a reserved lead (contacted, SAL, SQL, won with deal size, lost with reason).

    Example: radar leads feedback 12 --partner "Systemhaus Hanse" --outcome won --deal-size 18000
    """
    from radar.leads import get_partner, get_user, give_feedback

    cfg = _open()
    with session(cfg) as s:
        p = _run(lambda: get_partner(s, partner))
        uid = _run(lambda: get_user(s, username)).id if username else None
        fb = _run(lambda: give_feedback(s, lead_id, p.id, outcome, deal_size, reason, uid, cfg=cfg))
        click.echo(f"feedback {fb.outcome!r} on lead {lead_id} recorded for {p.name}")


@leads.command("qualify")
@click.argument("lead_id", type=int)
@click.option("--as", "as_user", required=True, help="The qualifying user (role qualifier, consultant or admin).")
@click.option("--need/--no-need", default=True, show_default=True)
@click.option("--budget/--no-budget", default=False, show_default=True)
@click.option("--contact/--no-contact", default=False, show_default=True)
@click.option("--note", default="", help="What was learnt.")
def leads_qualify(lead_id: int, as_user: str, need: bool, budget: bool, contact: bool, note: str) -> None:
    """Confirm need, budget and contact of a lead before it goes out.

    Example: radar leads qualify 12 --as tsp.qualifier --need --budget --contact --note "20 seats, Q3"
    """
    from radar.leads import qualify_lead

    cfg = _open()
    with session(cfg) as s:
        user = _as_user(s, as_user)
        lead = _run(lambda: qualify_lead(s, lead_id, user, need=need, budget=budget, contact=contact, note=note, cfg=cfg))
        click.echo(f"lead {lead_id}: stage {lead.stage}, status {lead.status}")


@leads.command("show")
@click.argument("lead_id", type=int)
@click.option("--as", "as_user", default=None, help="Show it as this user may see it.")
@click.option("--json", "as_json", is_flag=True, help="The full record as JSON.")
def leads_show(lead_id: int, as_user: str | None, as_json: bool) -> None:
    """One lead with origin, qualification and its event log.

    Example: radar leads show 12 --as hanse.vertrieb
    """
    from radar.leads import get_lead

    cfg = _open()
    with session(cfg) as s:
        rec = _run(lambda: get_lead(s, _as_user(s, as_user), lead_id))
    if as_json:
        click.echo(json.dumps(rec, indent=2, ensure_ascii=False))
        return
    o = rec["origin"]
    click.echo(f"lead {rec['id']}: {rec['title'] or rec['summary']}")
    click.echo(f"  stage {rec['stage']}, status {rec['status']}, {rec['temperature']} (score {rec['score']:.0f}), "
               f"intent {rec['intent'] or '-'}, persona {rec['persona'] or '-'}, region {rec['region'] or 'unknown'}")
    click.echo(f"  from {o.get('source')} ({o.get('source_kind')}): {o.get('url')}")
    if o.get("radars"):
        click.echo(f"  matched radars: {', '.join(r['name'] for r in o['radars'])}")
    click.echo(f"  why: {json.dumps(o.get('why'), ensure_ascii=False)[:300]}")
    if rec["deal_size"]:
        click.echo(f"  won: {rec['deal_size']} on {rec['closed_at'][:10]}")
    if rec["lost_reason"]:
        click.echo(f"  lost: {rec['lost_reason']}")
    for e in rec["events"]:
        stage = f" {e['from_stage']}→{e['to_stage']}" if e["to_stage"] else ""
        click.echo(f"  {e['at'][:16]}  {e['kind']:13}{stage}  by {e['actor']}")


# =========================================================================== kpis, escalate
@click.command("kpis")
@click.option("--partner", default=None, help="This partner and its subtree only.")
@click.option("--since", default=None, help="Start: a date (2026-01-01) or a duration back (30d, default).")
@click.option("--json", "as_json", is_flag=True, help="All figures as JSON.")
def kpis_cmd(partner: str | None, since: str | None, as_json: bool) -> None:
    """Partner KPIs: offered, reserved, time to reserve, conversion, deal time and size, feedback compliance, points.

    Example: radar kpis --partner "ITK Distribution" --since 2026-01-01
    """
    from radar.leads import kpis

    cfg = _open()
    with session(cfg) as s:
        rows = _run(lambda: kpis(s, partner, since=_when(since), cfg=cfg))
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return

    def pct(x):
        return "-" if x is None else f"{100 * x:.0f}%"

    def num(x, fmt="{:.1f}"):
        return "-" if x is None else fmt.format(x)

    _lines([["  " * r["depth"] + r["partner"], k["offered"], k["reserved"], num(k["time_to_reserve_hours"]), f"{k['won']}/{k['closed']}",
             pct(k["conversion_rate"]), num(k["avg_deal_time_days"]), num(k["avg_deal_size"], "{:,.0f}"), pct(k["feedback_compliance"]),
             r["points"]] for r in rows for k in [r["subtree"]]],
           ["partner (with subtree)", "offered", "reserved", "h to reserve", "won/closed", "conversion", "deal days",
            "avg deal", "feedback ok", "points"])


@click.command("escalate")
@click.option("--no-route", is_flag=True, help="Only escalate; do not create and offer new leads.")
def escalate_cmd(no_route: bool) -> None:
    """Run the routing job once: new leads out, stale offers wider, overdue feedback reminded or revoked.

    Example: radar escalate
    """
    from radar.leads import escalate

    cfg = _open()
    with session(cfg) as s:
        report = escalate(s, cfg, route=not no_route)
    click.echo(str(report))
    for err in report.errors:
        click.echo(f"  {err}", err=True)


COMMANDS = [partners, radars, leads, kpis_cmd, escalate_cmd]
