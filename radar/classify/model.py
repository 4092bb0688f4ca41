"""The learned part: is a post a help request (calibrated probability) and which intent.

Features: TF-IDF word uni/bigrams of lemmas and character n-grams (both restricted to terms that
occur in at least two *sources* of the training data, so that the model cannot learn a source's
vocabulary), plus the request-pattern features of :mod:`radar.classify.analysis`. A logistic
regression scores them; a Platt sigmoid fitted on out-of-fold scores calibrates the probability.
Intent: a multinomial logistic regression on the same features, trained on help requests only,
combined with the phrase rules at prediction time (see :mod:`radar.classify.classifier`).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, filterfalse, repeat
from pathlib import Path
from typing import Any

import numpy as np

from radar.classify.analysis import Analysis, feature_names

INTENT_CLASSES = ("recommendation", "supplier", "support", "experience", "comparison")
BUNDLE_FORMAT = 1


@dataclass
class ModelOptions:
    """Knobs of :func:`fit_model`; the defaults are what the shipped model uses."""

    words: bool = True
    chars: bool = True
    patterns: bool = True
    min_sources: int = 2
    C: float = 1.0
    max_word_features: int = 15000
    max_char_features: int = 20000
    char_chars: int = 300
    word_weight: float = 1.0
    char_weight: float = 1.0
    pattern_weight: float = 1.0
    # a text with fewer distinct word n-grams than this has its TF-IDF rows scaled by
    # sqrt(n / short_words): the l2 norm gives a one-word post ("hallo", "i") the full weight of
    # its word, as if the word were all a long post says (0: off, as in models before bundled-7;
    # bench/README "bundled-7")
    short_words: int = 6

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_WHITE_SPACES = re.compile(r"\s\s+")
_is_not_none = functools.partial(operator.is_not, None)
_TOKEN = re.compile(r"(?u)\b\w+\b")


class CompactTfidf:
    """The inference half of a fitted scikit-learn ``TfidfVectorizer`` (word uni/bigrams with
    ``token_pattern=r"(?u)\\b\\w+\\b"`` or ``char_wb`` n-grams; ``lowercase=False``,
    ``sublinear_tf=True``, l2 norm) as a plain vocabulary dict and an idf array.

    Loading it needs neither scikit-learn nor its import time (seconds), and the bundle stays
    small. :func:`fit_model` fits with scikit-learn and stores this form; the transform gives the
    same matrix (checked in tests/test_classify.py)."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, analyzer: str, ngram_range: tuple[int, int]):
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float32)
        self.analyzer = analyzer
        self.ngram_range = tuple(ngram_range)

    @classmethod
    def from_sklearn(cls, vec) -> "CompactTfidf":
        if vec.lowercase or not vec.sublinear_tf or vec.norm != "l2" or vec.analyzer not in ("word", "char_wb") \
                or vec.preprocessor is not None or vec.tokenizer is not None or vec.stop_words is not None \
                or (vec.analyzer == "word" and vec.token_pattern != _TOKEN.pattern):
            raise ValueError("CompactTfidf supports only the vectorizer settings fit_model uses")
        vocab = {str(k): int(v) for k, v in vec.vocabulary_.items()}
        return cls(vocab, vec.idf_, vec.analyzer, vec.ngram_range)

    def __len__(self) -> int:
        return len(self.idf)

    def _ngrams(self, text: str) -> list[str]:
        lo, hi = self.ngram_range
        if self.analyzer == "word":
            tokens = _TOKEN.findall(text)
            grams = list(tokens) if lo == 1 else []
            n_tok = len(tokens)
            for n in range(max(lo, 2), min(hi, n_tok) + 1):
                grams += [" ".join(tokens[i:i + n]) for i in range(n_tok - n + 1)]
            return grams
        grams = []
        for w in _WHITE_SPACES.sub(" ", text).split():
            w = f" {w} "
            w_len = len(w)
            for n in range(lo, hi + 1):
                if w_len <= n:  # a short word counts once
                    grams.append(w[:n])
                    break
                grams += [w[i:i + n] for i in range(w_len - n + 1)]
        return grams

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_cache", None)  # the per-word cache is rebuilt at run time
        state.pop("_by_tokens", None)  # so is the n-gram lookup by token tuple
        state.pop("_slices", None)  # and the n-gram slices per word length
        state.pop("_gram_keys", None)  # and the n-gram keys of the vocabulary (see _learn_words)
        return state

    def _char_ids(self, text: str) -> list[int]:
        """Vocabulary ids of the ``char_wb`` n-grams of ``text`` (see :meth:`_char_id_tuples`)."""
        return [j for t in self._char_id_tuples(text) for j in t]

    def _char_id_tuples(self, text: str) -> list[tuple[int, ...]]:
        """Vocabulary ids of the ``char_wb`` n-grams of each word of ``text``. They are n-grams
        of single words, so each distinct word is analysed once and its ids are cached."""
        cache = self.__dict__.get("_cache")
        if cache is None or len(cache) > 200_000:
            cache = self.__dict__["_cache"] = {}
        words = text.split()
        try:
            return [cache[w] for w in words]
        except KeyError:
            pass
        out = []
        for w in words:
            t = cache.get(w)
            if t is None:
                t = cache[w] = self._word_ids_of(w)
            out.append(t)
        return out

    def _word_ids_of(self, w: str) -> tuple[int, ...]:
        """Vocabulary ids of the ``char_wb`` n-grams of one word."""
        slices = self.__dict__.get("_slices")
        if slices is None:
            slices = self.__dict__["_slices"] = {}
        padded = f" {w} "
        sl = slices.get(len(padded))
        if sl is None:
            sl = slices[len(padded)] = self._gram_slices(len(padded))
        # cutting the n-grams, looking them up and dropping unknown ones all run in C
        # (map/filter over slice objects instead of a comprehension per n)
        return tuple(filter(_is_not_none, map(self.vocabulary.get, map(padded.__getitem__, sl))))

    def _char_tuples_many(self, texts: Sequence[str]) -> list[list[tuple[int, ...]]]:
        """:meth:`_char_id_tuples` of each text; the words not seen before are analysed
        together (:meth:`_learn_words`)."""
        cache = self.__dict__.get("_cache")
        if cache is None or len(cache) > 200_000:
            cache = self.__dict__["_cache"] = {}
        splits = [t.split() for t in texts]
        new = set(filterfalse(cache.__contains__, chain.from_iterable(splits)))
        if new:
            self._learn_words(sorted(new))  # sorted: the same batch gives the same cache in every run
        get = cache.__getitem__
        return [list(map(get, words)) for words in splits]

    def _gram_table(self):
        """The vocabulary's n-grams as integer keys for :meth:`_learn_words`, built on first use:
        (sorted code points of their characters, keys sorted, the ids in the keys' order, bits
        per character); None if they do not fit in 62 bits."""
        got = self.__dict__.get("_gram_keys")
        if got is None:
            chars = sorted(set("".join(self.vocabulary)))
            bits = (len(chars) + 1).bit_length()
            lo, hi = self.ngram_range
            got = False
            if self.analyzer == "char_wb" and hi * bits + hi.bit_length() <= 62 and lo >= 1:
                code = {c: j + 1 for j, c in enumerate(chars)}  # 0: a character no n-gram has
                keys = np.empty(len(self.vocabulary), dtype=np.int64)
                ids = np.empty(len(self.vocabulary), dtype=np.int64)
                for j, (gram, i) in enumerate(self.vocabulary.items()):
                    g = 0
                    for c in gram:
                        g = (g << bits) | code[c]
                    keys[j], ids[j] = g | (len(gram) << (hi * bits)), i
                order = np.argsort(keys, kind="stable")
                got = (np.array([ord(c) for c in chars], dtype=np.int64), keys[order], ids[order], bits)
            self.__dict__["_gram_keys"] = got
        return got or None

    def _learn_words(self, words: list[str]) -> None:
        """Cache the ``char_wb`` n-gram ids of ``words`` (as :meth:`_char_id_tuples` does one by
        one), all words at once with numpy: each n-gram becomes an integer key (its length and
        its characters' codes) that is looked up in the vocabulary's sorted keys, so no string
        is cut per n-gram (slicing and hashing ~20 strings cost ~5 µs a word). The n-grams of a
        padded word ``" w "`` are all its substrings of ``lo``..``min(hi, len)`` characters, as
        :meth:`_ngrams` cuts them (a word shorter than ``n`` counts once, whole, and ends the
        loop); each word's ids come in the same order (by n, then position)."""
        cache = self.__dict__["_cache"]
        codes = self._gram_table()
        if codes is None:
            for w in words:
                cache[w] = self._word_ids_of(w)
            return
        chars, vkeys, vids, bits = codes
        lo, hi = self.ngram_range
        padded = "".join([f" {w} " for w in words])
        cp = np.frombuffer(padded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
        pos = np.searchsorted(chars, cp)
        pos[pos == len(chars)] = 0
        c = np.where(chars[pos] == cp, pos + 1, 0)
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 2
        total = len(c)
        ends = np.repeat(np.cumsum(lengths), lengths)  # end of the word of each position
        word_of = np.repeat(np.arange(len(words), dtype=np.int64), lengths)
        c = np.concatenate([c, np.zeros(hi, dtype=np.int64)])
        at = np.arange(total, dtype=np.int64)
        key = np.zeros(total, dtype=np.int64)
        found_words, found_ids = [], []
        for n in range(1, hi + 1):
            key = (key << bits) | c[n - 1:n - 1 + total]
            if n < lo:
                continue
            full = key | (n << (hi * bits))
            ok = np.flatnonzero(at + n <= ends)
            k = full[ok]
            j = np.searchsorted(vkeys, k)
            j[j == len(vkeys)] = 0
            hit = vkeys[j] == k
            found_words.append(word_of[ok[hit]])
            found_ids.append(vids[j[hit]])
        fw = np.concatenate(found_words)
        order = np.argsort(fw, kind="stable")  # by word; inside a word by n, then position
        ids = np.concatenate(found_ids)[order].tolist()
        counts = np.bincount(fw, minlength=len(words)).tolist()
        start = 0
        for w, n_ids in zip(words, counts):
            cache[w] = tuple(ids[start:start + n_ids])
            start += n_ids

    def _gram_slices(self, n_chars: int) -> list[slice]:
        """The n-grams that :meth:`_ngrams` cuts from one padded word of ``n_chars`` characters
        (``" word "``), as slices in the same order; the same for every word of that length."""
        lo, hi = self.ngram_range
        out: list[slice] = []
        for n in range(lo, hi + 1):
            if n_chars <= n:  # a short word counts once
                out.append(slice(0, n))
                break
            out += [slice(i, i + n) for i in range(n_chars - n + 1)]
        return out

    def _word_ids(self, text: str) -> list[int]:
        """Vocabulary ids of the word n-grams of ``text``, one per occurrence. An n-gram is
        looked up by its tuple of tokens (no string joined per n-gram)."""
        by_tokens = self.__dict__.get("_by_tokens")
        if by_tokens is None:
            by_tokens = {}
            for k, v in self.vocabulary.items():
                key = tuple(k.split(" "))
                by_tokens.setdefault(len(key), {})[key if len(key) > 1 else k] = v
            self.__dict__["_by_tokens"] = by_tokens
        tokens = _TOKEN.findall(text)
        lo, hi = self.ngram_range
        ids: list[int] = []
        for n in range(lo, hi + 1):
            table = by_tokens.get(n)
            if not table or n > len(tokens):
                continue
            grams = tokens if n == 1 else zip(tokens, tokens[1:]) if n == 2 else zip(*(tokens[i:] for i in range(n)))
            ids += filter(_is_not_none, map(table.get, grams))  # looked up and filtered in C
        return ids

    def transform(self, texts: Sequence[str]):
        """The TF-IDF matrix (CSR, float32) of ``texts``: the vocabulary ids of all n-grams of
        the batch are counted at once (numpy) instead of one ``Counter`` per text."""
        from scipy import sparse

        n_rows = len(texts)
        n_cols = len(self.idf)
        if self.analyzer == "char_wb":
            per_text = self._char_tuples_many(texts)
            lengths = [sum(map(len, tuples)) for tuples in per_text]
            flat = chain.from_iterable(chain.from_iterable(per_text))
        else:
            per_text = [self._word_ids(t) for t in texts]
            lengths = [len(ids) for ids in per_text]
            flat = chain.from_iterable(per_text)
        total = sum(lengths)
        ids = np.fromiter(flat, dtype=np.int64, count=total).astype(np.int32)
        indptr_in = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.asarray(lengths, dtype=np.int64), out=indptr_in[1:])
        # every row's distinct columns in order and their counts: a CSR matrix of ones, each row's
        # columns sorted and repeats summed by scipy row by row (formerly one np.unique of
        # (row, column) keys over the whole batch: the same columns and counts, ~1.6x the time)
        counted = sparse.csr_matrix((np.ones(total, dtype=np.int64), ids, indptr_in), shape=(n_rows, n_cols))
        counted.sum_duplicates()
        idx, counts, indptr_a = counted.indices, counted.data, counted.indptr
        data = np.log(counts.astype(np.float32)) + np.float32(1.0)
        data *= self.idf[idx]
        row_len = np.diff(indptr_a)
        sq = np.bincount(np.repeat(np.arange(n_rows), row_len), weights=data * data, minlength=n_rows)
        norms = np.sqrt(sq).astype(np.float32)
        norms[norms == 0] = 1.0
        data /= np.repeat(norms, row_len)
        return sparse.csr_matrix((data, idx, indptr_a), shape=(n_rows, n_cols))


