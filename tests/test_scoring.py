"""Classifier glue on both engines (classify_pending, model versions, label queue) and the CLI
contract of radar classify / evaluate / models / train."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from radar.classify import dataset
from radar.cli import main
from radar.config import load_config
from radar.db import get_sessionmaker
from radar.models import Classification, Label, Mention, ModelVersion, Opportunity, Source, utcnow
from radar.scoring import classify_backlog, classify_pending, label_queue

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

CONTRACT = {"id", "lang", "is_request", "request_probability", "intent", "persona_fit", "urgency", "score", "temperature", "explanation"}


def _mention(s, src, ext, title, body, **kw) -> Mention:
    m = Mention(source_id=src.id, external_id=ext, url=f"https://example.org/{ext}", canonical_url=f"https://example.org/{ext}",
                title=title, body=body, content_hash=ext, **kw)
    s.add(m)
    s.flush()
    return m


def _seed(s):
    src = Source(name="test-forum", kind="feed")
    s.add(src)
    s.flush()
    lead = _mention(s, src, "a", "Kann mir jemand einen IT-Dienstleister in Stuttgart empfehlen?",
                    "Wir sind 60 Mitarbeiter und unser Server fällt dauernd aus.", published_at=utcnow())
    dup = _mention(s, src, "b", "Kann mir jemand einen IT-Dienstleister in Stuttgart empfehlen?",
                   "Wir sind 60 Mitarbeiter und unser Server fällt dauernd aus. (crosspost)")
    dup.group_id = lead.id
    news = _mention(s, src, "c", "Nvidia settles graphics card false advertising class action", "")
    lead.group_id = lead.id
    s.flush()
    return src, lead, dup, news


def test_classify_pending_writes_classifications_and_opportunities(config_dir, db_url):
    cfg = load_config(config_dir)
    with get_sessionmaker(db_url)() as s:
        _src, lead, dup, news = _seed(s)
        s.commit()
        assert classify_pending(s, cfg, batch_size=2) == 3
        s.commit()
        assert classify_pending(s, cfg) == 0  # nothing pending any more
        active = s.scalar(select(ModelVersion).where(ModelVersion.active.is_(True)))
        assert active.artifact_path == "bundled"
        rows = {c.mention_id: c for c in s.scalars(select(Classification))}
        assert set(rows) == {lead.id, dup.id, news.id}
        assert {c.model_version for c in rows.values()} == {active.version}
        c = rows[lead.id]
        assert c.is_request and c.intent == "recommendation" and c.language == "de"
        assert c.best_persona == "it-service-dach" and c.persona_fit["it-service-dach"]["criteria"]["company size"]["points"] == 100
        assert "text" in c.explanation and c.explanation["phrases"]
        assert not rows[news.id].is_request and rows[news.id].temperature == "cold"
        for m in (lead, dup, news):
            s.refresh(m)
            assert m.classified_at is not None
        opps = {o.mention_id: o for o in s.scalars(select(Opportunity))}
        assert set(opps) == {lead.id, news.id}  # the duplicate does not lead its group
        o = opps[lead.id]
        assert (o.score, o.temperature, o.intent, o.persona, o.language) == (c.score, c.temperature, c.intent, c.best_persona, "de")
        assert o.published_at == lead.published_at
        # reclassifying (e.g. after a new model) updates the opportunity in place, keeps its review state
        o.status = "seen"
        lead.classified_at = None
        s.commit()
        assert classify_pending(s, cfg, limit=5) == 1
        s.commit()
        assert s.scalar(select(func.count()).select_from(Opportunity)) == 2
        assert s.scalar(select(Opportunity.status).where(Opportunity.mention_id == lead.id)) == "seen"
        assert s.scalar(select(func.count()).select_from(Classification)) == 3


def test_classify_backlog_commits_in_chunks_until_done(config_dir, db_url):
    """The service's job: every pending mention classified, each chunk committed on its own."""
    cfg = load_config(config_dir)
    factory = get_sessionmaker(db_url)
    with factory.begin() as s:
        src = Source(name="bulk", kind="feed")
        s.add(src)
        s.flush()
        for i in range(7):
            _mention(s, src, f"m{i}", f"Suche Empfehlung für Buchhaltungssoftware Nr. {i}", "Wir sind ein kleines Büro.")
    assert classify_backlog(factory, cfg, chunk=3) == 7
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Mention).where(Mention.classified_at.is_(None))) == 0
        assert s.scalar(select(func.count()).select_from(Classification)) == 7
        assert s.scalar(select(func.count()).select_from(Opportunity)) == 7
    assert classify_backlog(factory, cfg, chunk=3) == 0


