"""The public classifier: text in, intent, persona fit, urgency, score, temperature and
explanation out. Pure: no database, no network.

Example::

    from radar.classify import Classifier
    clf = Classifier.load("bundled", personas=cfg.personas, settings=cfg.settings.classifier)
    r = clf.classify("Kann mir jemand einen Steuerberater in Stuttgart empfehlen?", "")
    r.is_request, r.intent, r.score, r.temperature, r.explanation
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import operator
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from radar.classify import patterns
from radar.classify.analysis import Analysis, Analyzer
from radar.classify.model import INTENT_CLASSES, RequestModel, load_model
from radar.classify.personas import PersonaScorer, find_numbers
from radar.config import LANGUAGES, ClassifierSettings, PersonaConfig

BUNDLED_DIR = Path(__file__).parent / "model"
BUNDLED_MODEL = BUNDLED_DIR / "request_model.joblib"

# intent rules: group -> (intent, weight); a match in a question or in the title counts 1.5x.
# Generic help phrases ("kann mir jemand") say nothing about the intent and are left out.
INTENT_RULES: dict[str, tuple[str, float]] = {
    "ask_recommendation": ("recommendation", 1.2),
    "where_buy": ("supplier", 1.5),
    "seek": ("supplier", 0.8),
    "provider_word": ("supplier", 0.5),
    "problem": ("support", 1.0),
    "ask_experience": ("experience", 1.0),
    "ask_comparison": ("comparison", 1.5),
}
# a direct request form names what is asked ("Wo bekomme ich …?" asks for a supplier) and gets half
# the say in the intent; "Suche …" and "kann mir jemand helfen" do not tell which intent. On the 2,223
# labelled requests: supplier 0.83 -> 0.88, all 0.891 -> 0.890 — the posts that "lost" are weakly
# labelled tech-support posts ("support") that ask for recommendations ("Does anyone have any
# recommendations?"); see bench/README.md, Classifier.
DIRECT_INTENTS: dict[str, str | None] = {"recommendation": "recommendation", "where": "supplier", "experience": "experience",
                                         "comparison": "comparison", "seek": None, "help": None, "best": "recommendation",
                                         "provider": "supplier", "hire": "supplier", "vet": "supplier",
                                         "purchase": "recommendation", "support": "support", "fault": "support"}
DIRECT_INTENT_WEIGHT = 0.5
URGENCY_POINTS = {"deadline": 40.0, "budget": 20.0, "evaluating": 20.0, "purchase": 15.0, "company": 10.0}
_INTENT_WORDS = {
    "en": {"recommendation": "a recommendation request", "supplier": "looking for a supplier or provider",
           "support": "a support request", "experience": "asks for experiences", "comparison": "a comparison of options",
           "none": "not a help request"},
    "de": {"recommendation": "eine Bitte um Empfehlung", "supplier": "sucht einen Anbieter oder eine Bezugsquelle",
           "support": "eine Support-Anfrage", "experience": "fragt nach Erfahrungen", "comparison": "ein Vergleich von Optionen",
           "none": "keine Hilfeanfrage"},
}


@dataclass
class ClassificationResult:
    """What one post gets. ``persona_fit`` maps persona name to 0–100; ``personas`` keeps the
    points per criterion; ``evidence`` is the structured form of ``explanation``."""

    lang: str
    is_request: bool
    request_probability: float
    intent: str
    intent_probabilities: dict[str, float]
    persona_fit: dict[str, float]
    best_persona: str | None
    personas: dict[str, dict[str, Any]]
    urgency: float
    score: float
    temperature: str
    explanation: str
    evidence: dict[str, Any] = field(default_factory=dict)
    model_version: str = ""

    def as_contract(self, id: Any = None) -> dict[str, Any]:
        """The ``radar classify`` output line."""
        return {"id": id, "lang": self.lang, "is_request": self.is_request,
                "request_probability": round(self.request_probability, 4), "intent": self.intent,
                "persona_fit": {k: round(v, 1) for k, v in self.persona_fit.items()},
                "urgency": round(self.urgency, 1), "score": round(self.score, 1), "temperature": self.temperature,
                "explanation": self.explanation}


_ANALYZER: Analyzer | None = None
_FIT = operator.itemgetter(2)  # the fit in a PersonaScorer.fits tuple
_FIRST = operator.itemgetter(0)
_LINES = operator.itemgetter(4)  # the evidence lines in a PersonaScorer.fits tuple
_AS_DICT = operator.itemgetter(3)  # and the persona's PersonaFit.as_dict()
_FOUR = itertools.repeat(4)  # round(p, 4) for every intent probability


def shared_analyzer() -> Analyzer:
    """One :class:`Analyzer` per process (loading the lemma tables is the slow part)."""
    global _ANALYZER
    if _ANALYZER is None:
        _ANALYZER = Analyzer()
    return _ANALYZER


class Classifier:
    """Loaded model + personas + scoring settings. Thread-compatible for reading."""

    def __init__(self, model: RequestModel, analyzer: Analyzer, personas: Sequence[PersonaConfig] = (),
                 settings: ClassifierSettings | None = None):
        self.model = model
        self.analyzer = analyzer
        self.settings = settings or ClassifierSettings()
        self.personas = list(personas)
        self.scorer = PersonaScorer(self.personas)
        self.load_seconds = 0.0

    @property
    def version(self) -> str:
        return self.model.version

    @classmethod
    def load(cls, path_or_bundled: str | Path = "bundled", personas: Sequence[PersonaConfig] = (),
             settings: ClassifierSettings | None = None) -> "Classifier":
        """Load the bundled model (``"bundled"``) or a model file written by ``radar train``.

        Example: ``Classifier.load("bundled", personas=load_config().personas)``
        """
        t0 = time.perf_counter()
        path = BUNDLED_MODEL if str(path_or_bundled) == "bundled" else Path(path_or_bundled)
        if not path.exists():
            raise FileNotFoundError(f"classifier model {path} not found; use 'bundled' or a file from `radar models list`")
        model = load_model(path)
        clf = cls(model, shared_analyzer(), personas, settings)
        clf.load_seconds = time.perf_counter() - t0
        return clf

    # ------------------------------------------------------------------ API
    def classify(self, title: str | None, body: str | None, lang: str | None = None) -> ClassificationResult:
        """Classify one post. ``lang`` ("de"/"en") skips language detection."""
        return self.classify_many([(title, body, lang)])[0]

    def classify_many(self, items: Iterable[Any], batch_size: int = 512) -> list[ClassificationResult]:
        """Classify many posts at once (in batches of ``batch_size``). Items are
        ``(title, body)`` / ``(title, body, lang)`` tuples or dicts with ``title``, ``body``, ``lang``."""
        with _gc_paused():
            triples = [_triple(it) for it in items]
            out: list[ClassificationResult] = []
            for start in range(0, len(triples), batch_size):
                chunk = triples[start:start + batch_size]
                analyses = self.analyzer.analyse_many(chunk, batch_size=batch_size)
                out.extend(self._results(analyses))
        return out

    def classify_analyses(self, analyses: Sequence[Analysis], batch_size: int = 512) -> list[ClassificationResult]:
        """Results for posts already analysed with ``self.analyzer`` (for callers that need the
        analyses too, e.g. ``radar evaluate``'s keyword alerts), without analysing them again."""
        with _gc_paused():
            out: list[ClassificationResult] = []
            for start in range(0, len(analyses), batch_size):
                out.extend(self._results(list(analyses[start:start + batch_size])))
        return out

    def analyse(self, items: Sequence[tuple]) -> list[Analysis]:
        return self.analyzer.analyse_many([_triple(i) for i in items])

    # ------------------------------------------------------------------ internals
    def _results(self, analyses: list[Analysis]) -> list[ClassificationResult]:
        if not analyses:
            return []
        X = self.model.matrix(analyses)
        probs = self.model.request_probability(analyses, X, self.settings.direct_request_floor)
        intent_p = self.model.intent_proba(X) if self.model.intent_clf is not None else None
        s = self.settings
        contributions = self.model.contributions_many(X)
        # whole arrays to Python floats at once (indexing numpy element by element is slower)
        prob_list = probs.tolist()
        intent_rows = intent_p.tolist() if intent_p is not None else [None] * len(analyses)
        wsum = s.weight_request + s.weight_persona + s.weight_urgency
        w_request, w_persona, w_urgency = s.weight_request, s.weight_persona, s.weight_urgency  # read once per batch
        hot, warm, version = s.hot_threshold, s.warm_threshold, self.model.version
        threshold_for = {lang: s.threshold_for(lang) for lang in LANGUAGES}
        scorer = self.scorer
        results = []
        for a, p, intent_row, (raised, lowered) in zip(analyses, prob_list, intent_rows, contributions):
            is_req = p >= threshold_for[a.lang]
            ip = _combine_intents(intent_row, a)
            intent = max(ip, key=ip.get) if is_req else "none"
            numbers: dict[str, list] = {}  # find_numbers per unit, shared with _urgency
            # per persona (name, title, fit, as_dict, evidence lines, excluded_by): PersonaScorer.fits
            fits = scorer.fits(a.lowers, a.lemmas, a.text, a.lang, numbers)
            best = max(fits, key=_FIT, default=None)
            best_fit = best[2] if best else 0.0
            urgency, urg_ev = _urgency(a, numbers)
            score = 100.0 * (w_request * p + w_persona * best_fit / 100 + w_urgency * urgency / 100) / wsum
            score = float(min(max(score, 0.0), 100.0))
            temp = "hot" if score >= hot else "warm" if score >= warm else "cold"
            evidence = _evidence(a, raised, lowered, fits, urg_ev)
            text = _explain(a.lang, p, is_req, intent, evidence, best if best and best[2] > 0 else None, urgency)
            results.append(ClassificationResult(
                lang=a.lang, is_request=is_req, request_probability=p, intent=intent,
                intent_probabilities=dict(zip(ip, map(round, ip.values(), _FOUR))),
                persona_fit=dict(zip(map(_FIRST, fits), map(_FIT, fits))), best_persona=best[0] if best and best[2] > 0 else None,
                personas=dict(zip(map(_FIRST, fits), map(_AS_DICT, fits))), urgency=urgency, score=score, temperature=temp,
                explanation=text, evidence=evidence, model_version=version))
        return results


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while posts are classified.

    Classification allocates many small containers and keeps every result alive until it
    returns, so the collector's generational passes ran again and again over the growing result
    list (about a fifth of the CPU time) and never found anything: the classifier creates no
    reference cycles (checked: ``gc.collect()`` after classifying thousands of posts finds
    nothing), so all its garbage is freed by reference counting. The collector is switched back
    on afterwards if it was on when the call started (a nested call leaves it off).

    Every object made during the call is then still counted in the youngest generation, so the
    first allocation after ``gc.enable()`` started a pass over all of them (~2 % of the call's
    CPU time for 10,000 posts). ``gc.freeze()`` + ``gc.unfreeze()`` moves them to the oldest
    generation without a pass instead; full collections see them as before. Skipped if the
    program keeps frozen objects of its own (``unfreeze`` would release those too)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _triple(item: Any) -> tuple[str | None, str | None, str | None]:
    if isinstance(item, dict):
        body = item.get("body")
        return item.get("title"), item.get("text") if body is None else body, item.get("lang")
    if len(item) == 2:
        return item[0], item[1], None
    return item[0], item[1], item[2]


def _combine_intents(model_p, a: Analysis) -> dict[str, float]:
    total = 0.0
    if a.matches:  # without matches every rule weight is 0.0 and so is their sum
        rules = dict.fromkeys(INTENT_CLASSES, 0.0)
        for m in a.matches:
            rule = INTENT_RULES.get(m.group)
            if rule:
                rules[rule[0]] += rule[1] * (1.5 if (m.in_question or m.in_title) else 1.0)
        total = sum(rules.values())
    if model_p is None:
        model = dict.fromkeys(INTENT_CLASSES, 0.0)
        model["support"] = 1.0
    else:
        model = dict(zip(INTENT_CLASSES, map(float, model_p)))
    # the phrases say directly what is asked; the model has learnt from ~1,700 requests which phrases
    # mislead (e.g. "how to … with X or Y" is support, not a comparison). Weights measured on the
    # hand-labelled requests of the evaluation split (rules 0 / 0.3 / 0.5 / 1.0: accuracy 0.76 / 0.77 /
    # 0.70 / 0.62); the rules keep a say for intents with few training examples (supplier, comparison).
    blend = model if total <= 0 else {c: 0.7 * model[c] + 0.3 * rules[c] / total for c in INTENT_CLASSES}
    direct = [DIRECT_INTENTS[form] for form, _ in a.direct if DIRECT_INTENTS.get(form)]
    if not direct or DIRECT_INTENT_WEIGHT <= 0:
        return blend
    w = DIRECT_INTENT_WEIGHT
    return {c: (1 - w) * blend[c] + w * direct.count(c) / len(direct) for c in INTENT_CLASSES}


def _urgency(a: Analysis, numbers: dict[str, list] | None = None) -> tuple[float, list[tuple[str, str]]]:
    size = numbers.get("employees") if numbers is not None else None
    if size is None:
        size = find_numbers(a.text, "employees")
    if not size and not a.urgency:  # most posts: no signal; float(min(0, 100.0)) is 0.0
        return 0.0, []
    got: dict[str, str] = {}
    for group, phrase in a.urgency:
        got.setdefault(group, phrase)
    if size and "company" not in got:
        got["company"] = size[0][1]
    points = sum(URGENCY_POINTS[g] for g in got)
    return float(min(points, 100.0)), list(got.items())


class _WordsOf(dict):
    """label -> :func:`_feature_words` for one language, filled on first use of each label
    (``__missing__``), so that :func:`_evidence` looks up all labels of a post with one ``map``."""

    __slots__ = ("lang",)

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang

    def __missing__(self, label: str) -> str | None:
        words = _feature_words_uncached(label, self.lang)
        if len(self) < 100_000:
            self[label] = words
        return words


_WORDS_OF: dict[str, _WordsOf] = {}


def _words_of(lang: str) -> _WordsOf:
    words = _WORDS_OF.get(lang)
    if words is None:
        words = _WordsOf(lang)
        if len(_WORDS_OF) < 100:
            _WORDS_OF[lang] = words
    return words


def _feature_words(label: str, lang: str) -> str | None:
    """What a model feature means to a reader (None for character n-grams); cached per label."""
    return _words_of(lang)[label]


def _feature_words_uncached(label: str, lang: str) -> str | None:
    kind, _, name = label.partition(":")
    li = 1 if lang == "de" else 0
    if kind == "pattern":
        base = name.removesuffix("_q").removesuffix("_t")
        if base in patterns.GROUP_LABELS:
            words = patterns.GROUP_LABELS[base][li]
            if name.endswith("_q"):
                words += " (in a question)" if li == 0 else " (in einer Frage)"
            elif name.endswith("_t"):
                words += " (in the title)" if li == 0 else " (im Titel)"
            return words
        fixed = {"q_title": ("the title is a question", "der Titel ist eine Frage"),
                 "q_sent": ("asks questions", "stellt Fragen"), "q_start": ("starts a question with a question word", "beginnt eine Frage mit einem Fragewort"),
                 "q_ratio": ("mostly questions", "überwiegend Fragen"), "q_any": ("contains a question", "enthält eine Frage"),
                 "url": ("contains a link", "enthält einen Link"), "exclaim": ("exclamation marks", "Ausrufezeichen"),
                 "first_person": ("speaks about own situation", "spricht über die eigene Lage"),
                 "second_person": ("addresses the readers", "spricht die Leser an")}
        return fixed.get(name, (name, name))[li]
    if kind == "word":
        if all(t in _NOISE_WORDS.get(lang, _NO_WORDS) for t in name.split()):
            return None  # "der", "und", "in the", "re": true for the model, no reason to a reader
        return f'"{name}"'
    return None  # character n-grams are not meaningful to a reader


def _noise_words(lang: str) -> frozenset[str]:
    """Word features an explanation leaves out: the language's stop words (spaCy's lists: "der",
    "und", "sein", "the", "of"), tokens of one or two characters and numbers; not the function
    words that carry a request ("jemand", "bitte", "anyone", "please")."""
    if lang == "de":
        from spacy.lang.de.stop_words import STOP_WORDS
    elif lang == "en":
        from spacy.lang.en.stop_words import STOP_WORDS
    else:
        return frozenset()
    words = set(STOP_WORDS) | _LEMMA_STUBS.get(lang, set())
    return frozenset(words - _REQUEST_WORDS)


# function words that tell a reader something about a request (kept in explanations)
_REQUEST_WORDS = frozenset("""jemand jemanden irgendwer irgendjemand bitte gesucht suche brauche empfehlen
anyone anybody someone somebody please recommend need""".split())
# the lookup lemmas of inflected stop words ("andere" -> "ander", "mehrere" -> "mehrer")
_LEMMA_STUBS = {"de": set("ander beid dritt einig jed jen manch mehrer solch welch zweit viert fünft all".split())}


class _ShortOrNumber(frozenset):
    """Stop words plus every token of one or two characters and every number."""

    def __contains__(self, token: object) -> bool:
        return (isinstance(token, str) and (len(token) < 3 or token.isdigit())) or frozenset.__contains__(self, token)


_NOISE_WORDS: dict[str, frozenset[str]] = {lang: _ShortOrNumber(_noise_words(lang)) for lang in ("de", "en")}
_NO_WORDS = _ShortOrNumber()


def _evidence(a: Analysis, raised, lowered, fits: list[tuple], urg) -> dict[str, Any]:
    lang = a.lang
    li = 1 if lang == "de" else 0
    # (most posts have no matches, direct forms or urgency: no comprehension is run for those)
    phrases = [{"phrase": m.phrase, "signal": patterns.GROUP_LABELS[m.group][li], "group": m.group,
                "in_question": m.in_question} for m in a.matches] if a.matches else []
    words = _words_of(lang).__getitem__
    if raised and lowered:
        raised, lowered = _net_families(raised, lowered)
    up = list(filter(None, map(words, map(_FIRST, raised))))
    down = list(filter(None, map(words, map(_FIRST, lowered))))
    personas = dict(zip(map(_FIRST, fits), map(_LINES, fits)))  # "criterion: evidence (+points)" lines, see PersonaScorer.fits
    excluded = {f[0]: f[5] for f in fits if f[5]}
    direct = [{"phrase": ph, "signal": patterns.DIRECT_LABELS[form][li], "form": form} for form, ph in a.direct] if a.direct else []
    return {"phrases": phrases, "direct": direct, "raised": _uniq(up)[:5], "lowered": _uniq(down)[:5], "personas": personas,
            "excluded": excluded,
            "urgency": [{"signal": patterns.URGENCY_LABELS[g][li], "phrase": ph} for g, ph in urg] if urg else []}


_QUESTION_FEATURES = frozenset(f"pattern:{n}" for n in ("q_title", "q_sent", "q_start", "q_ratio", "q_any"))


class _Families(dict):
    """The signal a model feature belongs to for a reader (cached per label): the question features
    are one ("asks questions"), a phrase group and its "in a question"/"in the title" variants are
    one; words and character n-grams none (None)."""

    def __missing__(self, label: str) -> str | None:
        if not label.startswith("pattern:"):
            fam = None
        elif label in _QUESTION_FEATURES:
            fam = "questions"
        else:
            fam = label.removesuffix("_q").removesuffix("_t")
        if len(self) < 100_000:
            self[label] = fam
        return fam


_FAMILY = _Families()


def _net_families(raised: list, lowered: list) -> tuple[list, list]:
    """A signal raising a score in one form and lowering it in another ("contains a question" up,
    "asks questions" down; "describes a problem" up, "… (in the title)" down) reads as a
    contradiction: such a signal stays only on the side its contributions add up to."""
    fam = _FAMILY.__getitem__
    both = set(map(fam, map(_FIRST, raised))).intersection(map(fam, map(_FIRST, lowered)))
    both.discard(None)
    if not both:
        return raised, lowered
    net = dict.fromkeys(both, 0.0)
    for label, v in raised + lowered:
        f = fam(label)
        if f in net:
            net[f] += v
    return ([x for x in raised if net.get(fam(x[0]), 0.0) >= 0],
            [x for x in lowered if net.get(fam(x[0]), -1.0) < 0])


def _uniq(xs: list[str]) -> list[str]:
    """``xs`` without repeats, first occurrences in order."""
    return list(dict.fromkeys(xs))


def _explain(lang: str, p: float, is_req: bool, intent: str, ev: dict, best: tuple | None, urgency: float) -> str:
    """``best``: the best persona's ``PersonaScorer.fits`` tuple, None if no persona fits."""
    de = lang == "de"
    pct = round(p * 100)
    parts = []
    if de:
        head = f"Hilfeanfrage ({pct} %): {_INTENT_WORDS['de'][intent]}." if is_req else f"Wohl keine Hilfeanfrage ({pct} %)."
    else:
        head = f"Help request ({pct}%): {_INTENT_WORDS['en'][intent]}." if is_req else f"Probably not a help request ({pct}%)."
    parts.append(head)
    direct = ev.get("direct", [])
    if direct:
        if all(x["form"] == "fault" for x in direct[:2]):
            # a fault report states its problem rather than asking
            parts.append(("Meldet einen Defekt am eigenen Gerät: " if de else "Reports a fault of their own: ")
                         + "; ".join(f'"{x["phrase"]}"' for x in direct[:2]) + ".")
        else:
            parts.append(("Direkte Anfrage: " if de else "Asks directly: ")
                         + "; ".join(f'"{x["phrase"]}" ({x["signal"]})' for x in direct[:2]) + ".")
    said = [x["phrase"].lower() for x in direct[:2]] if direct else []  # not repeated as evidence
    key_phrases = [f'"{x["phrase"]}" ({x["signal"]})' for x in ev["phrases"]
                   if x["group"] not in ("help_word", "provider_word") and not any(x["phrase"].lower() in d for d in said)
                   ][:4] if ev["phrases"] else []
    if key_phrases:
        parts.append(("Hinweise: " if de else "Evidence: ") + "; ".join(key_phrases) + ".")
    if ev["raised"]:
        parts.append(("Spricht dafür: " if de else "Raised by: ") + ", ".join(ev["raised"][:4]) + ".")
    if ev["lowered"]:
        parts.append(("Spricht dagegen: " if de else "Lowered by: ") + ", ".join(ev["lowered"][:4]) + ".")
    if best is not None:
        name, title, fit = best[:3]
        hits = ev["personas"].get(name, [])
        label = title or name
        parts.append((f"Passt zu „{label}“ ({fit:.0f}/100)" if de else f"Fits '{label}' ({fit:.0f}/100)")
                     + (": " + "; ".join(hits) if hits else "") + ".")
    elif ev["excluded"]:
        name, why = next(iter(ev["excluded"].items()))
        parts.append(f"Persona {name} ausgeschlossen durch „{why}“." if de else f"Persona {name} excluded by '{why}'.")
    if urgency > 0:
        sig = ", ".join(f'{u["signal"]} ("{u["phrase"]}")' for u in ev["urgency"][:3])
        parts.append((f"Dringlichkeit {urgency:.0f}/100: " if de else f"Urgency {urgency:.0f}/100: ") + sig + ".")
    return " ".join(parts)


def probabilities(clf: Classifier, items: Sequence[tuple]) -> np.ndarray:
    """Request probabilities only (for evaluation and uncertainty sampling)."""
    with _gc_paused():
        a = clf.analyzer.analyse_many([_triple(i) for i in items])
        return clf.model.request_probability(a, direct_floor=clf.settings.direct_request_floor)