class CompactSoftmax:
    """The inference half of a fitted multinomial scikit-learn ``LogisticRegression``:
    coefficients, intercepts and class names; ``predict_proba`` is the softmax of the scores."""

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, classes: Sequence[str]):
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.classes_ = np.asarray(classes)

    @classmethod
    def from_sklearn(cls, clf) -> "CompactSoftmax":
        if len(clf.classes_) < 3:
            raise ValueError("CompactSoftmax needs a multinomial model (three or more classes)")
        return cls(clf.coef_, clf.intercept_, list(clf.classes_))

    def predict_proba(self, X) -> np.ndarray:
        z = np.asarray(X @ self.coef.T) + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def compact(model: "RequestModel") -> "RequestModel":
    """Replace scikit-learn objects of ``model`` by their compact inference form (in place)."""
    if model.word_vec is not None and not isinstance(model.word_vec, CompactTfidf):
        model.word_vec = CompactTfidf.from_sklearn(model.word_vec)
    if model.char_vec is not None and not isinstance(model.char_vec, CompactTfidf):
        model.char_vec = CompactTfidf.from_sklearn(model.char_vec)
    if model.intent_clf is not None and not isinstance(model.intent_clf, CompactSoftmax):
        if len(model.intent_clf.classes_) >= 3:
            model.intent_clf = CompactSoftmax.from_sklearn(model.intent_clf)
    return model