def test_label_queue_lists_uncertain_unlabelled_mentions(config_dir, db_url):
    cfg = load_config(config_dir)
    with get_sessionmaker(db_url)() as s:
        _src, lead, dup, news = _seed(s)
        classify_pending(s, cfg)
        s.add(Label(mention_id=dup.id, label=1, intent="recommendation"))
        s.commit()
        q = label_queue(s, cfg, limit=10)
        ids = [x["mention_id"] for x in q]
        assert dup.id not in ids and set(ids) == {lead.id, news.id}
        settings = cfg.settings.classifier  # each post is as uncertain as it is close to its language's threshold
        dists = [abs(x["request_probability"] - settings.threshold_for(x["language"])) for x in q]
        assert dists == sorted(dists)
    res = CliRunner().invoke(main, ["label-queue", "--json"])
    assert res.exit_code == 0, res.output
    assert len(res.output.strip().splitlines()) == 2


@pytest.mark.parametrize("by_language, first", [({}, "news"), ({"de": 0.6}, "lead")])
def test_label_queue_measures_uncertainty_at_each_languages_threshold(config_dir, db_url, by_language, first):
    """A German post at 0.62 is the most uncertain one where German posts count from 0.6, an English
    post at 0.45 where all count from 0.4."""
    cfg = load_config(config_dir)
    cfg.settings.classifier.request_threshold = 0.4
    cfg.settings.classifier.request_threshold_by_language = by_language
    with get_sessionmaker(db_url)() as s:
        _src, lead, _dup, news = _seed(s)
        classify_pending(s, cfg)
        rows = {c.mention_id: c for c in s.scalars(select(Classification))}
        rows[lead.id].language, rows[lead.id].request_probability = "de", 0.62
        rows[news.id].language, rows[news.id].request_probability = "en", 0.45
        s.commit()
        q = label_queue(s, cfg, limit=10)
        assert q[0]["mention_id"] == {"lead": lead.id, "news": news.id}[first]


def test_models_activate_and_rollback(config_dir, db_url):
    from radar.classify.classifier import BUNDLED_MODEL
    from radar.model_versions import ModelVersionError, activate, active_version, rollback

    cfg = load_config(config_dir)
    target = cfg.data_dir / "models" / "copy-1.joblib"
    target.parent.mkdir(parents=True)
    shutil.copyfile(BUNDLED_MODEL, target)
    with get_sessionmaker(db_url)() as s:
        bundled = active_version(s).version
        s.add(ModelVersion(version="copy-1", artifact_path=str(target), metrics={}))
        s.commit()
    r = CliRunner()
    res = r.invoke(main, ["models", "activate", "copy-1"])
    assert res.exit_code == 0 and "copy-1" in res.output, res.output
    res = r.invoke(main, ["models", "list"])
    assert "* copy-1" in res.output and f"  {bundled}" in res.output
    # the shipped model's line: F1 and PR-AUC overall and per language; a version without figures says so
    from radar.model_versions import _bundled_info

    ev = _bundled_info()["metrics"]["evaluation"]
    line = next(x for x in res.output.splitlines() if bundled in x)
    assert f"F1 {ev['all']['f1']:.3f} (de {ev['de']['f1']:.2f}, en {ev['en']['f1']:.2f})" in line, line
    assert f"PR-AUC {ev['all']['pr_auc']:.3f} (de {ev['de']['pr_auc']:.2f}, en {ev['en']['pr_auc']:.2f})" in line, line
    assert "no figures" in next(x for x in res.output.splitlines() if "copy-1" in x)
    res = r.invoke(main, ["models", "rollback"])
    assert res.exit_code == 0 and bundled in res.output, res.output
    with get_sessionmaker(db_url)() as s:
        assert active_version(s).version == bundled
        assert s.scalar(select(func.count()).where(ModelVersion.active.is_(True))) == 1
        with pytest.raises(ModelVersionError, match="no previous version"):
            rollback(s)
        with pytest.raises(ModelVersionError, match="no model version 'nope'"):
            activate(s, "nope")
    res = r.invoke(main, ["models", "activate", "nope"])
    assert res.exit_code == 1 and "radar models list" in res.output


