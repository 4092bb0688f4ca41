"""Train the request/intent model from the real posts in ``../shared/data/posts`` (plus optional
extra labelled examples, e.g. the dashboard's labels) and evaluate it.

Splits:

- **evaluation split**: one post in five of every source (by a hash of its id, so it is stable
  across runs and machines) is never trained on; ``radar train`` compares models on it.
- the hand-labelled German set (``reddit_stuttgart_de.labeled.jsonl``) is the German test set: its
  figures come from 4-fold cross-validation (each post is scored by a model trained without it, on
  the other sources plus the other three quarters of the set), because its city-forum posts are
  the hard negatives no other source has. The shipped model trains on its training split too.
- **cross-source**: :func:`cross_source_report` trains without one source and tests on it.
- the hand-labelled r/AskReddit posts of the recorded Reddit API responses (7 requests in 293: the
  opinion polls a general forum is full of, "What is the best opening scene of a TV show?") are
  cross-validated the same way (:data:`CV_SOURCE`) and are a cross-source fold.
- **held out** (:data:`TEST_SOURCES`): sources never trained on at all (none at present).

Build the shipped model: ``python -m radar.classify.train --out radar/classify/model/request_model.joblib``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from radar.classify import dataset
from radar.classify.analysis import Analyzer
from radar.classify.dataset import Example
from radar.classify.metrics import evaluate_scores
from radar.classify.model import ModelOptions, RequestModel, fit_model, save_model

TEST_SOURCES: tuple[str, ...] = ()
"""Held-out sources: never trained on (not by the shipped model, not by ``radar train``, not in the
cross-source folds); their figures (``held_out``) are the model's on a source it has never seen.
None at present: the r/AskReddit posts were one until training on them was measured to help."""
CV_SOURCE = "askreddit"
"""A second set scored by cross-validation like the German set: the hand-labelled r/AskReddit posts
(opinion polls, the hard negatives of a general forum)."""
GERMAN_TEST = "stuttgart"
CAP_PER_CELL = 5000
"""Most examples per (source, label) in training: keeps the 18,000 link titles of HN and the
8,500 political tweets from drowning everything else (and training fast)."""


def is_eval(ex_id: str) -> bool:
    """The stable evaluation split: one in five by hash of the id."""
    return int(hashlib.sha1(ex_id.encode()).hexdigest()[:8], 16) % 5 == 0


def split(examples: Sequence[Example]) -> tuple[list[Example], list[Example], list[Example]]:
    """``(train, evaluation, test)``: test is the hand-labelled German set."""
    train, ev, test = [], [], []
    for e in examples:
        if e.source in TEST_SOURCES:
            test.append(e)
        elif is_eval(e.id):
            ev.append(e)
        else:
            train.append(e)
    return train, ev, test


def cap(examples: Sequence[Example], per_cell: int = CAP_PER_CELL, seed: int = 11, keep_hand: bool = True) -> list[Example]:
    """At most ``per_cell`` examples per (source, label); hand-labelled ones are kept unless
    ``keep_hand`` is false."""
    rng = random.Random(seed)
    cells: dict[tuple, list[Example]] = {}
    for e in examples:
        cells.setdefault((e.source, e.label, e.hand), []).append(e)
    out = []
    for (_, _, hand), xs in cells.items():
        if (not hand or not keep_hand) and len(xs) > per_cell:
            xs = rng.sample(xs, per_cell)
        out.extend(xs)
    return out


def train_on(examples: Sequence[Example], analyzer: Analyzer, options: ModelOptions | None = None,
             progress: Callable[[str], None] | None = None, calibrate: bool = True) -> RequestModel:
    ex = [e for e in examples if e.label in (0, 1)]
    analyses = analyzer.analyse_many([(e.title, e.body, e.lang) for e in ex])
    if progress:
        progress("analysed")
    model = fit_model(analyses, [e.label for e in ex], [e.source for e in ex], [e.intent for e in ex],
                      options, calibrate=calibrate, progress=progress)
    model.training = {"examples": len(ex), "positives": sum(e.label for e in ex),
                      "sources": dict(Counter(e.source for e in ex))}
    return model


def default_threshold() -> float:
    from radar.config import ClassifierSettings

    return ClassifierSettings().request_threshold


def thresholds_for(langs: Sequence[str], threshold: float | None = None,
                   by_language: dict[str, float] | None = None) -> np.ndarray:
    """Each post's request threshold by its language: the shipped ``[classifier] request_threshold``
    and ``request_threshold_by_language``; a ``threshold`` given alone holds for every language."""
    from radar.config import ClassifierSettings

    shipped = ClassifierSettings()
    base = shipped.request_threshold if threshold is None else threshold
    if by_language is None:
        by_language = shipped.request_threshold_by_language if threshold is None else {}
    return np.array([by_language.get(lang, base) for lang in langs], dtype=float)


def default_floor() -> float:
    """``[classifier] direct_request_floor`` as shipped: evaluations score what ``radar classify`` gives."""
    from radar.config import ClassifierSettings

    return ClassifierSettings().direct_request_floor


def evaluate_model(model: RequestModel, analyzer: Analyzer, examples: Sequence[Example], threshold: float | None = None,
                   n_boot: int = 500, direct_floor: float | None = None,
                   threshold_by_language: dict[str, float] | None = None) -> dict[str, Any]:
    """Figures overall and per language on labelled ``examples`` (thresholds and direct-form floor:
    the shipped defaults unless given)."""
    direct_floor = default_floor() if direct_floor is None else direct_floor
    ex = [e for e in examples if e.label in (0, 1)]
    if not ex:
        return {}
    analyses = analyzer.analyse_many([(e.title, e.body, e.lang) for e in ex])
    p = model.request_probability(analyses, direct_floor=direct_floor)
    y = np.array([e.label for e in ex])
    langs = np.array([a.lang for a in analyses])
    thr = thresholds_for(langs, threshold, threshold_by_language)
    return _figures(y, p, langs, thr, n_boot)


def _figures(y: np.ndarray, p: np.ndarray, langs: np.ndarray, thr: np.ndarray, n_boot: int) -> dict[str, Any]:
    """Figures of all posts and per language (each post at its own threshold)."""
    out: dict[str, Any] = {"all": evaluate_scores(y, p, thr, n_boot)}
    for lang in ("de", "en"):
        m = langs == lang
        if m.sum() and y[m].sum():
            out[lang] = evaluate_scores(y[m], p[m], thr[m], n_boot)
    return out


def german_test_cv(examples: Sequence[Example], analyzer: Analyzer, options: ModelOptions | None = None, folds: int = 4,
                   log=print) -> dict[str, Any]:
    """Out-of-fold figures on the hand-labelled German set (see module docstring)."""
    return source_cv(examples, analyzer, GERMAN_TEST, options, folds, log)


def source_cv(examples: Sequence[Example], analyzer: Analyzer, source: str, options: ModelOptions | None = None,
              folds: int = 4, log=print) -> dict[str, Any]:
    """Out-of-fold figures on one hand-labelled source: each of its posts is scored by a model
    trained on the training split of every other source plus the other folds of this one."""
    tr, _ev, _ = split([e for e in examples if e.source != source])  # (split drops TEST_SOURCES)
    base = cap(tr)
    test = [e for e in examples if e.source == source and e.label in (0, 1)]
    if not test:
        return {}
    fold_of = {e.id: int(hashlib.sha1(("cv" + e.id).encode()).hexdigest()[:8], 16) % folds for e in test}
    scores: dict[str, float] = {}
    for k in range(folds):
        model = train_on(base + [e for e in test if fold_of[e.id] != k], analyzer, options)
        held = [e for e in test if fold_of[e.id] == k]
        a = analyzer.analyse_many([(e.title, e.body, e.lang) for e in held])
        for e, p in zip(held, model.request_probability(a, direct_floor=default_floor())):
            scores[e.id] = float(p)
        log(f"  {source} fold {k + 1}/{folds} done")
    y = np.array([e.label for e in test])
    p = np.array([scores[e.id] for e in test])
    langs = np.array([a.lang for a in analyzer.analyse_many([(e.title, e.body, e.lang) for e in test])])
    return _figures(y, p, langs, thresholds_for(langs), 500)


def cross_source_report(examples: Sequence[Example], analyzer: Analyzer, folds: dict[str, Sequence[str]] | None = None,
                        options: ModelOptions | None = None, progress=None) -> dict[str, Any]:
    """Train without the named sources, test on them: does the model find requests in places it
    has never seen?"""
    folds = folds or {"de:germeval2017": ["germeval2017"], "en:hn": ["hn"], "en:techsupport": ["techsupport"],
                      "en:askreddit": ["askreddit"]}
    out = {}
    pool = [e for e in examples if e.source != GERMAN_TEST and e.source not in TEST_SOURCES]
    for name, held in folds.items():
        tr = cap([e for e in pool if e.source not in held])
        te = [e for e in examples if e.source in held and (e.hand or e.source != "hn")]
        if "hn" in held:  # the hand-labelled Ask HN titles plus 1,000 other titles as they come
            rest = [e for e in examples if e.source == "hn" and not e.hand]
            te += random.Random(5).sample(rest, min(1000, len(rest)))
        model = train_on(tr, analyzer, options)
        out[name] = evaluate_model(model, analyzer, te, n_boot=300)
        if progress:
            progress(name)
    return out


def build(out: Path, data_dir: str | None = None, options: ModelOptions | None = None, cross: bool = True,
          extra: Sequence[Example] = (), version: str | None = None, log=print) -> RequestModel:
    """Train the model on the training split, evaluate on the evaluation split, the German test
    set and cross-source folds, store all figures in the model, save it to ``out``."""
    t0 = time.time()
    examples = dataset.load_all(data_dir) + list(extra)
    train, ev, test = split(examples)
    analyzer = Analyzer()
    log(f"{len(train)} training, {len(ev)} evaluation, {len(test)} test examples")
    model = train_on(cap(train), analyzer, options, progress=lambda s: log(f"  {s} ({time.time() - t0:.0f}s)"))
    model.version = version or time.strftime("%Y-%m-%dT%H-%M-%S", time.gmtime())
    model.metrics = {"evaluation": evaluate_model(model, analyzer, ev),
                     "german_test": german_test_cv(examples, analyzer, options, log=log)}
    if (polls := source_cv(examples, analyzer, CV_SOURCE, options, log=log)):
        model.metrics["askreddit_cv"] = polls
    if test:
        model.metrics["held_out"] = evaluate_model(model, analyzer, test)
    if cross:
        model.metrics["cross_source"] = cross_source_report(examples, analyzer, options=options,
                                                            progress=lambda s: log(f"  cross-source {s} done"))
    save_model(model, out)
    log(f"saved {out} ({out.stat().st_size / 1e6:.1f} MB) in {time.time() - t0:.0f}s")
    return model


def summary(metrics: dict[str, Any]) -> str:
    lines = []
    for block, figs in metrics.items():
        if block == "cross_source":
            for fold, f in figs.items():
                lines += _fig_lines(f"cross-source {fold}", f)
        else:
            lines += _fig_lines(block, figs)
    return "\n".join(lines)


def _fig_lines(name: str, figs: dict) -> list[str]:
    out = []
    for lang, m in figs.items():
        if not m:
            continue
        out.append(f"{name:28s} {lang:3s} n={m['n']:5d} pos={m['positives']:4d} P={m['precision']:.2f} R={m['recall']:.2f} "
                   f"F1={m['f1']:.2f} [{m['ci'].get('f1', (0, 0))[0]:.2f}-{m['ci'].get('f1', (0, 0))[1]:.2f}] "
                   f"PR-AUC={m['pr_auc']:.2f} P@10={m['p@10']:.2f} P@25={m['p@25']:.2f} P@50={m['p@50']:.2f}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(Path(__file__).parent / "model" / "request_model.joblib"))
    ap.add_argument("--data", default=None, help="shared data folder (default ../shared/data)")
    ap.add_argument("--no-cross", action="store_true", help="skip the cross-source folds")
    ap.add_argument("--version", default="bundled-7")
    args = ap.parse_args(argv)
    if not dataset.available(args.data):
        print(f"shared data not found in {dataset.posts_dir(args.data)}", file=sys.stderr)
        return 1
    model = build(Path(args.out), args.data, cross=not args.no_cross, version=args.version)
    print(summary(model.metrics))
    Path(args.out).with_suffix(".metrics.json").write_text(json.dumps(model.metrics, indent=1, default=float) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