_FEATURE_COLUMNS: dict[str, int] = {}


def _feature_columns() -> dict[str, int]:
    """Column of each pattern feature name in :func:`feature_names` order."""
    if not _FEATURE_COLUMNS:
        _FEATURE_COLUMNS.update((n, j) for j, n in enumerate(feature_names()))
    return _FEATURE_COLUMNS


@dataclass
class RequestModel:
    """A fitted model; written by :func:`save_model` (compact form, compressed pickle)."""

    options: ModelOptions
    word_vec: Any = None
    char_vec: Any = None
    pattern_scale: np.ndarray | None = None
    coef: np.ndarray | None = None
    intercept: float = 0.0
    platt: tuple[float, float] = (1.0, 0.0)
    intent_clf: Any = None
    feature_labels: list[str] = field(default_factory=list)
    version: str = ""
    created_at: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    format: int = BUNDLE_FORMAT

    # ------------------------------------------------------------ features
    def matrix(self, analyses: Sequence[Analysis]):
        from scipy import sparse

        blocks = []
        # a model saved before the option existed has no value of its own: it was trained without
        # the scaling (the class default would turn it on)
        short = vars(self.options).get("short_words", 0)
        scale = None
        if self.word_vec is not None:
            words = self.word_vec.transform([a.model_text for a in analyses])
            if short > 0:
                scale = sparse.diags(np.minimum(1.0, np.sqrt(np.diff(words.indptr) / short)).astype(np.float32))
                words = scale @ words
            blocks.append(words * self.options.word_weight)
        if self.char_vec is not None:
            chars = self.char_vec.transform([a.text[: self.options.char_chars].lower() for a in analyses])
            if scale is not None:
                chars = scale @ chars
            blocks.append(chars * self.options.char_weight)
        if self.pattern_scale is not None:
            # a post has ~15 of the ~75 pattern features: fill the dense block from each post's
            # features instead of looking up every name for every post
            # (all in C: the features' names mapped to columns, -1 for names that are no column)
            column = _feature_columns()
            dense = np.zeros((len(analyses), len(column)), dtype=np.float64)
            feats = [a.features for a in analyses]
            counts = np.fromiter(map(len, feats), dtype=np.int64, count=len(feats))
            total = int(counts.sum())
            cols = np.fromiter(map(column.get, chain.from_iterable(feats), repeat(-1)), dtype=np.int64, count=total)
            vals = np.fromiter(chain.from_iterable(f.values() for f in feats), dtype=np.float64, count=total)
            rows = np.repeat(np.arange(len(feats), dtype=np.int64), counts)
            keep = cols >= 0
            dense[rows[keep], cols[keep]] = vals[keep]
            blocks.append(sparse.csr_matrix(dense / self.pattern_scale * self.options.pattern_weight))
        return sparse.hstack(blocks, format="csr")

    # ------------------------------------------------------------ prediction
    def decision(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef).ravel() + self.intercept

    def probability(self, X) -> np.ndarray:
        a, b = self.platt
        z = a * self.decision(X) + b
        return 1.0 / (1.0 + np.exp(-z))

    def request_probability(self, analyses: Sequence[Analysis], X=None, direct_floor: float = 0.0) -> np.ndarray:
        """Calibrated request probabilities of ``analyses``; a post with a direct request form
        (``Analysis.direct``) gets at least ``direct_floor``."""
        p = self.probability(self.matrix(analyses) if X is None else X)
        if direct_floor > 0:
            hit = np.fromiter((bool(a.direct) for a in analyses), dtype=bool, count=len(analyses))
            if hit.any():
                p = np.where(hit, np.maximum(p, direct_floor), p)
        return p

    def intent_proba(self, X) -> np.ndarray:
        """``(n, len(INTENT_CLASSES))`` probabilities, columns in INTENT_CLASSES order."""
        p = self.intent_clf.predict_proba(X)
        out = np.zeros((X.shape[0], len(INTENT_CLASSES)))
        for j, c in enumerate(self.intent_clf.classes_):
            out[:, INTENT_CLASSES.index(c)] = p[:, j]
        return out

    def contributions(self, X, row: int, top: int = 6) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """Largest positive and negative ``(feature label, contribution)`` of one row of a CSR
        matrix (coefficient times feature value)."""
        lo, hi = X.indptr[row], X.indptr[row + 1]
        vals = np.asarray(X.data[lo:hi], dtype=np.float64) * self.coef[X.indices[lo:hi]]
        return self._top(vals, X.indices[lo:hi], top)

    def contributions_many(self, X, top: int = 6) -> list[tuple[list[tuple[str, float]], list[tuple[str, float]]]]:
        """:meth:`contributions` of every row of ``X``. The products of the whole matrix are
        computed at once; each row is then sorted on its own exactly as :meth:`contributions`
        does (the same values in the same order, so ties come out the same)."""
        vals = np.asarray(X.data, dtype=np.float64) * self.coef[X.indices]
        bounds = X.indptr.tolist()
        if top <= 0 or not len(vals):
            return [self._top(vals[lo:hi], X.indices[lo:hi], top) for lo, hi in zip(bounds, bounds[1:])]
        # Each row's order is np.argsort of the row's values, as in _top (the same views of the
        # same array, so ties come out the same); the `top` first and last places of all rows are
        # then read at once: one fancy index and one tolist for the batch instead of ~10 numpy
        # calls per row. A place beyond a short row's end gets the value 0.0, which both filters drop.
        indptr = np.asarray(X.indptr, dtype=np.int64)
        lo, hi = indptr[:-1], indptr[1:]
        lens = hi - lo
        order = np.concatenate([vals[a:b].argsort() for a, b in zip(bounds, bounds[1:])])
        order += np.repeat(lo, lens)  # positions in the whole batch
        at = np.arange(top, dtype=np.int64)
        inside = at[None, :] < lens[:, None]
        last = len(order) - 1
        low = order[np.minimum(lo[:, None] + at[None, :], last)]  # smallest first
        high = order[np.maximum(hi[:, None] - 1 - at[None, :], 0)]  # largest first
        idx = X.indices
        label = self.feature_labels
        return [([(label[j], v) for j, v in zip(hj, hv) if v > 0], [(label[j], v) for j, v in zip(lj, lv) if v < 0])
                for hj, hv, lj, lv in zip(idx[high].tolist(), np.where(inside, vals[high], 0.0).tolist(),
                                          idx[low].tolist(), np.where(inside, vals[low], 0.0).tolist())]

    def _top(self, vals: np.ndarray, idx: np.ndarray, top: int):
        order = np.argsort(vals)
        # only the `top` smallest and largest are read: convert those few to Python numbers
        # (indexing a numpy array element by element costs more than the sort)
        neg_o, pos_o = order[:top], order[::-1][:top]
        label = self.feature_labels
        neg = [(label[j], v) for j, v in zip(idx[neg_o].tolist(), vals[neg_o].tolist()) if v < 0]
        pos = [(label[j], v) for j, v in zip(idx[pos_o].tolist(), vals[pos_o].tolist()) if v > 0]
        return pos, neg