def test_a_new_shipped_model_replaces_the_old_shipped_one_but_not_a_trained_one(config_dir, db_url):
    """An upgrade ships a new model file: the earlier shipped version (active) is replaced by it; a
    model trained with `radar train` that is active stays active."""
    from radar.model_versions import SUPERSEDED, ModelVersionError, activate, active_version, ensure_bundled

    with get_sessionmaker(db_url)() as s:
        s.add(ModelVersion(version="bundled-0", artifact_path="bundled", metrics={}, active=True))
        s.commit()
        mv = ensure_bundled(s)
        s.commit()
        assert active_version(s).version == mv.version != "bundled-0"
        old = s.scalar(select(ModelVersion).where(ModelVersion.version == "bundled-0"))
        assert not old.active and old.artifact_path == SUPERSEDED
        with pytest.raises(ModelVersionError, match="earlier release"):
            activate(s, "bundled-0")
        assert s.scalar(select(func.count()).where(ModelVersion.active.is_(True))) == 1

    trained = config_dir / "trained-1.joblib"
    trained.write_bytes(b"x")
    with get_sessionmaker(db_url)() as s:
        s.execute(ModelVersion.__table__.delete())
        s.add(ModelVersion(version="bundled-0", artifact_path="bundled", metrics={}))
        s.add(ModelVersion(version="trained-1", artifact_path=str(trained), metrics={}, active=True))
        s.commit()
        mv = ensure_bundled(s)
        s.commit()
        assert active_version(s).version == "trained-1" and not mv.active
        assert s.scalar(select(ModelVersion.artifact_path).where(ModelVersion.version == "bundled-0")) == SUPERSEDED


def test_recomputed_figures_of_the_shipped_model_replace_the_stored_ones(config_dir, db_url):
    """A release can ship the same model version with recomputed figures (the rules around it
    changed): `radar models list` must show the new ones, not those of the first registration."""
    from radar.model_versions import _bundled_info, ensure_bundled

    with get_sessionmaker(db_url)() as s:
        mv = ensure_bundled(s)
        mv.metrics = {"evaluation": {"all": {"f1": 0.5}}}  # as registered by the earlier release
        s.commit()
    with get_sessionmaker(db_url)() as s:
        ensure_bundled(s)
        s.commit()
    with get_sessionmaker(db_url)() as s:
        stored = s.scalar(select(ModelVersion.metrics).where(ModelVersion.artifact_path == "bundled"))
        assert stored == _bundled_info()["metrics"] and stored["evaluation"]["all"]["f1"] > 0.5


def test_two_processes_registering_the_shipped_model_at_once(config_dir, db_url):
    """The service and a `radar models list` started together both find no shipped model and both
    register it: the second insert fails on the unique index and must use the first one's row (it
    raised IntegrityError: UNIQUE constraint failed: model_versions.active)."""
    from sqlalchemy import event

    from radar.model_versions import ensure_bundled, list_versions

    maker = get_sessionmaker(db_url)
    with maker() as b:
        raced = []

        def other_process_first(session, _ctx, _instances):
            if not raced and any(isinstance(o, ModelVersion) for o in session.new):
                raced.append(True)
                with maker() as a:  # a separate connection commits its registration first
                    ensure_bundled(a)
                    a.commit()

        event.listen(b, "before_flush", other_process_first)
        mv = ensure_bundled(b)
        b.commit()
        assert raced, "the other registration did not run before this one's insert"
        versions = list_versions(b)
        assert [(v.version, v.active) for v in versions] == [(mv.version, True)]
        assert mv.artifact_path == "bundled"


