"""Write-side command functions for the dashboard (the dashboard never builds SQL).

Each takes a ``session`` (the caller owns the transaction) and raises :class:`ActionError` with a
message a user can act on. Every review action on an opportunity is also stored as a
:class:`~radar.models.Label`, so the classifier learns from the consultants' daily work.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from radar.config import PersonaConfig
from radar.models import INTENTS, Label, Lead, Opportunity, Persona, Radar, Source, User, utcnow
from radar.models.partners import CADENCES, CHANNELS


class ActionError(Exception):
    """An action cannot be done; the message says why and what to do instead."""


# ---------------------------------------------------------------------------- opportunities
def _opportunity(session: Session, opportunity_id: int, *, lock: bool = True) -> Opportunity:
    q = select(Opportunity).where(Opportunity.id == opportunity_id)
    if lock:
        q = q.with_for_update()
    o = session.scalars(q).first()
    if o is None:
        raise ActionError(f"opportunity {opportunity_id} does not exist (any more); reload the page")
    return o


def _label(session: Session, o: Opportunity, label: int, user_id: int | None, origin: str) -> None:
    intent = o.intent if o.intent in INTENTS and label == 1 and o.intent != "none" else None
    session.add(Label(mention_id=o.mention_id, label=label, intent=intent, origin=origin, user_id=user_id))


def mark_seen(session: Session, opportunity_id: int, user_id: int | None) -> bool:
    """A consultant opened the detail view: ``new`` becomes ``seen``. Returns whether it changed."""
    o = _opportunity(session, opportunity_id, lock=False)
    if o.status != "new":
        return False
    o.status, o.reviewed_by = "seen", user_id
    return True


def mark_contacted(session: Session, opportunity_id: int, user_id: int | None) -> None:
    """The consultant answered the post. Stored as status ``contacted`` and a positive label.

    Example: ``mark_contacted(s, 42, user.id)``
    """
    o = _opportunity(session, opportunity_id)
    if o.status == "lead":
        raise ActionError("this opportunity is already a lead; follow it on the lead instead")
    o.status, o.reviewed_by, o.dismissed_reason = "contacted", user_id, None
    _label(session, o, 1, user_id, "dashboard:contacted")


def dismiss_opportunity(session: Session, opportunity_id: int, user_id: int | None, reason: str) -> None:
    """Not relevant, with a reason. Stored as status ``dismissed`` and a negative label.

    Example: ``dismiss_opportunity(s, 42, user.id, "job ad, not a request")``
    """
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("say why it is not relevant (a few words), so the classifier and colleagues learn from it")
    o = _opportunity(session, opportunity_id)
    if o.status == "lead":
        raise ActionError("this opportunity is already a lead and cannot be dismissed; close the lead as lost instead")
    o.status, o.reviewed_by, o.dismissed_reason = "dismissed", user_id, reason[:2000]
    _label(session, o, 0, user_id, "dashboard:dismissed")


def make_lead(session: Session, opportunity_id: int, user: User | Any, cfg: Any) -> int:
    """Turn an opportunity into a lead with :func:`radar.leads.create_lead` (status ``lead``) and
    store a positive label; returns the lead id. A lead exists at most once per opportunity.

    Example: ``make_lead(s, 42, user, cfg)``
    """
    from radar.leads import create_lead

    o = _opportunity(session, opportunity_id)
    existing = session.scalars(select(Lead.id).where(Lead.opportunity_id == o.id)).first()
    if existing is not None:
        raise ActionError(f"this opportunity is already lead #{existing}")
    if o.status == "dismissed":
        raise ActionError("this opportunity was dismissed as not relevant; it cannot become a lead")
    actor = session.get(User, user.id)
    lead = create_lead(session, o.id, actor, cfg)
    o.reviewed_by = user.id
    _label(session, o, 1, user.id, "dashboard:lead")
    return lead.id


def offer_now(session: Session, lead_id: int, user: User | Any, cfg: Any) -> int:
    """Offer a ready lead to its best-matching partners now (instead of at the next routing run);
    returns how many partners it was offered to."""
    from radar.leads import offer_lead

    return len(offer_lead(session, lead_id, cfg, actor=session.get(User, user.id)))


def activate_model(session: Session, version: str) -> str:
    """Make a model version the active one (new mentions are classified with it)."""
    from radar.model_versions import ModelVersionError, activate

    try:
        return activate(session, version).version
    except ModelVersionError as exc:
        raise ActionError(str(exc)) from None


def rollback_model(session: Session) -> str:
    """Go back to the model that was active before the current one."""
    from radar.model_versions import ModelVersionError, rollback

    try:
        return rollback(session).version
    except ModelVersionError as exc:
        raise ActionError(str(exc)) from None


def add_label(session: Session, mention_id: int, label: int, intent: str | None, user_id: int | None,
              origin: str = "dashboard:queue") -> None:
    """A verdict from the label queue: 1 help request, 0 not, with an intent when it is one."""
    if label not in (0, 1):
        raise ActionError("a label is 1 (help request) or 0 (not)")
    if intent is not None and intent not in INTENTS:
        raise ActionError(f"unknown intent {intent!r}; use one of {', '.join(INTENTS)}")
    session.add(Label(mention_id=mention_id, label=label, intent=intent if label == 1 else None, origin=origin, user_id=user_id))


# ---------------------------------------------------------------------------- sources
def set_source_enabled(session: Session, name: str, enabled: bool) -> None:
    """Enable or disable crawling a source (the scheduler picks it up on its next sync).

    Note: ``radar config load`` sets ``enabled`` from sources.toml again; change it there to make
    it stick.
    """
    src = session.scalars(select(Source).where(Source.name == name)).first()
    if src is None:
        raise ActionError(f"no source named {name!r}")
    src.enabled = enabled


# ---------------------------------------------------------------------------- radars
def save_radar(session: Session, *, name: str, query: str, owner_id: int | None, partner_id: int | None = None,
               radar_id: int | None = None, languages: list[str] | None = None, min_score: int = 0,
               personas: list[str] | None = None, regions: list[str] | None = None, cadence: str = "daily",
               channel: str = "email", active: bool = True) -> int:
    """Create (``radar_id`` None, with :func:`radar.leads.add_radar`) or update a keyword radar
    after checking its query; returns its id. A partner user may only touch its partner's
    radars, anyone else only their own (checked here; admins pass ``owner_id=None``)."""
    from radar.leads import LeadError, add_radar, parse
    from radar.leads.query import QuerySyntaxError

    name, query = (name or "").strip(), (query or "").strip()
    if not name:
        raise ActionError("give the radar a name")
    try:
        parse(query)
    except QuerySyntaxError as exc:
        raise ActionError(f"the query is not valid: {exc}") from None
    if cadence not in CADENCES or channel not in CHANNELS:
        raise ActionError(f"cadence is one of {', '.join(CADENCES)}; channel one of {', '.join(CHANNELS)}")
    try:
        if radar_id is None:
            if owner_id is None and partner_id is None:
                raise ActionError("a radar belongs to a user or a partner")
            r = add_radar(session, name, query, partner=partner_id, owner=owner_id if partner_id is None else None,
                          languages=languages, min_score=int(min_score), personas=personas, regions=regions,
                          cadence=cadence, channel=channel)
        else:
            r = session.get(Radar, radar_id)
            if r is None:
                raise ActionError(f"radar {radar_id} does not exist (any more)")
            if (partner_id is not None and r.partner_id != partner_id) or (partner_id is None and owner_id is not None and r.owner_id != owner_id):
                raise ActionError("this radar belongs to someone else")
            if not 0 <= int(min_score) <= 100:
                raise ActionError("the minimum score lies between 0 and 100")
            r.name, r.query, r.languages, r.min_score = name, query, list(languages or []), int(min_score)
            r.personas, r.regions, r.cadence, r.channel = list(personas or []), [x.upper() for x in regions or []], cadence, channel
    except LeadError as exc:
        raise ActionError(str(exc)) from None
    r.active = active
    session.flush()
    return r.id


# ---------------------------------------------------------------------------- personas
def validate_persona(definition: dict[str, Any]) -> PersonaConfig:
    """Validate a persona definition with :class:`radar.config.PersonaConfig`; raise ActionError
    listing every problem as ``field: reason``."""
    try:
        return PersonaConfig.model_validate(definition)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            loc = ".".join(str(p) for p in e["loc"]) or "(persona)"
            problems.append(f"{loc}: {e['msg'].removeprefix('Value error, ')}")
        raise ActionError("the persona is not valid:\n" + "\n".join(problems)) from None


def save_persona(session: Session, definition: dict[str, Any]) -> PersonaConfig:
    """Validate and store a persona (new or changed). Returns the validated persona.

    The database copy is what the classifier reads; export it to personas.toml to keep it under
    version control (``radar config load`` overwrites personas from the file).
    """
    pc = validate_persona(definition)
    row = session.scalars(select(Persona).where(Persona.name == pc.name)).first()
    if row is None:
        session.add(Persona(name=pc.name, title=pc.title or pc.name, definition=pc.model_dump(), active=True))
    else:
        row.title, row.definition, row.active, row.updated_at = pc.title or pc.name, pc.model_dump(), True, utcnow()
    session.flush()
    return pc


# ---------------------------------------------------------------------------- source check
class CheckResult:
    def __init__(self, returncode: int, output: str):
        self.returncode, self.output = returncode, output

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def check_source(name: str, timeout: float = 300) -> CheckResult:
    """Run ``radar sources check NAME`` in its own process (a crawl owns a Twisted reactor, which
    cannot run inside the dashboard's threads) and return its exit code and output."""
    import os
    import subprocess
    import sys

    try:
        proc = subprocess.run([sys.executable, "-m", "radar", "sources", "check", name], capture_output=True, text=True,
                              timeout=timeout, env={**os.environ, "COLUMNS": "160"}, check=False)
    except subprocess.TimeoutExpired:
        return CheckResult(124, f"the check took longer than {timeout:.0f} s and was stopped")
    out = (proc.stdout + ("\n" + proc.stderr if proc.stderr.strip() else "")).strip()
    if proc.returncode == 2 and "No such command" in out:
        out = "This installation has no `radar sources check` command yet (it comes with the collection part).\n\n" + out
    return CheckResult(proc.returncode, out[-20000:])


TRAIN_STEPS = ("load", "analysed", "words", "chars", "request model", "calibration", "intent model", "evaluate", "saved")


def train_model(progress: Any = None, max_per_source: int | None = None, timeout: float = 3600) -> CheckResult:
    """Retrain the classifier (:func:`radar.model_versions.train_and_register`) in a child process
    — training is heavy and must not take the dashboard down — and report each finished step to
    ``progress(fraction, step)``. Exit code 0: trained (and activated unless worse), 3: stored
    but not activated because it is worse, 1: no training data."""
    import json
    import os
    import subprocess
    import sys
    import time

    argv = [sys.executable, "-m", "radar.commands", "train"] + ([str(max_per_source)] if max_per_source else [])
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ.copy())
    lines: list[str] = []
    done, start = 0, time.monotonic()
    assert proc.stdout is not None
    for line in proc.stdout:
        try:
            msg = json.loads(line)
        except ValueError:
            lines.append(line.rstrip())
            continue
        if "step" in msg:
            done += 1
            if progress is not None:
                progress(min(1.0, done / len(TRAIN_STEPS)), msg["step"])
        if "report" in msg:
            lines.append(msg["report"])
        if time.monotonic() - start > timeout:
            proc.kill()
            lines.append(f"stopped after {timeout:.0f} s")
            break
    return CheckResult(proc.wait(), "\n".join(lines)[-20000:])


def _train_child(max_per_source: int | None) -> int:
    """The child of :func:`train_model`: one JSON line per step, then the report."""
    import json

    from radar.config import load_config
    from radar.db import session_scope
    from radar.model_versions import TrainRefused, train_and_register

    def say(**kw: Any) -> None:
        print(json.dumps(kw), flush=True)

    cfg = load_config()
    try:
        with session_scope(cfg.database_url) as s:
            _mv, report = train_and_register(s, cfg, progress=lambda step: say(step=step), max_per_source=max_per_source)
    except TrainRefused as exc:
        say(report=str(exc))
        return 3
    except FileNotFoundError as exc:
        say(report=str(exc))
        return 1
    say(report=report)
    return 0


if __name__ == "__main__":  # python -m radar.commands train [MAX_PER_SOURCE]
    import sys

    if sys.argv[1:2] == ["train"]:
        sys.exit(_train_child(int(sys.argv[2]) if len(sys.argv) > 2 else None))
    sys.exit("usage: python -m radar.commands train [MAX_PER_SOURCE]")
