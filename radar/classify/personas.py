"""Buyer-persona fit: points per criterion from ``config/personas.toml``; fit = points / max, 0–100.

Terms match case-insensitively on the post's words *and* their lemmas; a multi-word term
matches consecutive words; ``"steuer*"`` matches words that start with "steuer" and
``"*software"`` words that end with it (German compounds: "Buchhaltungssoftware").
Range criteria find numbers with their unit in the text ("50 Mitarbeiter", "team of 30",
"30-köpfiges Team", "200 users").
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from typing import Any

from radar.config import Criterion, PersonaConfig

# unit -> words that name it in text (German and English)
UNIT_WORDS: dict[str, list[str]] = {
    "employees": ["mitarbeiter", "mitarbeiterinnen", "mitarbeitende", "mitarbeitenden", "angestellte", "angestellten",
                  "beschäftigte", "beschäftigten", "ma", "leute", "personen", "köpfe", "employees", "employee", "staff",
                  "people", "persons", "person", "headcount", "fte", "ftes", "workers"],
    "users": ["nutzer", "benutzer", "user", "users", "anwender", "seats", "arbeitsplätze", "lizenzen", "licenses"],
    "locations": ["standorte", "filialen", "niederlassungen", "locations", "sites", "branches", "offices", "stores"],
    "seats": ["seats", "plätze", "arbeitsplätze", "lizenzen", "licenses"],
}
_ANY_DIGIT = re.compile(r"\d")
_NUM = r"(\d{1,3}(?:[.,]\d{3})*|\d+)"


@functools.lru_cache(maxsize=64)
def _unit_regexes(unit: str) -> list[re.Pattern]:
    words = UNIT_WORDS.get(unit.lower(), [unit.lower(), unit.lower() + "s"])
    alt = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    pats = [rf"\b{_NUM}\s*(?:-|–|bis|to)?\s*(?:{_NUM}\s*)?\+?\s*(?:{alt})\b"]  # 50 Mitarbeiter, 50-70 employees
    if unit.lower() != "employees":
        return [re.compile(p, re.IGNORECASE) for p in pats]
    pats += [
        rf"\b(?:team|firma|unternehmen|company|business|office|büro|betrieb)\s+(?:of|von|mit|with)\s+(?:about\s+|ca\.?\s+|rund\s+|etwa\s+)?{_NUM}\b",  # team of 30
        rf"\b{_NUM}\s*-?\s*(?:köpfig\w*|person|man|mann|people)\s*(?:team|firma|company|business|betrieb|shop)\b",  # 30-köpfiges Team
        rf"\b{_NUM}(?:er)?\s*-?\s*team\b",                                            # 12er Team
    ]
    return [re.compile(p, re.IGNORECASE) for p in pats]


@functools.lru_cache(maxsize=64)
def _unit_hints(unit: str) -> tuple[re.Pattern, re.Pattern]:
    """Two expressions that :func:`find_numbers` searches first: without a match of the first,
    no expression of ``_unit_regexes(unit)`` that starts with a number can match; without one of
    the second, neither can "team of 30". Each is a necessary condition: what those expressions
    need in every match — a digit, then only white space, digits, ``.,-–+`` up to a word they
    list (units; "bis"/"to"; "köpfig", "person", …; "er"/"team"), or "of"/"von"/… (or "about",
    "ca", …) and white space before the number —, with the same flags, so the same characters
    match. Most numbers in posts are dates, prices or versions: one search each instead of
    trying every expression at every number."""
    words = set(UNIT_WORDS.get(unit.lower(), [unit.lower(), unit.lower() + "s"])) | {"bis", "to"}
    if unit.lower() == "employees":
        words |= {"köpfig", "person", "man", "mann", "people", "er", "team"}
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return (re.compile(rf"\d[\s\d.,\-–+]*(?:{alt})", re.IGNORECASE),
            re.compile(r"(?:of|von|mit|with|about|ca\.?|rund|etwa)\s+\d", re.IGNORECASE))


# An expression that starts with \b and a number can only match where a number starts after a
# non-word character: trying it only there gives the matches of ``finditer`` (leftmost first,
# not overlapping) without scanning every position of a long post with the whole expression.
_NUM_FIRST = rf"\b{_NUM}"
_NUM_START = re.compile(r"(?<!\w)\d")


def _finditer_at(rx: re.Pattern, text: str, starts: list[int]):
    end = 0
    for pos in starts:
        if pos >= end and (m := rx.match(text, pos)) is not None:
            yield m
            end = m.end()


def _to_int(s: str | None) -> int | None:
    if not s:
        return None
    try:
        return int(re.sub(r"[.,]", "", s))
    except ValueError:
        return None


def find_numbers(text: str, unit: str) -> list[tuple[float, str]]:
    """``(number, phrase)`` pairs for ``unit`` found in ``text``; a range "50-70" gives its middle.

    Example: ``find_numbers("Wir sind 60 Mitarbeiter", "employees") == [(60.0, "60 Mitarbeiter")]``
    """
    if _ANY_DIGIT.search(text) is None:  # every pattern needs a number
        return []
    out = []
    starts = None
    num_hint, team_hint = _unit_hints(unit)
    num_first = team = None  # whether the hints match, searched when first needed
    for rx in _unit_regexes(unit):
        if rx.pattern.startswith(_NUM_FIRST):
            if num_first is None:
                num_first = num_hint.search(text) is not None
            if not num_first:
                continue
            if starts is None:
                starts = [m.start() for m in _NUM_START.finditer(text)]
            found = _finditer_at(rx, text, starts)
        else:
            if team is None:
                team = team_hint.search(text) is not None
            if not team:
                continue
            found = rx.finditer(text)
        for m in found:
            nums = [n for n in (_to_int(g) for g in m.groups()) if n is not None]
            if not nums:
                continue
            value = sum(nums[:2]) / len(nums[:2])
            out.append((float(value), m.group(0).strip()))
    seen, uniq = set(), []
    for v, p in out:
        if v not in seen:
            seen.add(v)
            uniq.append((v, p))
    return uniq


def _best_range(text: str, unit: str, ranges, numbers: dict[str, list[tuple[float, str]]]) -> tuple[float, list[str] | None]:
    """Points of the best range any number with ``unit`` in ``text`` falls in, and its phrase
    (``(0.0, None)`` when none scores); :func:`find_numbers` results are cached in ``numbers``."""
    found_numbers = numbers.get(unit)
    if found_numbers is None:
        found_numbers = numbers[unit] = find_numbers(text, unit)
    best, ev = 0.0, None
    for value, phrase in found_numbers:
        pts = max((r_points for r_min, r_max, r_points in ranges if r_min <= value <= r_max), default=0.0)
        if pts > best:
            best, ev = pts, [phrase]
    return best, ev


@dataclass(slots=True)
class CriterionResult:
    name: str
    points: float
    max_points: float
    evidence: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PersonaFit:
    name: str
    title: str
    fit: float  # 0-100
    points: float
    max_points: float
    criteria: list[CriterionResult] = field(default_factory=list)
    excluded_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        # `x and _round(x, d)`: most points are 0, which round to themselves (see _round)
        return {"fit": self.fit and _round(self.fit, 1), "points": self.points and _round(self.points, 2),
                "max_points": _round(self.max_points, 2), "excluded_by": self.excluded_by,
                "criteria": {c.name: {"points": c.points and _round(c.points, 2), "max": _round(c.max_points, 2),
                                      "evidence": c.evidence}
                             for c in self.criteria}}


_ROUNDED: dict[tuple[float, int], float] = {}


def _round(x: float, digits: int) -> float:
    """``round(x, digits)``, remembered for floats: points and maxima take few distinct values
    and ``round`` with digits is slow (~0.3 µs)."""
    if type(x) is not float or not x:  # 0.0 and -0.0 round to themselves; ints keep their type
        return round(x, digits) if x else x
    key = (x, digits)
    r = _ROUNDED.get(key)
    if r is None:
        r = round(x, digits)
        if len(_ROUNDED) < 50_000:
            _ROUNDED[key] = r
    return r


class _Term:
    __slots__ = ("raw", "words", "prefix", "suffix", "phrase")

    def __init__(self, raw: str):
        t = raw.strip().lower()
        self.raw = raw.strip()
        self.prefix = t.endswith("*")
        self.suffix = t.startswith("*")
        self.words = t.strip("*").split()
        self.phrase = f" {' '.join(self.words)} "


class _Terms:
    """Every term list of every persona, compiled once into one index: all single words that
    match exactly form one set, so a post needs one set intersection for all personas and
    criteria; wildcard and multi-word terms are tested once each, however many lists hold them.

    :meth:`hits` gives, per term list (its id), the terms that occur: exact words first, then the
    other terms, each in the order of the list."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, ...], int] = {}
        self.exact: dict[str, list[tuple[int, int, str]]] = {}  # word -> [(list id, position, raw)]
        self.words: frozenset[str] = frozenset()
        self._other: dict[tuple, tuple[_Term, list[tuple[int, int]]]] = {}  # -> (term, [(list id, position)])
        self.other: list[tuple[_Term, list[tuple[int, int]]]] = []
        # multi-word phrases by their first word (see hits), wildcard words
        self.phrases: dict[str, list[tuple[_Term, list[tuple[int, int]]]]] = {}
        self.phrase_starts: frozenset[str] = frozenset()
        self.wildcards: list[tuple[_Term, list[tuple[int, int]]]] = []

    def add(self, terms: list[str]) -> int:
        key = tuple(terms)
        sid = self._ids.get(key)
        if sid is not None:
            return sid
        sid = self._ids[key] = len(self._ids)
        seen: set[str] = set()
        for pos, raw in enumerate(terms):
            t = _Term(raw)
            if len(t.words) == 1 and not t.prefix and not t.suffix:
                w = t.words[0]
                if w not in seen:  # the first spelling of a word in a list names it
                    seen.add(w)
                    self.exact.setdefault(w, []).append((sid, pos, t.raw))
            elif t.words:
                k = (tuple(t.words), t.prefix, t.suffix, t.raw)
                if k not in self._other:
                    self._other[k] = (t, [])
                self._other[k][1].append((sid, pos))
        self.words = frozenset(self.exact)
        self.other = list(self._other.values())
        self.phrases, self.wildcards = {}, []
        for t, owners in self.other:
            if len(t.words) > 1:
                self.phrases.setdefault(t.words[0], []).append((t, owners))
            else:
                self.wildcards.append((t, owners))
        self.phrase_starts = frozenset(self.phrases)
        return sid

    def hits(self, forms: set[str], joined: str, tokens: list[str], token_text: str) -> dict[int, list[str]]:
        found: dict[int, list[tuple[int, int, str]]] = {}
        for w in self.words & forms:
            for sid, pos, raw in self.exact[w]:
                if sid in found:
                    found[sid].append((0, pos, raw))
                else:
                    found[sid] = [(0, pos, raw)]
        # a phrase " a b " in the joined forms starts at a form "a" unless a form has a space inside
        starts = self.phrase_starts if " " in token_text else self.phrase_starts & forms
        for first in starts:
            for t, owners in self.phrases[first]:
                if t.phrase in joined:
                    for sid, pos in owners:
                        found.setdefault(sid, []).append((1, pos, t.raw))
        for t, owners in self.wildcards:
            # a wildcard word can only hit a token if it occurs somewhere in the forms: one
            # substring test in C rules out almost every term before the loop over tokens
            if len(t.words) == 1 and token_text and t.words[0] not in token_text:
                continue
            if PersonaScorer._hit(t, forms, joined, tokens):
                for sid, pos in owners:
                    found.setdefault(sid, []).append((1, pos, t.raw))
        return {sid: [x[2] for x in sorted(xs)] if len(xs) > 1 else [xs[0][2]] for sid, xs in found.items()}


