"""Evaluation figures: precision, recall, F1, PR-AUC, precision@k, with 95% bootstrap intervals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _prf(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    tp = float(np.sum((pred == 1) & (y == 1)))
    fp = float(np.sum((pred == 1) & (y == 0)))
    fn = float(np.sum((pred == 0) & (y == 1)))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def average_precision(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the precision/recall curve (step-wise, as scikit-learn's average precision)."""
    n_pos = int(np.sum(y == 1))
    if n_pos == 0:
        return float("nan")
    order = np.argsort(-score, kind="mergesort")
    ys, ss = y[order], score[order]
    tp = np.cumsum(ys == 1)
    # evaluate only at distinct thresholds, so tied scores (e.g. a 0/1 keyword alert) count together
    last = np.r_[np.nonzero(np.diff(ss))[0], len(ss) - 1]
    tp_t = tp[last]
    prec = tp_t / (last + 1)
    rec = tp_t / n_pos
    return float(np.sum(np.diff(np.r_[0.0, rec]) * prec))


def precision_at(y: np.ndarray, score: np.ndarray, k: int) -> float:
    if len(y) == 0:
        return float("nan")
    order = np.argsort(-score, kind="mergesort")[:k]
    return float(np.mean(y[order] == 1))


Threshold = float | Sequence[float] | np.ndarray
"""One threshold for all posts, or one per post (the per-language thresholds of the settings)."""


def point_metrics(y: Sequence[int], score: Sequence[float], threshold: Threshold = 0.5) -> dict[str, float]:
    y = np.asarray(y, dtype=int)
    s = np.asarray(score, dtype=float)
    pred = (s >= np.asarray(threshold, dtype=float)).astype(int)
    p, r, f = _prf(y, pred)
    return {"precision": p, "recall": r, "f1": f, "pr_auc": average_precision(y, s),
            "p@10": precision_at(y, s, 10), "p@25": precision_at(y, s, 25), "p@50": precision_at(y, s, 50)}


def bootstrap_ci(y: Sequence[int], score: Sequence[float], threshold: Threshold = 0.5, n: int = 1000,
                 seed: int = 7) -> dict[str, tuple[float, float]]:
    """95% percentile intervals of :func:`point_metrics` over ``n`` bootstrap resamples."""
    y = np.asarray(y, dtype=int)
    s = np.asarray(score, dtype=float)
    t = np.asarray(threshold, dtype=float)
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {}
    if len(y) == 0:
        return {}
    for _ in range(n):
        idx = rng.integers(0, len(y), len(y))
        m = point_metrics(y[idx], s[idx], t[idx] if t.ndim else t)
        for k, v in m.items():
            if not np.isnan(v):
                draws.setdefault(k, []).append(v)
    return {k: (float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))) for k, v in draws.items()}


def evaluate_scores(y: Sequence[int], score: Sequence[float], threshold: Threshold = 0.5, n_boot: int = 1000) -> dict:
    """Point figures plus ``ci`` (95% bootstrap intervals) and counts."""
    m = point_metrics(y, score, threshold)
    m["ci"] = bootstrap_ci(y, score, threshold, n_boot) if n_boot else {}
    m["n"] = len(y)
    m["positives"] = int(np.sum(np.asarray(y) == 1))
    return m