def _source_vocabulary(texts: Sequence[str], sources: Sequence[str], analyzer: str, ngram_range, min_sources: int,
                       max_features: int) -> list[str]:
    """Terms that occur in at least two documents of each of ``min_sources`` sources."""
    from sklearn.feature_extraction.text import CountVectorizer

    per_source: dict[str, list[str]] = defaultdict(list)
    for t, s in zip(texts, sources):
        per_source[s].append(t)
    seen: Counter = Counter()
    total: Counter = Counter()
    for docs in per_source.values():
        cv = CountVectorizer(analyzer=analyzer, ngram_range=ngram_range, min_df=2, lowercase=False,
                             token_pattern=r"(?u)\b\w+\b" if analyzer == "word" else None)
        try:
            X = cv.fit_transform(docs)
        except ValueError:  # too few documents for min_df
            continue
        df = np.asarray((X > 0).sum(axis=0)).ravel()
        for term, j in cv.vocabulary_.items():
            seen[term] += 1
            total[term] += int(df[j])
    keep = [t for t, n in seen.items() if n >= min_sources]
    keep.sort(key=lambda t: -total[t])
    return sorted(keep[:max_features])


def sample_weights(labels: Sequence[int], sources: Sequence[str], langs: Sequence[str]) -> np.ndarray:
    """Balance every (language, label) cell to the same total weight; inside a cell, each source gets
    a share proportional to the square root of its size: no language, class or large source can
    dominate the fit, and a source with a handful of examples (e.g. four requests among political
    tweets) does not get the same say as one with hundreds."""
    cells: dict[tuple[str, int], Counter] = defaultdict(Counter)
    for y, s, lang in zip(labels, sources, langs):
        cells[(lang, y)][s] += 1
    roots = {cell: sum(math.sqrt(n) for n in counts.values()) for cell, counts in cells.items()}
    w = np.empty(len(labels))
    for i, (y, s, lang) in enumerate(zip(labels, sources, langs)):
        n = cells[(lang, y)][s]
        w[i] = math.sqrt(n) / roots[(lang, y)] / n
    return w * len(labels) / w.sum()