@pytest.mark.skipif(not dataset.available(SHARED_DATA), reason="needs ../shared/data/posts (not shipped with the repo)")
def test_train_refuses_a_worse_model(config_dir, db_url):
    from radar.model_versions import TrainRefused, active_version, train_and_register

    cfg = load_config(config_dir)
    with get_sessionmaker(db_url)() as s:
        before = active_version(s).version
        s.commit()
        # 25 posts per source and label cannot beat the shipped model
        with pytest.raises(TrainRefused, match="worse than the active one"):
            train_and_register(s, cfg, data_dir=str(SHARED_DATA), max_per_source=25, version="tiny-1")
    with get_sessionmaker(db_url)() as s:
        tiny = s.scalar(select(ModelVersion).where(ModelVersion.version == "tiny-1"))
        assert tiny is not None and not tiny.active and tiny.notes.startswith("not activated")
        assert (cfg.data_dir / "models" / "tiny-1.joblib").exists()
        assert active_version(s).version == before


# ---------------------------------------------------------------- CLI contract (no database)
@pytest.fixture
def no_db_config(tmp_path, monkeypatch):
    folder = tmp_path / "inst" / "config"
    shutil.copytree(ROOT / "config", folder)
    monkeypatch.setenv("RADAR_CONFIG", str(folder))
    monkeypatch.delenv("RADAR_DATABASE_URL", raising=False)
    return folder


def test_radar_classify_contract(no_db_config, tmp_path):
    inp = tmp_path / "in.jsonl"
    rows = [{"id": 1, "title": "Wo bekomme ich in Stuttgart einen Handwerker für die Badsanierung?", "body": ""},
            {"id": "x2", "title": "Any recommendations for accounting software?", "body": "We are a team of 30.", "lang": "en"},
            {"id": 3, "title": "Nvidia settles graphics card false advertising class action", "body": ""}]
    inp.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(main, ["classify", str(inp), "-o", str(out)])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == [1, "x2", 3]
    for x in lines:
        assert set(x) == CONTRACT
        assert 0 <= x["request_probability"] <= 1 and 0 <= x["score"] <= 100 and 0 <= x["urgency"] <= 100
        assert x["temperature"] in ("hot", "warm", "cold")
        assert set(x["persona_fit"]) == {p.name for p in load_config(no_db_config).personas}
        assert all(0 <= v <= 100 for v in x["persona_fit"].values())
        assert isinstance(x["explanation"], str) and x["explanation"]
    assert lines[0]["lang"] == "de" and lines[0]["is_request"] and lines[0]["intent"] == "supplier"
    assert lines[0]["persona_fit"]["local-craft-stuttgart"] > 50
    assert lines[1]["intent"] == "recommendation" and lines[2]["intent"] == "none"
    # stdout when no -o
    res = CliRunner().invoke(main, ["classify", str(inp)])
    assert len([json.loads(x) for x in res.output.strip().splitlines()]) == 3
    assert not (no_db_config.parent / "data" / "radar.db").exists()  # no database was created


def test_radar_classify_reads_standard_input_and_shows_progress(no_db_config, tmp_path):
    """`radar classify -` reads the lines from a pipe; a large file gets a progress bar (on standard
    error, in a terminal) and the same results as one call."""
    import io

    from rich.console import Console

    from radar.cli.classify import classify_with_progress
    from radar.classify import Classifier

    lines = [json.dumps({"id": i, "title": t, "body": ""}) for i, t in
             enumerate(["Wo bekomme ich in Stuttgart einen Handwerker für die Badsanierung?", "Schönes Wetter heute"])]
    res = CliRunner().invoke(main, ["classify", "-"], input="\n".join(lines) + "\n")
    assert res.exit_code == 0, res.output
    out = [json.loads(x) for x in res.output.strip().splitlines()]
    assert [(x["id"], x["is_request"]) for x in out] == [(0, True), (1, False)]
    res = CliRunner().invoke(main, ["classify", "-"], input="not json\n")
    assert res.exit_code == 1 and "standard input, line 1" in res.output
    labelled = [json.dumps({"id": 1, "title": "Kann mir jemand einen Steuerberater empfehlen?", "label": 1}),
                json.dumps({"id": 2, "title": "44.000 Menschen auf dem Schlossplatz", "label": 0})]
    res = CliRunner().invoke(main, ["evaluate", "-", "--bootstrap", "20"], input="\n".join(labelled) + "\n")
    assert res.exit_code == 0 and "2 labelled posts" in res.output, res.output
    clf = Classifier.load("bundled")
    rows = [{"title": f"Post {i}", "body": "Kann mir jemand einen Steuerberater empfehlen?" if i % 3 else "Schönes Wetter."}
            for i in range(450)]
    shown = io.StringIO()
    got = classify_with_progress(clf, rows, console=Console(file=shown, width=100), chunk=100)
    assert [r.as_contract() for r in got] == [r.as_contract() for r in clf.classify_many(rows)]
    assert "classifying" in shown.getvalue() and "450/450 posts" in shown.getvalue()
    # radar evaluate: the same figures with the bar (classifying in chunks, then the figures)
    from radar.classify.evaluate import evaluate_rows

    from radar.cli.classify import evaluate_with_progress

    labelled = [dict(r, label=int(i % 3 != 0)) for i, r in enumerate(rows)]
    shown = io.StringIO()
    with_bar = evaluate_with_progress(clf, labelled, 20, console=Console(file=shown, width=100))
    plain = evaluate_rows(clf, labelled, n_boot=20)
    with_bar.pop("_curve"), plain.pop("_curve")
    assert json.dumps(with_bar, sort_keys=True, default=str) == json.dumps(plain, sort_keys=True, default=str)
    assert "450/450" in shown.getvalue() and "figures" in shown.getvalue()
    stages = []
    evaluate_rows(clf, labelled, n_boot=5, progress=lambda *a: stages.append(a), chunk=200)
    assert [a for a in stages if a[0] == "classifying"] == [("classifying", 0, 450), ("classifying", 200, 450),
                                                           ("classifying", 400, 450), ("classifying", 450, 450)]
    n_figs = 3 * (1 + len(plain["per_language"]))  # model and two alerts: all posts and per language
    assert stages[-1] == ("figures", n_figs, n_figs) and ("figures", 0, n_figs) in stages


