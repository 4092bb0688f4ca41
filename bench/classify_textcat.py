"""Alternative classifier: a spaCy ``textcat`` against the shipped TF-IDF + pattern-feature logistic
regression, on the same data and the same held-out sets (issue 5).

- Training data: ``train.cap(train.split(dataset.load_all())[0])``, same labels, the same normalised
  text as the shipped analyser (``text.join_title_body``: NFKC, links, handles, at most 1,000
  characters) and the same language rule (the source's language, else the function-word guess).
- The shipped model weights every (language, label) cell equally and every source by the square root
  of its size inside a cell (``model.sample_weights``). spaCy's ``nlp.update`` takes no sample
  weights, so each epoch draws its examples with replacement in proportion to those weights
  (variant suffix ``-w``; without it textcat trains on the capped data as it is).
- Calibration: like the shipped model's Platt sigmoid on out-of-fold scores, but with
  ``--calib-folds`` folds (default 2; the German set's fold models reuse the main model's sigmoid) on the logit of textcat's REQUEST score, so that the config's
  threshold means the same for both models; the raw textcat score is reported as well.
- Held-out figures: the evaluation split (one post in five of every source, by hash) per language as
  ``train.evaluate_model`` groups it, the same split grouped by source as in bench/README.md's table,
  and the German hand-labelled set cross-validated exactly as ``train.german_test_cv`` (4 folds).
- Speed: request probability of 5,000 real posts (CPU seconds of this process) and load time of the
  trained pipeline in a new process, against the bundled model's analyser + request model.

Nothing is written into the repository: trained pipelines go to a temporary folder.

Run: OMP_NUM_THREADS=1 .venv/bin/python bench/classify_textcat.py [--variants bow-xx,bow-xx-w,ens-xx] [--epochs 3]
(~11 minutes of CPU with the defaults, of which the ensemble is ~6.5)
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from radar.classify import dataset, train  # noqa: E402
from radar.classify.dataset import Example  # noqa: E402
from radar.classify.metrics import evaluate_scores, point_metrics  # noqa: E402
from radar.classify.model import sample_weights  # noqa: E402
from radar.classify.text import detect_language, join_title_body  # noqa: E402

LABELS = ("REQUEST", "OTHER")

BOW = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 2,
       "no_output_layer": False, "length": 262144}


def _tok2vec(width: int = 64) -> dict:
    return {"@architectures": "spacy.Tok2Vec.v2",
            "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": width,
                      "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": [5000, 1000, 2500, 500],
                      "include_static_vectors": False},
            "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": width, "window_size": 1,
                       "maxout_pieces": 3, "depth": 2}}


ARCHS = {
    "bow": BOW,
    # bag of words + a small CNN tok2vec (no pretrained vectors exist here), attention-pooled
    "ens": {"@architectures": "spacy.TextCatEnsemble.v2", "linear_model": BOW, "tok2vec": _tok2vec()},
    # the successor of TextCatCNN: tok2vec, mean+max pooled, softmax
    "cnn": {"@architectures": "spacy.TextCatReduce.v1", "exclusive_classes": True, "tok2vec": _tok2vec(),
            "use_reduce_first": False, "use_reduce_last": False, "use_reduce_max": True, "use_reduce_mean": True},
}
VARIANT_HELP = ("ARCH-LAYOUT[-w]: ARCH bow, ens or cnn; LAYOUT xx (one multilingual pipeline) or lang (one per "
                "language); -w: resample by the shipped model's sample weights (else the data as it is)")


def parse_variant(name: str) -> tuple[str, str, str]:
    parts = name.split("-")
    if len(parts) not in (2, 3) or parts[0] not in ARCHS or parts[1] not in ("xx", "lang") or parts[2:] not in ([], ["w"]):
        raise SystemExit(f"bad variant {name!r}: {VARIANT_HELP}")
    return parts[0], parts[1], "weighted" if parts[2:] else "natural"


# --------------------------------------------------------------------------- text as the analyser sees it
def prepared(title: str | None, body: str | None, lang: str | None) -> tuple[str, str]:
    """``(normalised text, language)`` with the rule of ``Analyzer.analyse_many``."""
    _t, _b, text = join_title_body(title, body)
    lang = lang if lang in ("de", "en", "other") else detect_language(text)
    return text, lang


def _nonempty(text: str) -> str:
    """spaCy's n-gram extraction fails on a document without tokens (thinc ``ngrams`` on an empty
    array): an empty post becomes one placeholder token."""
    return text if text.strip() else "EMPTY"


def pipe_lang(lang: str) -> str:
    return lang if lang in ("de", "en") else "en"  # the analyser's rule for "other"


# --------------------------------------------------------------------------- the textcat model
class TextcatModel:
    """One blank ``xx`` pipeline, or one blank pipeline per language, each with a ``textcat``; an
    optional Platt sigmoid on the logit of the REQUEST score."""

    def __init__(self, arch: str, layout: str) -> None:
        self.arch, self.layout = arch, layout
        self.nlp: dict[str, object] = {}
        self.platt: tuple[float, float] | None = None

    def _key(self, lang: str) -> str:
        return "xx" if self.layout == "xx" else pipe_lang(lang)

    def _new(self, key: str):
        import spacy

        nlp = spacy.blank(key)
        tc = nlp.add_pipe("textcat", config={"model": ARCHS[self.arch]})
        for label in LABELS:
            tc.add_label(label)
        return nlp

    def fit(self, texts: Sequence[str], langs: Sequence[str], y: Sequence[int], weights: np.ndarray | None,
            epochs: int, seed: int = 0, batch: int = 32, drop: float = 0.1) -> TextcatModel:
        from spacy.training import Example as SpExample
        from spacy.util import fix_random_seed, minibatch

        keys = [self._key(lang) for lang in langs]
        for key in sorted(set(keys)):
            fix_random_seed(seed)
            nlp = self._new(key)
            idx = [i for i, k in enumerate(keys) if k == key]
            docs = list(nlp.tokenizer.pipe(_nonempty(texts[i]) for i in idx))
            exs = [SpExample.from_dict(d, {"cats": {"REQUEST": float(y[i]), "OTHER": float(1 - y[i])}})
                   for d, i in zip(docs, idx)]
            rng = np.random.default_rng(seed)
            init = [exs[j] for j in rng.permutation(len(exs))[:1000]]
            optimizer = nlp.initialize(get_examples=lambda init=init: init)
            p = None
            if weights is not None:
                w = np.asarray([weights[i] for i in idx], dtype=float)
                p = w / w.sum()
            for _epoch in range(epochs):
                order = rng.choice(len(exs), size=len(exs), replace=True, p=p) if p is not None else rng.permutation(len(exs))
                losses: dict[str, float] = {}
                for mb in minibatch([exs[j] for j in order], size=batch):
                    nlp.update(mb, sgd=optimizer, drop=drop, losses=losses)
            self.nlp[key] = nlp
        return self

    def raw_scores(self, texts: Sequence[str], langs: Sequence[str], batch_size: int = 256) -> np.ndarray:
        out = np.zeros(len(texts))
        keys = [self._key(lang) for lang in langs]
        for key, nlp in self.nlp.items():
            idx = [i for i, k in enumerate(keys) if k == key]
            for i, doc in zip(idx, nlp.pipe((_nonempty(texts[i]) for i in idx), batch_size=batch_size)):
                out[i] = doc.cats["REQUEST"]
        return out

    def probability(self, texts: Sequence[str], langs: Sequence[str]) -> np.ndarray:
        s = self.raw_scores(texts, langs)
        if self.platt is None:
            return s
        a, b = self.platt
        return 1.0 / (1.0 + np.exp(-(a * _logit(s) + b)))

    def to_disk(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        for key, nlp in self.nlp.items():
            nlp.to_disk(path / key)


def _logit(s: np.ndarray) -> np.ndarray:
    s = np.clip(s, 1e-6, 1 - 1e-6)
    return np.log(s / (1 - s))


def train_textcat(examples: Sequence[Example], arch: str, layout: str, epochs: int, weighting: str,
                  calib_folds: int, seed: int = 0) -> TextcatModel:
    """Train on ``examples`` (labels 0/1); with ``calib_folds`` ≥ 2 the Platt sigmoid is fitted
    on out-of-fold scores of that many extra models (unweighted, as the shipped model's)."""
    ex = [e for e in examples if e.label in (0, 1)]
    prep = [prepared(e.title, e.body, e.lang) for e in ex]
    texts, langs = [t for t, _ in prep], [lang for _, lang in prep]
    y = np.array([e.label for e in ex])
    w = sample_weights(y, [e.source for e in ex], [pipe_lang(lang) for lang in langs]) if weighting == "weighted" else None
    model = TextcatModel(arch, layout).fit(texts, langs, y, w, epochs, seed)
    if calib_folds >= 2:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold

        oof = np.zeros(len(ex))
        for tr, te in StratifiedKFold(calib_folds, shuffle=True, random_state=7).split(np.zeros(len(y)), y):
            m = TextcatModel(arch, layout).fit([texts[i] for i in tr], [langs[i] for i in tr], y[tr],
                                               None if w is None else w[tr], epochs, seed)
            oof[te] = m.raw_scores([texts[i] for i in te], [langs[i] for i in te])
        cal = LogisticRegression(C=1e4, max_iter=1000).fit(_logit(oof).reshape(-1, 1), y)
        model.platt = (float(cal.coef_[0, 0]), float(cal.intercept_[0]))
    return model


# --------------------------------------------------------------------------- figures
def best_f1(y: np.ndarray, p: np.ndarray) -> tuple[float, float, float, float]:
    """``(threshold, precision, recall, F1)`` at the threshold with the best F1 (chosen on the
    test set itself: an upper bound, not a figure a deployment gets)."""
    best = (0.5, 0.0, 0.0, 0.0)
    for t in np.unique(np.round(p, 4)):
        m = point_metrics(y, p, float(t))
        if m["f1"] > best[3]:
            best = (float(t), m["precision"], m["recall"], m["f1"])
    return best


def figures(y: np.ndarray, p: np.ndarray, groups: dict[str, np.ndarray], thr: float) -> dict[str, dict]:
    out = {}
    for name, m in groups.items():
        if m.sum() and y[m].sum():
            f = evaluate_scores(y[m], p[m], thr, 500)
            f["best"] = best_f1(y[m], p[m])
            out[name] = f
    return out


def fmt(name: str, f: dict) -> str:
    lo, hi = f["ci"].get("f1", (0, 0))
    bt, bp, br, bf = f["best"]
    return (f"  {name:34s} n={f['n']:5d} pos={f['positives']:4d}  P={f['precision']:.2f} R={f['recall']:.2f} "
            f"F1={f['f1']:.2f} [{lo:.2f}-{hi:.2f}]  PR-AUC={f['pr_auc']:.2f} P@25={f['p@25']:.2f}  "
            f"best F1 {bf:.2f} at {bt:.2f} (P={bp:.2f} R={br:.2f})")


def eval_groups(ev: Sequence[Example], langs: Sequence[str]) -> dict[str, np.ndarray]:
    """The evaluation split grouped as ``train.evaluate_model`` does (all, de, en by the analyser's
    language) and as bench/README.md's table does (by source, without the hand-labelled German set)."""
    langs_a = np.array(langs)
    src = np.array([e.source for e in ev])
    de_src = ["germeval2017", "germeval2018", "germeval2021", "hotel", "computer_forum"]
    en_src = ["techsupport", "softwarerecs", "hn"]
    return {"all": np.ones(len(ev), bool), "de": langs_a == "de", "en": langs_a == "en",
            "de sources (README table)": np.isin(src, de_src), "en sources (README table)": np.isin(src, en_src)}


def german_cv_textcat(examples: Sequence[Example], arch: str, layout: str, epochs: int, weighting: str,
                      platt: tuple[float, float] | None, folds: int = 4) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Out-of-fold scores on the hand-labelled German set, folds and training data exactly as in
    ``train.german_test_cv``. To save CPU the fold models are not calibrated again: they use the
    main model's sigmoid ``platt`` (their training data differs from it only by the German set's
    evaluation fifth and one quarter of the set)."""
    tr, _ev, _ = train.split([e for e in examples if e.source != train.GERMAN_TEST])
    base = train.cap(tr)
    test = [e for e in examples if e.source == train.GERMAN_TEST and e.label in (0, 1)]
    fold_of = {e.id: int(hashlib.sha1(("cv" + e.id).encode()).hexdigest()[:8], 16) % folds for e in test}
    scores: dict[str, float] = {}
    for k in range(folds):
        model = train_textcat(base + [e for e in test if fold_of[e.id] != k], arch, layout, epochs, weighting, 0)
        model.platt = platt
        held = [e for e in test if fold_of[e.id] == k]
        prep = [prepared(e.title, e.body, e.lang) for e in held]
        for e, p in zip(held, model.probability([t for t, _ in prep], [lang for _, lang in prep])):
            scores[e.id] = float(p)
    y = np.array([e.label for e in test])
    p = np.array([scores[e.id] for e in test])
    langs = [prepared(e.title, e.body, e.lang)[1] for e in test]
    return y, p, langs


def german_cv_shipped(examples: Sequence[Example]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The same out-of-fold scores for the shipped model (``train.german_test_cv``'s loop, kept here
    to get the scores, not only the figures)."""
    from radar.classify.analysis import Analyzer

    analyzer = Analyzer()
    tr, _ev, _ = train.split([e for e in examples if e.source != train.GERMAN_TEST])
    base = train.cap(tr)
    test = [e for e in examples if e.source == train.GERMAN_TEST and e.label in (0, 1)]
    fold_of = {e.id: int(hashlib.sha1(("cv" + e.id).encode()).hexdigest()[:8], 16) % 4 for e in test}
    scores: dict[str, float] = {}
    for k in range(4):
        model = train.train_on(base + [e for e in test if fold_of[e.id] != k], analyzer)
        held = [e for e in test if fold_of[e.id] == k]
        a = analyzer.analyse_many([(e.title, e.body, e.lang) for e in held])
        for e, p in zip(held, model.probability(model.matrix(a))):
            scores[e.id] = float(p)
    y = np.array([e.label for e in test])
    p = np.array([scores[e.id] for e in test])
    langs = [a.lang for a in analyzer.analyse_many([(e.title, e.body, e.lang) for e in test])]
    return y, p, langs


