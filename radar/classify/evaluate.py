"""``radar evaluate``: figures of the classifier on a labelled JSON Lines file, beside keyword
alerts on the same posts.

Input lines: ``{"id", "title", "body", "label": 1|0|null, "intent", "lang"?}`` (see :func:`normalise_rows`);
rows whose label is null are skipped and counted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from radar.classify.analysis import Analysis
from radar.classify.classifier import Classifier
from radar.classify.metrics import evaluate_scores
from radar.classify.personas import PersonaScorer

REQUEST_GROUPS = ("ask_help", "ask_recommendation", "seek", "where_buy", "ask_experience", "ask_comparison")


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Objects of a JSON Lines file (UTF-8, a byte-order mark is allowed; blank lines are skipped);
    ``"-"`` reads standard input."""
    if str(path) == "-":
        import io
        import sys

        return _parse_lines(io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig"), "standard input")
    with open(path, encoding="utf-8-sig") as fh:
        return _parse_lines(fh, str(path))


def _parse_lines(fh, name: str) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(fh, start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{name}, line {n}: not valid JSON ({exc.msg}); each line must be one JSON object") from None
    return rows


_TRUE = {"1", "true", "yes", "ja", "request"}
_FALSE = {"0", "false", "no", "nein"}
_UNSURE = {"", "null", "none", "unsure", "?", "-1"}


def parse_label(value: Any) -> int | None:
    """1, 0 or None (unsure) from a ``label`` value: 1/0, true/false, "1"/"0", "yes"/"no";
    null, "" and "unsure" are None. Anything else raises ``ValueError``."""
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    if isinstance(value, (int, float)):
        if value in (0, 1):
            return int(value)
        if value == -1:
            return None
    elif isinstance(value, str):
        v = value.strip().lower()
        if v in _TRUE:
            return 1
        if v in _UNSURE:
            return None
        if v in _FALSE:
            return 0
    raise ValueError(f"label {value!r} is not 1, 0 or null (unsure)")


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def normalise_rows(rows: Sequence[Any], path: str | Path, labelled: bool = False) -> list[dict[str, Any]]:
    """Check and tidy input rows for ``radar classify`` / ``radar evaluate``.

    Each row must be an object with ``title`` and/or ``body`` (``text`` is taken as the body when
    there is no ``body``). ``lang`` is lower-cased and cut to ``de``/``en`` ("DE", "de-DE"); other
    values are left to language detection. With ``labelled``, ``label`` becomes 1/0/None
    (:func:`parse_label`) and ``intent`` a lower-case name. Raises ``ValueError`` naming the row.
    """
    out = []
    for n, r in enumerate(rows, start=1):
        if not isinstance(r, dict):
            raise ValueError(f"{path}: object {n} is a JSON {type(r).__name__}, not an object; each line needs "
                             '{"id": ..., "title": ..., "body": ...}')
        body = r.get("body")
        if body is None and "text" in r:
            body = r.get("text")
        if "title" not in r and "body" not in r and "text" not in r:
            raise ValueError(f"{path}: object {n} has neither 'title' nor 'body' (nor 'text'); each line needs "
                             '{"id": ..., "title": ..., "body": ...}')
        lang = r.get("lang")
        lang = lang.strip().lower()[:2] if isinstance(lang, str) else None
        row = {"id": r.get("id"), "title": _text(r.get("title")), "body": _text(body),
               "lang": lang if lang in ("de", "en") else None}
        if labelled:
            try:
                row["label"] = parse_label(r.get("label"))
            except ValueError as exc:
                raise ValueError(f"{path}: object {n}: {exc}") from None
            intent = r.get("intent")
            row["intent"] = intent.strip().lower() if isinstance(intent, str) and intent.strip() else None
        out.append(row)
    return out


def persona_keyword_alert(clf: Classifier, analyses: Sequence[Analysis]) -> np.ndarray:
    """1 where any keyword/industry/region term of any configured persona occurs: what a
    keyword alert on the personas' words would send."""
    from radar.config import Criterion, PersonaConfig

    terms = []
    for p in clf.personas:
        for c in p.criteria:
            if c.type in ("keywords", "industry"):
                for v in c.values:
                    terms += v.terms
    if not terms:
        return np.zeros(len(analyses))
    one = PersonaConfig(name="alert", languages=[], criteria=[Criterion(name="any", type="keywords", values=[{"terms": terms, "points": 1}])])
    scorer = PersonaScorer([one])
    return np.array([float(scorer.score(a.lowers, a.lemmas, a.text, a.lang)[0].points > 0) for a in analyses])


def request_phrase_alert(analyses: Sequence[Analysis]) -> np.ndarray:
    """1 where any request phrase (asks for help, a recommendation, a supplier, experiences or a
    comparison) occurs: a keyword alert on request phrases."""
    return np.array([float(any(m.group in REQUEST_GROUPS for m in a.matches)) for a in analyses])


def evaluate_rows(clf: Classifier, rows: Sequence[dict[str, Any]], n_boot: int = 1000,
                  progress: Callable[[str, int, int], None] | None = None, chunk: int = 2000) -> dict[str, Any]:
    """All figures for labelled ``rows`` (see module docstring). ``progress(stage, done, total)``
    is called as the posts are classified (``"classifying"``, in chunks of ``chunk`` posts) and as
    the figures with their bootstrap intervals are computed (``"figures"``)."""
    step = progress or (lambda *_: None)
    unsure = sum(1 for r in rows if r.get("label") is None)
    rows = [r for r in rows if r.get("label") in (0, 1)]
    if not rows:
        raise ValueError("no labelled rows (label 1 or 0) in the input")
    analyses: list[Analysis] = []
    results: list = []
    step("classifying", 0, len(rows))
    for i in range(0, len(rows), chunk):
        part = clf.analyse([(r.get("title"), r.get("body"), r.get("lang")) for r in rows[i:i + chunk]])
        analyses += part
        results += clf.classify_analyses(part)
        step("classifying", len(results), len(rows))
    y = np.array([int(r["label"]) for r in rows])
    p = np.array([res.request_probability for res in results])
    langs = np.array([res.lang for res in results])
    lang_list = sorted(set(langs))
    thr_of = {lang: clf.settings.threshold_for(lang) for lang in lang_list}
    thr = np.array([thr_of[lang] for lang in langs], dtype=float)  # each post's threshold: its language's
    out: dict[str, Any] = {"n": len(rows), "positives": int(y.sum()), "skipped_unsure": unsure,
                           "threshold": clf.settings.request_threshold, "threshold_by_language": thr_of,
                           "model_version": clf.version}
    n_figs, done = 3 * (1 + len(lang_list)), 0
    step("figures", 0, n_figs)

    def figures(yy, scores, threshold):
        nonlocal done
        f = evaluate_scores(yy, scores, threshold, n_boot)
        done += 1
        step("figures", done, n_figs)
        return f

    out["model"] = figures(y, p, thr)
    kw = persona_keyword_alert(clf, analyses)
    rp = request_phrase_alert(analyses)
    out["baseline_persona_keywords"] = figures(y, kw, 0.5)
    out["baseline_request_phrases"] = figures(y, rp, 0.5)
    out["per_language"] = {}
    for lang in lang_list:
        m = langs == lang
        out["per_language"][lang] = {
            "model": figures(y[m], p[m], thr_of[lang]),
            "baseline_persona_keywords": figures(y[m], kw[m], 0.5),
            "baseline_request_phrases": figures(y[m], rp[m], 0.5),
        }
    # intent: accuracy per gold intent, over rows that carry one
    per_intent: dict[str, list[int]] = {}
    for r, res in zip(rows, results):
        gold = r.get("intent")
        if not gold:
            continue
        if int(r["label"]) == 0:
            gold = "none"
        per_intent.setdefault(gold, []).append(int(res.intent == gold))
    out["intent_accuracy"] = {k: {"n": len(v), "accuracy": sum(v) / len(v)} for k, v in sorted(per_intent.items())}
    hits = [x for v in per_intent.values() for x in v]
    out["intent_accuracy_all"] = sum(hits) / len(hits) if hits else None
    out["thresholds"] = threshold_table(y, p, sorted({*THRESHOLDS, clf.settings.request_threshold}))
    for lang in lang_list:
        m = langs == lang
        out["per_language"][lang]["thresholds"] = threshold_table(y[m], p[m], sorted({*THRESHOLDS, thr_of[lang]}))
    out["errors"] = _errors(rows, results, y, p, thr)
    out["_curve"] = (y, p)
    return out


THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def threshold_table(y: np.ndarray, p: np.ndarray, thresholds: Sequence[float] = THRESHOLDS) -> list[dict[str, float]]:
    """Precision, recall, F1 and the number of posts flagged at each threshold: for choosing
    ``[classifier] request_threshold`` on one's own labelled posts."""
    out = []
    for t in thresholds:
        pred = p >= t
        tp = int((pred & (y == 1)).sum())
        prec = tp / int(pred.sum()) if pred.any() else 0.0
        rec = tp / int(y.sum()) if y.sum() else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out.append({"threshold": t, "flagged": int(pred.sum()), "precision": prec, "recall": rec, "f1": f1})
    return out


def _errors(rows, results, y: np.ndarray, p: np.ndarray, thr: np.ndarray) -> dict[str, list[dict[str, Any]]]:
    """False positives (highest probability first) and missed requests (lowest first); ``thr``:
    each post's threshold."""
    def item(i: int) -> dict[str, Any]:
        r = rows[i]
        text = " / ".join(x for x in (r.get("title"), r.get("body")) if x)
        return {"id": r.get("id"), "lang": results[i].lang, "request_probability": round(float(p[i]), 4),
                "intent": results[i].intent, "text": text[:160]}
    fp = sorted((i for i in range(len(y)) if y[i] == 0 and p[i] >= thr[i]), key=lambda i: -p[i])
    fn = sorted((i for i in range(len(y)) if y[i] == 1 and p[i] < thr[i]), key=lambda i: p[i])
    return {"false_positives": [item(i) for i in fp], "missed_requests": [item(i) for i in fn]}


def json_safe(value: Any) -> Any:
    """``value`` with NaN/inf (a figure that is undefined, e.g. PR-AUC of posts without a single
    request) as None and numpy numbers as Python numbers, so that ``--json`` prints strict JSON."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _own_thresholds(rep: dict[str, Any]) -> dict[str, float]:
    """The languages of the report whose threshold differs from ``request_threshold``."""
    return {k: v for k, v in sorted(rep.get("threshold_by_language", {}).items()) if abs(v - rep["threshold"]) > 1e-9}


def _thresholds(rep: dict[str, Any]) -> str:
    """"0.40", or "0.40 (de 0.60)" where a language of the report has its own."""
    own = _own_thresholds(rep)
    return f"{rep['threshold']:.2f}" + (" (" + ", ".join(f"{k} {v:.2f}" for k, v in own.items()) + ")" if own else "")


def format_report(rep: dict[str, Any]) -> str:
    def line(name: str, m: dict) -> str:
        ci = m.get("ci", {})

        def c(k: str) -> str:
            lo, hi = ci.get(k, (float("nan"), float("nan")))
            if not np.isfinite(m[k]):
                return "n/a (no help requests)" if not m.get("positives") else "n/a"
            return f"{m[k]:.3f} [{lo:.2f}–{hi:.2f}]"
        return (f"  {name:26s} precision {c('precision')}  recall {c('recall')}  F1 {c('f1')}  PR-AUC {c('pr_auc')}\n"
                f"  {'':26s} precision@10 {m['p@10']:.2f}  @25 {m['p@25']:.2f}  @50 {m['p@50']:.2f}   (n={m['n']}, positives={m['positives']})")

    skipped = f" ({rep['skipped_unsure']} with label null skipped)" if rep.get("skipped_unsure") else ""
    by_lang = _own_thresholds(rep)
    out = [f"{rep['n']} labelled posts{skipped}, {rep['positives']} help requests; model {rep['model_version']}, "
           f"threshold {_thresholds(rep)}; 95% bootstrap intervals in brackets", "", "All posts:"]
    out.append(line("classifier", rep["model"]))
    out.append(line("keyword alert (personas)", rep["baseline_persona_keywords"]))
    out.append(line("keyword alert (requests)", rep["baseline_request_phrases"]))
    for lang, blocks in rep["per_language"].items():
        out += ["", f"Language {lang}:"]
        out.append(line("classifier", blocks["model"]))
        out.append(line("keyword alert (personas)", blocks["baseline_persona_keywords"]))
        out.append(line("keyword alert (requests)", blocks["baseline_request_phrases"]))
    tables = [("all posts at one threshold" if by_lang else "all posts", rep.get("thresholds", []), rep["threshold"])]
    if by_lang:  # a language with its own threshold: its own table, to tune that one
        tables += [(f"language {lang}", rep["per_language"][lang].get("thresholds", []), rep["threshold_by_language"][lang])
                   for lang in rep["per_language"] if lang in by_lang]
    for name, rows, configured in tables:
        out += ["", f"By threshold ({name}; the configured one marked *):",
                "  threshold  flagged  precision  recall    F1"]
        for row in rows:
            mark = "*" if abs(row["threshold"] - configured) < 1e-9 else " "
            out.append(f"  {mark}{row['threshold']:8.2f}  {row['flagged']:7d}  {row['precision']:9.3f}  {row['recall']:6.3f}  {row['f1']:.3f}")
    out += ["", "Intent accuracy (per labelled intent):"]
    for k, v in rep["intent_accuracy"].items():
        out.append(f"  {k:15s} {v['accuracy']:.2f}  (n={v['n']})")
    if rep["intent_accuracy_all"] is not None:
        out.append(f"  {'all':15s} {rep['intent_accuracy_all']:.2f}")
    return "\n".join(out)


def format_errors(rep: dict[str, Any], n: int) -> str:
    """The ``n`` most confident false positives and the ``n`` lowest-scored missed requests."""
    out = []
    for key, title in (("false_positives", "False positives (labelled 0, flagged as requests), highest first"),
                       ("missed_requests", "Missed requests (labelled 1, below the threshold), lowest first")):
        items = rep["errors"][key]
        out += ["", f"{title}: {len(items)}"]
        for e in items[:n]:
            out.append(f"  {e['request_probability']:.2f}  {e['lang'] or '?':5s} id={e['id']}  {e['text']}")
    return "\n".join(out)


def plot_pr(rep: dict[str, Any], path: str | Path) -> Path:
    """Precision/recall curve of the classifier with the keyword alerts as points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y, p = rep["_curve"]
    order = np.argsort(-p, kind="mergesort")
    ys = y[order]
    tp = np.cumsum(ys == 1)
    prec = tp / np.arange(1, len(ys) + 1)
    rec = tp / max(int(y.sum()), 1)
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=100)
    ax.plot(rec, prec, label=f"classifier (PR-AUC {rep['model']['pr_auc']:.2f})")
    for key, name, marker in (("baseline_persona_keywords", "keyword alert (personas)", "s"),
                              ("baseline_request_phrases", "keyword alert (requests)", "^")):
        b = rep[key]
        ax.scatter([b["recall"]], [b["precision"]], marker=marker, label=f"{name} (F1 {b['f1']:.2f})")
    m = rep["model"]
    ax.scatter([m["recall"]], [m["precision"]], marker="o", color="black", label=f"threshold {_thresholds(rep)} (F1 {m['f1']:.2f})")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Help requests: {rep['n']} posts, {rep['positives']} positive")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path