def fit_model(analyses: Sequence[Analysis], labels: Sequence[int], sources: Sequence[str],
              intents: Sequence[str | None], options: ModelOptions | None = None, calibrate: bool = True,
              progress=None) -> RequestModel:
    """Fit a :class:`RequestModel`. ``intents`` gives the intent of each help request (None
    when unknown; non-requests are ignored for the intent model)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    options = options or ModelOptions()
    model = RequestModel(options=options)
    langs = [a.lang if a.lang in ("de", "en") else "en" for a in analyses]
    y = np.asarray(labels, dtype=int)
    labels_out: list[str] = []
    step = progress or (lambda *_: None)
    if options.words:
        texts = [a.model_text for a in analyses]
        vocab = _source_vocabulary(texts, sources, "word", (1, 2), options.min_sources, options.max_word_features)
        model.word_vec = TfidfVectorizer(vocabulary=vocab, ngram_range=(1, 2), sublinear_tf=True, lowercase=False,
                                         token_pattern=r"(?u)\b\w+\b", dtype=np.float32).fit(texts)
        labels_out += [f"word:{t}" for t in model.word_vec.get_feature_names_out()]
    step("words")
    if options.chars:
        ctexts = [a.text[: options.char_chars].lower() for a in analyses]
        vocab = _source_vocabulary(ctexts, sources, "char_wb", (3, 5), options.min_sources, options.max_char_features)
        model.char_vec = TfidfVectorizer(vocabulary=vocab, analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                         lowercase=False, dtype=np.float32).fit(ctexts)
        labels_out += [f"chars:{t}" for t in model.char_vec.get_feature_names_out()]
    step("chars")
    if options.patterns:
        names = feature_names()
        dense = np.array([[a.features.get(n, 0.0) for n in names] for a in analyses])
        scale = np.abs(dense).max(axis=0)
        scale[scale == 0] = 1.0
        model.pattern_scale = scale
        labels_out += [f"pattern:{n}" for n in names]
    model.feature_labels = labels_out
    X = model.matrix(analyses)
    w = sample_weights(y, sources, langs)
    clf = LogisticRegression(C=options.C, max_iter=2000, solver="liblinear")
    clf.fit(X, y, sample_weight=w)
    model.coef = clf.coef_.ravel().astype(np.float64)
    model.intercept = float(clf.intercept_[0])
    step("request model")
    if calibrate:
        model.platt = _platt_out_of_fold(X, y, w, sources, options.C)
    step("calibration")
    pos = [i for i, (lab, it) in enumerate(zip(labels, intents)) if lab == 1 and it in INTENT_CLASSES]
    iy = [intents[i] for i in pos]
    if len(set(iy)) >= 2:
        iw = sample_weights([INTENT_CLASSES.index(v) for v in iy], [sources[i] for i in pos], ["x"] * len(pos))
        iclf = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
        iclf.fit(X[pos], iy, sample_weight=iw)
        model.intent_clf = iclf
    step("intent model")
    model.created_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return compact(model)


def _platt_out_of_fold(X, y, w, sources, C) -> tuple[float, float]:
    """Sigmoid calibration on 5-fold out-of-fold decision scores (folds keep sources mixed)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    scores = np.zeros(len(y))
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=7).split(X, y):
        clf = LogisticRegression(C=C, max_iter=2000, solver="liblinear").fit(X[tr], y[tr], sample_weight=w[tr])
        scores[te] = clf.decision_function(X[te])
    # unweighted: the probability should reflect how often such a score is really a request,
    # not the class-balanced world the weights create for training
    cal = LogisticRegression(C=1e4, max_iter=1000).fit(scores.reshape(-1, 1), y)
    return float(cal.coef_[0, 0]), float(cal.intercept_[0])