# --------------------------------------------------------------------------- speed
def real_posts(n: int) -> list[tuple[str, str]]:
    """The mix of bench/classify.py: every file of ../shared/data/posts, shuffled with seed 1."""
    rows = []
    for fname in dataset.POST_FILES.values():
        with open(dataset.posts_dir() / fname, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    r = json.loads(line)
                    rows.append((r.get("title") or "", r.get("body") or r.get("text") or ""))
    random.Random(1).shuffle(rows)
    return (rows * (n // len(rows) + 1))[:n]


def throughput(fn, items) -> tuple[float, float]:
    fn(items[:500])  # warm up
    c0, w0 = time.process_time(), time.perf_counter()
    fn(items)
    return len(items) / (time.process_time() - c0), len(items) / (time.perf_counter() - w0)


def cold_load(code: str, runs: int = 3) -> list[float]:
    """Seconds printed by ``code`` in a new process, ``runs`` times."""
    out = []
    for _ in range(runs):
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
        out.append([float(x) for x in r.stdout.split()])
    return out


def du(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variants", default="bow-xx,bow-xx-w,ens-xx", help="comma-separated " + VARIANT_HELP)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--calib-folds", type=int, default=2, help="folds for the Platt sigmoid (0: raw scores)")
    ap.add_argument("--no-german-cv", action="store_true", help="skip the German set's cross-validation")
    ap.add_argument("--no-shipped-cv", action="store_true",
                    help="skip retraining the shipped model for the German set (its figures are then not printed)")
    ap.add_argument("--posts", type=int, default=5000, help="real posts for the throughput")
    args = ap.parse_args(argv)
    if not dataset.available():
        print(f"shared data not found in {dataset.posts_dir()}", file=sys.stderr)
        return 1
    c_start, w_start = time.process_time(), time.perf_counter()
    thr = train.default_threshold()
    examples = dataset.load_all()
    tr, ev, _ = train.split(examples)
    tr_cap = train.cap(tr)
    ev = [e for e in ev if e.label in (0, 1)]
    ev_prep = [prepared(e.title, e.body, e.lang) for e in ev]
    ev_texts, ev_langs = [t for t, _ in ev_prep], [lang for _, lang in ev_prep]
    y_ev = np.array([e.label for e in ev])
    groups = eval_groups(ev, ev_langs)
    print(f"training examples (capped): {len(tr_cap)} ({sum(e.label for e in tr_cap)} requests); evaluation split: "
          f"{len(ev)}; threshold {thr}; textcat epochs {args.epochs}, calibration folds {args.calib_folds}")
    items = real_posts(args.posts)
    results: dict[str, dict] = {}

    # ---- the shipped model: the bundled file as it ships, and its recipe retrained on this data
    from radar.classify import Classifier

    clf = Classifier.load("bundled")
    analyzer, model = clf.analyzer, clf.model
    a = analyzer.analyse_many([(e.title, e.body, e.lang) for e in ev])
    assert [x.lang for x in a] == ev_langs, "language rule differs from the analyser's"
    print(f"== shipped recipe retrained on this training data (train.train_on(train.cap(train_split)))")
    c0 = time.process_time()
    retrained = train.train_on(tr_cap, analyzer)
    res = {"train_cpu_s": time.process_time() - c0,
           "evaluation": figures(y_ev, retrained.probability(retrained.matrix(a)), groups, thr)}
    print(f"  trained in {res['train_cpu_s']:.0f} s CPU (incl. 5 calibration folds and the intent model)")
    for name, f in res["evaluation"].items():
        print(fmt(f"evaluation {name}", f))
    if not args.no_german_cv and not args.no_shipped_cv:
        c0 = time.process_time()
        y, p, langs = german_cv_shipped(examples)
        res["german_cv"] = figures(y, p, {"all": np.ones(len(y), bool), "de": np.array(langs) == "de"}, thr)
        for name, f in res["german_cv"].items():
            print(fmt(f"German set 4-fold CV {name}", f))
        print(f"  (German CV: {time.process_time() - c0:.0f} s CPU)")
    results["shipped, retrained"] = res
    del retrained

    print(f"== shipped: bundled model file {model.version} (TF-IDF + patterns, calibrated logistic regression; "
          f"trained on {model.training.get('examples')} examples)")
    res = {"evaluation": figures(y_ev, model.probability(model.matrix(a)), groups, thr)}
    for name, f in res["evaluation"].items():
        print(fmt(f"evaluation {name}", f))
    res["posts_per_cpu_s"], res["posts_per_wall_s"] = throughput(
        lambda xs: model.probability(model.matrix(analyzer.analyse_many([(t, b, None) for t, b in xs]))), items)
    loads = cold_load("import time; t=time.perf_counter(); from radar.classify import Classifier; i=time.perf_counter(); "
                      "Classifier.load('bundled'); e=time.perf_counter(); print(i-t, e-i)")
    res["import_s"] = float(np.median([x[0] for x in loads]))
    res["load_s"] = float(np.median([x[1] for x in loads]))
    res["size_mb"] = du(ROOT / "radar/classify/model")
    print(f"  request probability: {res['posts_per_cpu_s']:,.0f} posts per CPU second ({res['posts_per_wall_s']:,.0f}/s wall) "
          f"on {len(items)} real posts; new process: import {res['import_s']:.2f} s + load {res['load_s']:.2f} s "
          f"(median of 3); model folder {res['size_mb']:.1f} MB")
    results["shipped, bundled file"] = res
    del clf, analyzer, model

    # ---- textcat variants
    tmp = Path(tempfile.mkdtemp(prefix="textcat-"))
    try:
        for name in args.variants.split(","):
            arch, layout, weighting = parse_variant(name)
            pipes = 'one spacy.blank("xx") pipeline' if layout == "xx" else 'spacy.blank("de") + spacy.blank("en")'
            print(f"== textcat {name}: {ARCHS[arch]['@architectures']}, {pipes}, {weighting}")
            c0, w0 = time.process_time(), time.perf_counter()
            tc = train_textcat(tr_cap, arch, layout, args.epochs, weighting, args.calib_folds)
            res = {"train_cpu_s": time.process_time() - c0, "platt": tc.platt}
            print(f"  trained in {res['train_cpu_s']:.0f} s CPU ({time.perf_counter() - w0:.0f} s wall), "
                  f"incl. {args.calib_folds} calibration models; Platt {tc.platt}")
            raw = tc.raw_scores(ev_texts, ev_langs)
            p_tc = tc.probability(ev_texts, ev_langs)
            res["evaluation"] = figures(y_ev, p_tc, groups, thr)
            res["evaluation_raw"] = figures(y_ev, raw, groups, thr)
            for g, f in res["evaluation"].items():
                print(fmt(f"evaluation {g}", f))
            for g in ("de", "en"):
                if g in res["evaluation_raw"]:
                    print(fmt(f"evaluation {g}, raw textcat score", res["evaluation_raw"][g]))
            if not args.no_german_cv:
                c0 = time.process_time()
                y, p, langs = german_cv_textcat(examples, arch, layout, args.epochs, weighting, tc.platt)
                res["german_cv"] = figures(y, p, {"all": np.ones(len(y), bool), "de": np.array(langs) == "de"}, thr)
                for g, f in res["german_cv"].items():
                    print(fmt(f"German set 4-fold CV {g}", f))
                print(f"  (German CV: {time.process_time() - c0:.0f} s CPU)")

            def request_probability(xs, tc=tc):
                prep = [prepared(t, b, None) for t, b in xs]
                return tc.probability([t for t, _ in prep], [lang for _, lang in prep])

            res["posts_per_cpu_s"], res["posts_per_wall_s"] = throughput(request_probability, items)
            out = tmp / name
            tc.to_disk(out)
            keys = sorted(tc.nlp)
            loads = cold_load("import time; t=time.perf_counter(); import spacy; from radar.classify import text; "
                              "i=time.perf_counter(); " + "; ".join(f"spacy.load({str(out / k)!r})" for k in keys)
                              + "; e=time.perf_counter(); print(i-t, e-i)")
            res["import_s"] = float(np.median([x[0] for x in loads]))
            res["load_s"] = float(np.median([x[1] for x in loads]))
            res["size_mb"] = du(out)
            print(f"  request probability: {res['posts_per_cpu_s']:,.0f} posts per CPU second ({res['posts_per_wall_s']:,.0f}/s wall) "
                  f"on {len(items)} real posts; new process: import {res['import_s']:.2f} s + spacy.load {res['load_s']:.2f} s "
                  f"(median of 3); pipeline folder {res['size_mb']:.1f} MB")
            results[name] = res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # ---- side by side
    print("== side by side (threshold %.2f; F1 with 95%% bootstrap interval)" % thr)
    rows = [("evaluation", "de"), ("evaluation", "en"), ("german_cv", "de"), ("german_cv", "all")]
    head = f"  {'':28s}" + "".join(f"{n:>26s}" for n in results)
    print(head)
    for block, g in rows:
        for key, label in (("f1", "F1"), ("precision", "P"), ("recall", "R"), ("pr_auc", "PR-AUC"), ("p@25", "P@25"), ("best", "best F1 @thr")):
            cells = []
            for r in results.values():
                f = r.get(block, {}).get(g)
                if not f:
                    cells.append(f"{'-':>26s}")
                elif key == "best":
                    cells.append(f"{f['best'][3]:.2f} @ {f['best'][0]:.2f}".rjust(26))
                elif key == "f1":
                    lo, hi = f["ci"].get("f1", (0, 0))
                    cells.append(f"{f['f1']:.2f} [{lo:.2f}-{hi:.2f}]".rjust(26))
                else:
                    cells.append(f"{f[key]:.2f}".rjust(26))
            print(f"  {block + ' ' + g + ' ' + label:28s}" + "".join(cells))
    for key, label in (("posts_per_cpu_s", "posts / CPU s"), ("import_s", "import s (new process)"), ("load_s", "load s"), ("size_mb", "size MB")):
        print(f"  {label:28s}" + "".join(f"{r[key]:26,.2f}" if key in r else f"{'-':>26s}" for r in results.values()))
    print(f"total: {time.process_time() - c_start:.0f} s CPU, {time.perf_counter() - w_start:.0f} s wall; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