class PersonaScorer:
    """Scores posts against a list of personas (compiled once)."""

    def __init__(self, personas: list[PersonaConfig]):
        self.personas = list(personas)
        self._terms = _Terms()
        # per persona: (persona, max points, id of the exclude list or None, [compiled criteria]);
        # a criterion: (criterion, name, weight, max points, is a language criterion,
        # [(points, terms, term list id)] or None for a range criterion)
        self._compiled = []
        for p in self.personas:
            crits = []
            for c in p.criteria:
                values = None if c.type == "range" else [(v.points, v.terms, self._terms.add(v.terms)) for v in c.values]
                crits.append((c, c.name, c.weight, c.max_points, c.type == "language", values, c.unit or "employees",
                               tuple((r.min, r.max, r.points) for r in c.ranges)))
            ex = self._terms.add(p.exclude) if p.exclude else None
            # the persona's fields are read once here, not for every post
            self._compiled.append((p.name, p.title or p.name, list(p.languages), p.max_points, ex, crits))
        self._fast = self._compile_fast()
        # the units of the range criteria in the order the criteria come; results without hits by language
        self._range_units = list(dict.fromkeys(c[6] for *_, crits in self._compiled for c in crits if c[5] is None))
        self._plain: dict[str, list[tuple]] = {}

    def _compile_fast(self) -> list[tuple] | None:
        """The personas for :meth:`fits`: per criterion its kind, name, weight, its maximum already
        rounded as :meth:`PersonaFit.as_dict` shows it, the points of a criterion nothing hit
        (``0.0 * weight``), and per value the points with the term list id — or, for a language
        criterion, the terms by their lower-case form. None when a weight or points are not finite
        (``0.0 * inf`` is nan, and nan points do not add up like zeros): :meth:`fits` then falls
        back to :meth:`score`."""
        numbers = [c[2] for *_, crits in self._compiled for c in crits] + [
            v[0] for *_, crits in self._compiled for c in crits for v in (c[5] or ())] + [
            r[2] for *_, crits in self._compiled for c in crits for r in c[7]]
        if not all(math.isfinite(x) for x in numbers):
            return None
        fast = []
        for p_name, p_title, p_languages, max_points, ex, crits in self._compiled:
            fc = []
            for c, name, weight, c_max, is_language, values, unit, ranges in crits:
                zero = 0.0 * weight
                zero = zero and _round(zero, 2)
                if values is None:
                    fc.append((2, name, weight, _round(c_max, 2), zero, unit, ranges))
                elif is_language:
                    by_lang = []
                    for points, terms, _sid in values:
                        lower: dict[str, list[str]] = {}
                        for t in terms:
                            lower.setdefault(t.lower(), []).append(t)
                        by_lang.append((points, lower))
                    fc.append((1, name, weight, _round(c_max, 2), zero, by_lang, None))
                else:
                    fc.append((0, name, weight, _round(c_max, 2), zero, [(points, sid) for points, _t, sid in values], None))
            fast.append((p_name, p_title, p_languages, max_points, _round(max_points, 2), ex, fc))
        return fast

    def fits(self, lowers: list[str], lemmas: list[str], text: str, lang: str,
             numbers: dict[str, list[tuple[float, str]]] | None = None) -> list[tuple]:
        """What the classifier shows of :meth:`score`, without the objects: per persona
        ``(name, title, fit, as_dict, evidence lines, excluded_by)`` where ``as_dict`` equals
        ``PersonaFit.as_dict()`` and the lines are ``"criterion: evidence (+points)"`` for every
        criterion with points > 0, in criterion order. Same values as :meth:`score` (checked by
        ``tests/test_classify.py::test_persona_fits_match_score``)."""
        if numbers is None:
            numbers = {}
        if self._fast is None:
            return [(f.name, f.title, f.fit, f.as_dict(),
                     [f"{c.name}: {', '.join(c.evidence)} (+{c.points:g})" for c in f.criteria if c.points > 0],
                     f.excluded_by) for f in self.score(lowers, lemmas, text, lang, numbers)]
        forms = set(lowers)
        forms.update(lemmas)
        tokens = list(forms)
        joined = " " + " ".join(lowers) + " " + " ".join(lemmas) + " "
        hits = self._terms.hits(forms, joined, tokens, "\n".join(tokens))
        if not hits:
            # No term of any list occurs (~85 % of posts): if no range criterion finds a number
            # either, every persona's result depends on the language alone — copy it from the
            # result computed once for that language (fresh containers, the same values).
            for unit in self._range_units:
                found_numbers = numbers.get(unit)
                if found_numbers is None:
                    found_numbers = numbers[unit] = find_numbers(text, unit)
                if found_numbers:
                    break
            else:
                return self._copy_plain(lang)
        return self._fits(hits, text, lang, numbers)

    def _copy_plain(self, lang: str) -> list[tuple]:
        """:meth:`_fits` of a post in ``lang`` where no term list hit and no number was found,
        computed once per language; each call returns new dicts and lists."""
        plain = self._plain.get(lang)
        if plain is None:
            plain = [(name, title, fit, d["fit"], d["points"], d["max_points"], d["excluded_by"],
                      tuple((k, c["points"], c["max"], tuple(c["evidence"])) for k, c in d["criteria"].items()),
                      tuple(lines), excluded)
                     for name, title, fit, d, lines, excluded in self._fits({}, "", lang, dict.fromkeys(self._range_units, []))]
            if len(self._plain) < 64:
                self._plain[lang] = plain
        return [(name, title, fit, {"fit": d_fit, "points": d_points, "max_points": d_max, "excluded_by": d_excluded,
                                    "criteria": {k: {"points": pts, "max": c_max, "evidence": [*ev]} for k, pts, c_max, ev in crits}},
                 [*lines], excluded)
                for name, title, fit, d_fit, d_points, d_max, d_excluded, crits, lines, excluded in plain]

    def _fits(self, hits: dict[int, list[str]], text: str, lang: str, numbers: dict[str, list[tuple[float, str]]]) -> list[tuple]:
        results = []
        for p_name, p_title, p_languages, max_points, max_rounded, ex, crits in self._fast:
            ex_hits = hits.get(ex) if ex is not None else None
            excluded = ex_hits[0] if ex_hits else None
            if excluded is None and p_languages and lang not in p_languages:
                excluded = f"language {lang}"
            criteria: dict[str, dict[str, Any]] = {}
            lines: list[str] = []
            total = 0.0
            for kind, name, weight, c_max, zero, values, ranges in crits:
                best, ev = 0.0, None
                if kind == 0:
                    if hits:
                        for points, sid in values:
                            if points <= best:
                                continue  # cannot beat the best value found so far
                            found = hits.get(sid)
                            if found:
                                best, ev = points, found[:3]
                elif kind == 1:
                    for points, by_lang in values:
                        if points <= best:
                            continue
                        found = by_lang.get(lang)
                        if found:
                            best, ev = points, found[:3]
                else:  # range; `values` is the unit
                    best, ev = _best_range(text, values, ranges, numbers)
                if ev is None:  # nothing found: 0 points (0.0 * a finite weight), no evidence
                    criteria[name] = {"points": zero, "max": c_max, "evidence": []}
                    continue
                pts = best * weight
                total += pts
                criteria[name] = {"points": pts and _round(pts, 2), "max": c_max, "evidence": ev}
                if pts > 0:
                    lines.append(f"{name}: {', '.join(ev)} (+{pts:g})")
            fit = 0.0 if excluded or max_points <= 0 else 100.0 * total / max_points
            fit = min(fit, 100.0)
            results.append((p_name, p_title, fit, {
                "fit": fit and _round(fit, 1), "points": total and _round(total, 2), "max_points": max_rounded,
                "excluded_by": excluded, "criteria": criteria}, lines, excluded))
        return results

    @staticmethod
    def _hit(term: _Term, forms: set[str], joined: str, tokens: list[str]) -> bool:
        if not term.words:
            return False
        if len(term.words) == 1:
            w = term.words[0]
            if term.prefix and term.suffix:
                return any(w in t for t in tokens)
            if term.prefix:
                return any(t.startswith(w) for t in tokens)
            if term.suffix:
                return any(t.endswith(w) for t in tokens)
            return w in forms
        return term.phrase in joined

    def score(self, lowers: list[str], lemmas: list[str], text: str, lang: str,
              numbers: dict[str, list[tuple[float, str]]] | None = None) -> list[PersonaFit]:
        """Fit of the post to every persona. ``numbers`` caches :func:`find_numbers` results per
        unit for this text (pass a dict to reuse them afterwards)."""
        forms = set(lowers)
        forms.update(lemmas)
        tokens = list(forms)
        joined = " " + " ".join(lowers) + " " + " ".join(lemmas) + " "
        hits = self._terms.hits(forms, joined, tokens, "\n".join(tokens))
        results = []
        if numbers is None:
            numbers = {}
        for p_name, p_title, p_languages, max_points, ex, crits in self._compiled:
            ex_hits = hits.get(ex) if ex is not None else None
            excluded = ex_hits[0] if ex_hits else None
            if excluded is None and p_languages and lang not in p_languages:
                excluded = f"language {lang}"
            out = []
            total = 0.0
            for c, name, weight, c_max, is_language, values, unit, ranges in crits:
                best, ev = 0.0, []
                if values is None:  # range
                    best, found_ev = _best_range(text, unit, ranges, numbers)
                    ev = found_ev or ev
                elif hits or is_language:
                    for points, terms, sid in values:
                        if points <= best:
                            continue  # cannot beat the best value found so far
                        if is_language:
                            found = [t for t in terms if t.lower() == lang]
                        else:
                            found = hits.get(sid)
                        if found:
                            best, ev = points, found[:3]
                pts = best * weight
                out.append(CriterionResult(name, pts, c_max, ev))
                total += pts
            fit = 0.0 if excluded or max_points <= 0 else 100.0 * total / max_points
            results.append(PersonaFit(p_name, p_title, min(fit, 100.0), total, max_points, out, excluded))
        return results
