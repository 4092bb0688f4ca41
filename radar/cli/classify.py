"""Classifier commands: classify, evaluate, train, models, label-queue."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from radar.cli.common import config_or_exit, require_schema, session

_MODEL_HELP = "Model file, 'bundled', or a version from `radar models list` (default: the active model, else [classifier] model)."


def _load_classifier(cfg, model: str | None):
    from radar.classify import Classifier
    from radar.model_versions import resolve_model_path

    path = resolve_model_path(cfg, model)
    try:
        return Classifier.load(path, personas=cfg.personas, settings=cfg.settings.classifier)
    except (FileNotFoundError, ValueError) as exc:
        click.echo(f"Cannot load the classifier model: {exc}", err=True)
        sys.exit(1)


def _read_input(path: str, labelled: bool = False) -> list[dict]:
    from radar.classify.evaluate import normalise_rows, read_jsonl

    try:
        return normalise_rows(read_jsonl(path), path, labelled=labelled)
    except (OSError, ValueError) as exc:
        click.echo(f"Cannot read {path}: {exc}", err=True)
        sys.exit(1)


PROGRESS_FROM = 2000
"""Files with more posts than this show a progress bar (on standard error, in a terminal)."""


def _bar_console(n_rows: int, console=None):
    """``console`` if given; else a console on standard error when that is a terminal and the file
    has more than :data:`PROGRESS_FROM` posts; else None (no bar)."""
    if console is not None:
        return console
    if n_rows <= PROGRESS_FROM or not sys.stderr.isatty():
        return None
    from rich.console import Console

    return Console(stderr=True)


def classify_with_progress(clf, rows: list[dict], console=None, chunk: int = PROGRESS_FROM) -> list:
    """``clf.classify_many(rows)`` with a progress bar on standard error when that is a terminal
    and the file is large (or on ``console`` when one is given); results are the same as one call."""
    console = _bar_console(len(rows), console)
    if console is None:
        return clf.classify_many(rows)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    out: list = []
    with Progress(TextColumn("classifying"), BarColumn(), TextColumn("{task.completed}/{task.total} posts"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False) as bar:
        task = bar.add_task("classifying", total=len(rows))
        for i in range(0, len(rows), chunk):
            part = clf.classify_many(rows[i:i + chunk])
            out += part
            bar.advance(task, len(part))
    return out


def evaluate_with_progress(clf, rows: list[dict], n_boot: int, console=None) -> dict:
    """``evaluate_rows`` with a progress bar (classifying, then the figures with their bootstrap
    intervals) on standard error when that is a terminal and the file is large, or on ``console``."""
    from radar.classify.evaluate import evaluate_rows

    console = _bar_console(len(rows), console)
    if console is None:
        return evaluate_rows(clf, rows, n_boot=n_boot)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return evaluate_rows(clf, rows, n_boot=n_boot, progress=progress)


@click.command("classify")
@click.argument("input_file", metavar="INPUT.jsonl", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write JSON Lines here (default: stdout).")
@click.option("--model", default=None, help=_MODEL_HELP)
def classify_cmd(input_file: str, output: str | None, model: str | None) -> None:
    """Classify posts from a JSON Lines file: one output line per input line, same order, with
    lang, is_request, request_probability, intent, persona_fit, urgency, score, temperature and
    explanation. Input lines: {"id", "title", "body"} and optionally "lang"; "-" reads standard
    input. A large file shows a progress bar on standard error. No database needed.

    Example: radar classify posts.jsonl -o scored.jsonl
    """
    cfg = config_or_exit(shipped_fallback=True)
    rows = _read_input(input_file)
    clf = _load_classifier(cfg, model)
    results = classify_with_progress(clf, rows)
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    try:
        for r, res in zip(rows, results):
            out.write(json.dumps(res.as_contract(r.get("id")), ensure_ascii=False) + "\n")
    finally:
        if output:
            out.close()
    if output:
        click.echo(f"{len(results)} posts classified, {sum(r.is_request for r in results)} help requests -> {output}", err=True)


@click.command("evaluate")
@click.argument("input_file", metavar="LABELLED.jsonl", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--plot", type=click.Path(dir_okay=False), default=None, help="Write a precision/recall chart (PNG).")
@click.option("--model", default=None, help=_MODEL_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--bootstrap", default=1000, show_default=True, help="Bootstrap resamples for the 95% intervals.")
@click.option("--errors", "n_errors", default=0, show_default=True, metavar="N",
              help="Also list the N most confident false positives and the N lowest-scored missed requests.")
def evaluate_cmd(input_file: str, plot: str | None, model: str | None, as_json: bool, bootstrap: int, n_errors: int) -> None:
    """Measure the classifier on labelled posts: precision, recall, F1, PR-AUC, precision at
    10/25/50, intent accuracy and per-language figures with 95% bootstrap intervals, beside
    keyword alerts (persona keywords; request phrases) on the same posts, and precision/recall/F1
    by threshold. Lines carry "label" (1/0/null) and "intent". No database needed.

    Example: radar evaluate labelled.jsonl --plot pr.png --errors 10
    """
    from radar.classify.evaluate import format_errors, format_report, plot_pr

    cfg = config_or_exit(shipped_fallback=True)
    rows = _read_input(input_file, labelled=True)
    clf = _load_classifier(cfg, model)
    try:
        rep = evaluate_with_progress(clf, rows, bootstrap)
    except ValueError as exc:
        click.echo(f"{input_file}: {exc}", err=True)
        sys.exit(1)
    if plot:
        plot_pr(rep, plot)
    rep.pop("_curve", None)
    if as_json:
        from radar.classify.evaluate import json_safe

        click.echo(json.dumps(json_safe(rep), indent=1, allow_nan=False))
    else:
        click.echo(format_report(rep))
        if n_errors > 0:
            click.echo(format_errors(rep, n_errors))
        if plot:
            click.echo(f"\nchart: {plot}")


@click.command("train")
@click.option("--data", "data_dir", default=None, type=click.Path(file_okay=False),
              help="Shared data folder with posts/ (default: $RADAR_SHARED_DATA or ../shared/data).")
@click.option("--activate/--no-activate", default=True, show_default=True,
              help="Activate the new model when it is not worse than the active one.")
@click.option("--max-per-source", default=None, type=int, help="Use at most this many posts per source and label (quick runs).")
def train_cmd(data_dir: str | None, activate: bool, max_per_source: int | None) -> None:
    """Retrain the classifier on the shipped training data plus the labels given in the
    dashboard, evaluate it on the evaluation split and activate it only when it is not worse
    than the active model (F1 and PR-AUC on the same split).

    Example: radar train
    """
    from radar.model_versions import TrainRefused, train_and_register

    cfg = config_or_exit()
    require_schema(cfg)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    steps = ["load", "analysed", "words", "chars", "request model", "calibration", "intent model", "evaluate", "saved"]
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), transient=False) as bar:
        task = bar.add_task("training", total=len(steps))

        def progress(step: str) -> None:
            bar.update(task, advance=1, description=f"training: {step}")

        try:
            with session(cfg) as s:
                mv, report = train_and_register(s, cfg, data_dir=data_dir, activate=activate, progress=progress,
                                                max_per_source=max_per_source)
        except TrainRefused as exc:
            bar.stop()
            click.echo(str(exc), err=True)
            sys.exit(3)
        except FileNotFoundError as exc:
            bar.stop()
            click.echo(str(exc), err=True)
            sys.exit(1)
        bar.update(task, completed=len(steps))
    click.echo(report)


@click.group("models")
def models_group() -> None:
    """Classifier model versions: list, activate, rollback.

    Example: radar models list
    """


@models_group.command("list")
def models_list() -> None:
    """List model versions with their evaluation figures; * marks the active one.

    Example: radar models list
    """
    from radar.model_versions import ensure_bundled, list_versions

    cfg = config_or_exit()
    require_schema(cfg)
    with session(cfg) as s:
        ensure_bundled(s)
        for mv in list_versions(s):
            click.echo(f"{'*' if mv.active else ' '} {mv.version:28s} {mv.created_at:%Y-%m-%d %H:%M}  "
                       f"{_version_figures(mv.metrics)}  {mv.notes or ''}")


def _version_figures(metrics: dict | None) -> str:
    """F1 and PR-AUC on the evaluation split, overall and per language ("F1 0.822 (de 0.68, en 0.84)"):
    the overall figure mixes languages and sources, a German user tunes on the German one."""
    ev = (metrics or {}).get("evaluation", {})
    if not ev.get("all"):
        return "no figures"

    def fig(v: float | None, digits: int = 2) -> str:
        return "n/a" if v is None or v != v else f"{v:.{digits}f}"

    langs = [lang for lang in ("de", "en") if ev.get(lang)]

    def per(key: str) -> str:
        return " (" + ", ".join(f"{lang} {fig(ev[lang].get(key))}" for lang in langs) + ")" if langs else ""

    return f"F1 {fig(ev['all'].get('f1'), 3)}{per('f1')}  PR-AUC {fig(ev['all'].get('pr_auc'), 3)}{per('pr_auc')}"


@models_group.command("activate")
@click.argument("version")
def models_activate(version: str) -> None:
    """Make VERSION the active model (new mentions are classified with it).

    Example: radar models activate 2026-11-24T10-00-00
    """
    from radar.model_versions import ModelVersionError, activate

    cfg = config_or_exit()
    require_schema(cfg)
    try:
        with session(cfg) as s:
            mv = activate(s, version)
            click.echo(f"active model: {mv.version}")
    except ModelVersionError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)


@models_group.command("rollback")
def models_rollback() -> None:
    """Go back to the model that was active before the current one.

    Example: radar models rollback
    """
    from radar.model_versions import ModelVersionError, rollback

    cfg = config_or_exit()
    require_schema(cfg)
    try:
        with session(cfg) as s:
            mv = rollback(s)
            click.echo(f"active model: {mv.version}")
    except ModelVersionError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)


@click.command("label-queue")
@click.option("-n", "--limit", default=20, show_default=True, help="How many mentions to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines instead of a table.")
def label_queue_cmd(limit: int, as_json: bool) -> None:
    """List the unlabelled mentions whose labels would teach the model most (request
    probability closest to the threshold), for marketing to label in the dashboard.

    Example: radar label-queue -n 30
    """
    from radar.scoring import label_queue

    cfg = config_or_exit()
    require_schema(cfg)
    with session(cfg) as s:
        items = label_queue(s, cfg, limit=limit)
    for it in items:
        if as_json:
            click.echo(json.dumps(it, ensure_ascii=False, default=str))
        else:
            click.echo(f"{it['mention_id']:8d}  p={it['request_probability']:.2f}  {it['intent']:14s}  {it['title'][:70]}")
    if not items and not as_json:
        click.echo("nothing to label: no classified, unlabelled mentions")


COMMANDS = [classify_cmd, evaluate_cmd, train_cmd, models_group, label_queue_cmd]