def test_radar_classify_names_bad_input(no_db_config, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "title": "ok"}\nnot json\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["classify", str(bad)])
    assert res.exit_code == 1 and "line 2" in res.output


def test_radar_classify_and_evaluate_take_input_as_people_write_it(no_db_config, tmp_path):
    """A byte-order mark, Windows line ends, blank lines, "text" instead of "body", labels as
    strings or booleans, intents in capitals, "de-DE": all read as meant; a label that is none of
    1/0/null is refused with its object number."""
    inp = tmp_path / "excel.jsonl"
    rows = [{"id": "a", "text": "Kann mir jemand einen Steuerberater in Stuttgart empfehlen?", "label": "1", "intent": "Recommendation", "lang": "de-DE"},
            {"id": "b", "title": "Nvidia settles graphics card false advertising class action", "body": None, "label": False},
            {"id": "c", "title": "Where can I buy a refurbished ThinkPad in Berlin?", "label": True, "intent": "supplier "},
            {"id": "d", "title": "Unklar", "label": "unsure"}]
    inp.write_bytes(b"\xef\xbb\xbf" + "\r\n\r\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode("utf-8") + b"\r\n")
    res = CliRunner().invoke(main, ["classify", str(inp)])
    assert res.exit_code == 0, res.output
    out = [json.loads(x) for x in res.output.strip().splitlines()]
    assert [x["id"] for x in out] == ["a", "b", "c", "d"]
    assert out[0]["lang"] == "de" and out[0]["is_request"] and out[0]["intent"] == "recommendation"
    res = CliRunner().invoke(main, ["evaluate", str(inp), "--json", "--bootstrap", "20"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.output)
    assert rep["n"] == 3 and rep["positives"] == 2 and rep["skipped_unsure"] == 1
    assert rep["model"]["f1"] == 1.0
    assert rep["intent_accuracy"]["recommendation"] == {"n": 1, "accuracy": 1.0}
    assert rep["intent_accuracy"]["supplier"] == {"n": 1, "accuracy": 1.0}
    res = CliRunner().invoke(main, ["evaluate", str(inp), "--bootstrap", "20"])
    assert "3 labelled posts (1 with label null skipped)" in res.output
    bad = tmp_path / "bad_label.jsonl"
    bad.write_text(json.dumps({"id": 1, "title": "x", "label": 1}) + "\n" + json.dumps({"id": 2, "title": "y", "label": "maybe"}) + "\n",
                   encoding="utf-8")
    res = CliRunner().invoke(main, ["evaluate", str(bad)])
    assert res.exit_code == 1 and "object 2" in res.output and "'maybe'" in res.output and "1, 0 or null" in res.output
    notobj = tmp_path / "list.jsonl"
    notobj.write_text('["title", "body"]\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["classify", str(notobj)])
    assert res.exit_code == 1 and "object 1 is a JSON list" in res.output


def test_radar_evaluate_prints_strict_json_when_a_figure_is_undefined(no_db_config, tmp_path):
    """English posts without a single request: their PR-AUC is undefined — null in --json (not NaN,
    which JSON parsers refuse) and "n/a (no help requests)" in the report."""
    inp = tmp_path / "lab.jsonl"
    rows = [{"id": 1, "title": "Kann mir jemand einen Steuerberater empfehlen?", "label": 1, "intent": "recommendation"},
            {"id": 2, "title": "44.000 Menschen auf dem Schlossplatz", "label": 0},
            {"id": 3, "title": "Nvidia settles graphics card false advertising class action", "label": 0}]
    inp.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["evaluate", str(inp), "--json", "--bootstrap", "10"])
    assert res.exit_code == 0, res.output

    def refuse(const):
        raise ValueError(const)
    rep = json.loads(res.output, parse_constant=refuse)
    assert rep["per_language"]["en"]["model"]["pr_auc"] is None and rep["per_language"]["de"]["model"]["pr_auc"] == 1.0
    res = CliRunner().invoke(main, ["evaluate", str(inp), "--bootstrap", "10"])
    assert "PR-AUC n/a (no help requests)" in res.output.split("Language en:")[1]


def test_radar_evaluate_shows_thresholds_and_errors(no_db_config, tmp_path):
    """For tuning: precision/recall/F1 by threshold and, with --errors, the false positives and
    missed requests by name."""
    rows = [{"id": "req", "title": "Kann mir jemand einen Steuerberater in Stuttgart empfehlen?", "label": 1},
            {"id": "news", "title": "Nvidia settles graphics card false advertising class action", "label": 0},
            {"id": "sale", "body": "Verkaufe 2 DB Geschenk-Tickets 1. Klasse, je 75 €, bei Interesse PN.", "label": 1},
            {"id": "pw", "title": "Which password manager do you recommend?", "label": 0}]
    inp = tmp_path / "lab.jsonl"
    inp.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["evaluate", str(inp), "--json", "--bootstrap", "10"])
    rep = json.loads(res.output)
    by_t = {round(r["threshold"], 2): r for r in rep["thresholds"]}
    assert by_t[0.25] == {"threshold": 0.25, "flagged": 2, "precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert by_t[0.1]["flagged"] >= by_t[0.8]["flagged"]
    assert [e["id"] for e in rep["errors"]["false_positives"]] == ["pw"]
    assert [e["id"] for e in rep["errors"]["missed_requests"]] == ["sale"]
    res = CliRunner().invoke(main, ["evaluate", str(inp), "--bootstrap", "10", "--errors", "5"])
    assert res.exit_code == 0, res.output
    from radar.config import ClassifierSettings

    configured = ClassifierSettings().request_threshold  # the row of the configured threshold is marked
    german = ClassifierSettings().threshold_for("de")  # German posts have their own threshold and table
    assert german != configured
    whole, de_table = res.output.split("By threshold (all posts")[1].split("By threshold (language de")
    assert f"*    {configured:.2f}        2" in whole and f"*    {german:.2f}        1" in de_table
    assert res.output.count("*    ") == 2
    fp = res.output.split("False positives")[1].split("Missed requests")[0]
    assert "id=pw" in fp and "Which password manager" in fp and "id=req" not in fp
    assert "id=sale" in res.output.split("Missed requests")[1]
    assert "False positives" not in CliRunner().invoke(main, ["evaluate", str(inp), "--bootstrap", "10"]).output


@pytest.mark.parametrize("by_language, flagged", [(None, False), ({}, True)])
def test_german_posts_count_from_their_own_threshold(no_db_config, tmp_path, by_language, flagged):
    """German posts are help requests from [classifier] request_threshold_by_language's 0.6 (shipped):
    "Und nun?" (about 0.56) is none; with the table emptied, request_threshold (0.4) holds for all
    and it is one. `radar classify` and `radar evaluate` agree."""
    if by_language is not None:
        toml = no_db_config / "radar.toml"
        text = toml.read_text(encoding="utf-8")
        assert "request_threshold_by_language = { de = 0.6 }" in text  # shipped visibly, for marketing to change
        toml.write_text(text.replace("request_threshold_by_language = { de = 0.6 }", "request_threshold_by_language = {}"),
                        encoding="utf-8")
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"id": "nun", "title": "Und nun?", "label": 0}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(main, ["classify", str(inp), "-o", str(out)])
    assert res.exit_code == 0, res.output
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["lang"] == "de" and 0.4 <= row["request_probability"] < 0.6
    assert row["is_request"] is flagged
    rep = json.loads(CliRunner().invoke(main, ["evaluate", str(inp), "--json", "--bootstrap", "0"]).output)
    assert rep["threshold_by_language"] == {"de": 0.6 if by_language is None else 0.4}
    assert [e["id"] for e in rep["errors"]["false_positives"]] == (["nun"] if flagged else [])


def test_radar_classify_runs_outside_the_project_folder(tmp_path, monkeypatch):
    """No ./config and no RADAR_CONFIG: classify and evaluate (no database needed) use the shipped
    config and say so; a command that needs the database still asks for a config folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RADAR_CONFIG", raising=False)
    monkeypatch.delenv("RADAR_DATABASE_URL", raising=False)
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"id": 1, "title": "Kann mir jemand einen Steuerberater empfehlen?", "label": 1}) + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["classify", str(inp)])
    assert res.exit_code == 0, res.output
    assert "using the shipped config" in res.output and str(ROOT / "config") in res.output
    line = json.loads(res.output.strip().splitlines()[-1])
    assert line["id"] == 1 and line["is_request"] and set(line["persona_fit"]) == {p.name for p in load_config(ROOT / "config").personas}
    res = CliRunner().invoke(main, ["evaluate", str(inp), "--bootstrap", "10"])
    assert res.exit_code == 0 and "1 labelled posts" in res.output
    res = CliRunner().invoke(main, ["status"])
    assert res.exit_code == 2 and "config folder not found" in res.output


def test_radar_evaluate_reports_figures_and_baselines(no_db_config, tmp_path):
    rows = [(1, "recommendation", "Which password manager do you recommend?", ""),
            (1, "supplier", "Wo bekomme ich in Stuttgart gute Fliesen?", ""),
            (1, "support", "", "My laptop won't turn on after the update, can someone help?"),
            (1, "recommendation", "Kann mir jemand einen Steuerberater empfehlen?", ""),
            (0, "none", "44.000 Menschen auf dem Schlossplatz", ""),
            (0, "none", "", "Ich empfehle jedem, diese Partei nicht zu wählen."),
            (0, "none", "Show HN: I built a tool for invoices", ""),
            (0, "none", "Nvidia settles graphics card false advertising class action", ""),
            (0, "none", "Was ging beim Milaneo ab?", "Weiß jemand zufällig, was hier heute los war beim Milaneo?"),
            (None, None, "Unklar?", "")]
    inp = tmp_path / "lab.jsonl"
    inp.write_text("\n".join(json.dumps({"id": i, "title": t, "body": b, "label": y, "intent": it})
                             for i, (y, it, t, b) in enumerate(rows)) + "\n", encoding="utf-8")
    png = tmp_path / "pr.png"
    res = CliRunner().invoke(main, ["evaluate", str(inp), "--plot", str(png), "--bootstrap", "100"])
    assert res.exit_code == 0, res.output
    for word in ("precision", "recall", "F1", "PR-AUC", "precision@10", "@25", "@50", "keyword alert (personas)",
                 "keyword alert (requests)", "Language de", "Language en", "Intent accuracy", "95% bootstrap"):
        assert word in res.output, word
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    res = CliRunner().invoke(main, ["evaluate", str(inp), "--json", "--bootstrap", "50"])
    rep = json.loads(res.output)
    assert rep["n"] == 9 and rep["positives"] == 4
    m = rep["model"]
    for k in ("precision", "recall", "f1", "pr_auc", "p@10", "p@25", "p@50", "ci"):
        assert k in m
    assert m["f1"] == 1.0 and rep["intent_accuracy_all"] == 1.0
    assert set(rep["per_language"]) == {"de", "en"}
    assert rep["baseline_request_phrases"]["f1"] < m["f1"]