_MAGIC = b"RADARCLS1\n"
"""Start of a model file written by :func:`save_model`: a zlib-compressed pickle follows.
Older files are joblib pickles; :func:`load_model` reads both."""


def save_model(model: RequestModel, path: str | Path) -> Path:
    """Write the model (compact form, zlib-compressed pickle) and return the path.

    Not joblib: its pure-Python unpickler needs seconds for the vocabulary dicts, the C
    unpickler milliseconds."""
    import pickle
    import zlib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for vec in (model.word_vec, model.char_vec):
        if vec is not None and hasattr(vec, "stop_words_"):
            vec.stop_words_ = None  # only needed for introspection; can be megabytes
    compact(model)
    data = zlib.compress(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL), 6)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(_MAGIC + data)
    tmp.replace(path)
    return path


def load_model(path: str | Path) -> RequestModel:
    import pickle
    import zlib

    raw = Path(path).read_bytes()
    if raw.startswith(_MAGIC):
        model = pickle.loads(zlib.decompress(raw[len(_MAGIC):]))
    else:  # a joblib file of an earlier version
        import joblib

        model = joblib.load(path)
    if not isinstance(model, RequestModel) or getattr(model, "format", None) != BUNDLE_FORMAT:
        raise ValueError(f"{path} is not a Business Radar classifier model (format {BUNDLE_FORMAT}); "
                         "train one with `radar train` or use 'bundled'")
    return compact(model)  # models written before the compact form carry scikit-learn objects


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))
