"""Buyer-persona fit: points per criterion from ``config/personas.toml``; fit = points / max, 0–100.

Terms match case-insensitively on the post's words *and* their lemmas; a multi-word term
matches consecutive words; ``"steuer*"`` matches words that start with "steuer" and
``"*software"`` words that end with it (German compounds: "Buchhaltungssoftware").
Range criteria find numbers with their unit in the text ("50 Mitarbeiter", "team of 30",
"30-köpfiges Team", "200 users").
"""

from __future__ import annotations

import functools
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
    for rx in _unit_regexes(unit):
        for m in rx.finditer(text):
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


@dataclass
class CriterionResult:
    name: str
    points: float
    max_points: float
    evidence: list[str] = field(default_factory=list)


@dataclass
class PersonaFit:
    name: str
    title: str
    fit: float  # 0-100
    points: float
    max_points: float
    criteria: list[CriterionResult] = field(default_factory=list)
    excluded_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"fit": round(self.fit, 1), "points": round(self.points, 2), "max_points": round(self.max_points, 2),
                "excluded_by": self.excluded_by,
                "criteria": {c.name: {"points": round(c.points, 2), "max": round(c.max_points, 2), "evidence": c.evidence}
                             for c in self.criteria}}


class _Term:
    __slots__ = ("raw", "words", "prefix", "suffix", "phrase")

    def __init__(self, raw: str):
        t = raw.strip().lower()
        self.raw = raw.strip()
        self.prefix = t.endswith("*")
        self.suffix = t.startswith("*")
        self.words = t.strip("*").split()
        self.phrase = f" {' '.join(self.words)} "


class _TermSet:
    """Terms of one value list, split by how they match (exact words are a set lookup)."""

    def __init__(self, terms: list[str]):
        self.exact: dict[str, str] = {}
        self.other: list[_Term] = []
        for raw in terms:
            t = _Term(raw)
            if len(t.words) == 1 and not t.prefix and not t.suffix:
                self.exact.setdefault(t.words[0], t.raw)
            elif t.words:
                self.other.append(t)

    def hits(self, forms: set[str], joined: str, tokens: list[str], token_text: str = "") -> list[str]:
        out = [self.exact[w] for w in self.exact.keys() & forms] if self.exact else []
        for t in self.other:
            # a wildcard word can only hit a token if it occurs somewhere in the forms: one
            # substring test in C rules out almost every term before the loop over tokens
            if len(t.words) == 1 and token_text and t.words[0] not in token_text:
                continue
            if PersonaScorer._hit(t, forms, joined, tokens):
                out.append(t.raw)
        return out


class PersonaScorer:
    """Scores posts against a list of personas (compiled once)."""

    def __init__(self, personas: list[PersonaConfig]):
        self.personas = list(personas)
        self._sets: dict[tuple[str, ...], _TermSet] = {}
        self._values: dict[int, list] = {}  # id of a criterion -> [(points, terms, _TermSet)]
        self._maxp: dict[int, float] = {}  # id of a persona/criterion (kept alive by self.personas) -> max points

    def _set(self, terms: list[str]) -> _TermSet:
        key = tuple(terms)
        ts = self._sets.get(key)
        if ts is None:
            ts = self._sets[key] = _TermSet(terms)
        return ts

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

    def score(self, lowers: list[str], lemmas: list[str], text: str, lang: str) -> list[PersonaFit]:
        forms = set(lowers) | set(lemmas)
        tokens = list(forms)
        token_text = "\n".join(tokens)
        joined = " " + " ".join(lowers) + " " + " ".join(lemmas) + " "
        results = []
        numbers: dict[str, list[tuple[float, str]]] = {}
        for p in self.personas:
            max_points = self._max_points(p)
            ex_hits = self._set(p.exclude).hits(forms, joined, tokens, token_text) if p.exclude else []
            excluded = ex_hits[0] if ex_hits else None
            if excluded is None and p.languages and lang not in p.languages:
                excluded = f"language {lang}"
            crits = []
            total = 0.0
            for c in p.criteria:
                cr = self._criterion(c, forms, joined, tokens, token_text, text, lang, numbers)
                crits.append(cr)
                total += cr.points
            fit = 0.0 if excluded or max_points <= 0 else 100.0 * total / max_points
            results.append(PersonaFit(p.name, p.title or p.name, min(fit, 100.0), total, max_points, crits, excluded))
        return results

    def _max_points(self, item) -> float:
        key = id(item)
        mp = self._maxp.get(key)
        if mp is None:
            mp = self._maxp[key] = item.max_points
        return mp

    def _criterion(self, c: Criterion, forms, joined, tokens, token_text: str, text: str, lang: str,
                   numbers: dict) -> CriterionResult:
        if c.type == "range":
            best, ev = 0.0, []
            unit = c.unit or "employees"
            if unit not in numbers:
                numbers[unit] = find_numbers(text, unit)
            for value, phrase in numbers[unit]:
                pts = max((r.points for r in c.ranges if r.min <= value <= r.max), default=0.0)
                if pts > best:
                    best, ev = pts, [phrase]
            return CriterionResult(c.name, best * c.weight, self._max_points(c), ev)
        best, ev = 0.0, []
        values = self._values.get(id(c))
        if values is None:
            values = self._values[id(c)] = [(v.points, v.terms, self._set(v.terms)) for v in c.values]
        for points, terms, ts in values:
            if points <= best:
                continue  # cannot beat the best value found so far: no need to look
            if c.type == "language":
                hits = [t for t in terms if t.lower() == lang]
            else:
                hits = ts.hits(forms, joined, tokens, token_text)
            if hits:
                best, ev = points, hits[:3]
        return CriterionResult(c.name, best * c.weight, self._max_points(c), ev)
