"""spaCy analysis of posts: tokens, lemmas (lookup lemmatizer from spacy-lookups-data),
request-phrase matches with the sentence they occur in, urgency signals and numeric features.

One :class:`Analyzer` holds a blank German and a blank English pipeline; it is built once
(loading the lemma tables is the slow part) and then analyses posts in batches with
``nlp.pipe``.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from spacy.attrs import LOWER, NORM, ORTH

from radar.classify import patterns
from radar.classify.text import detect_language, join_title_body

LANGS = ("de", "en")
_SENT_END = re.compile(r"[.!?…]+(?=\s|$)|\n")
_HASHTAG = re.compile(r"(?<!\w)#\w+")
_DIGIT = re.compile(r"\d")
_MATCHER_TRIGGERS = {"de": ("empfehl", "empfiehl", "wo ", "woher", "helfen", "unterstützen", "beraten"),
                     "en": ("where", "any ", "good ", "best ", "decent", "cheap", "reliable", "affordable", "help", "assist", "advise")}


@dataclass
class Match:
    group: str
    phrase: str
    in_question: bool
    in_title: bool


@dataclass
class Analysis:
    """Everything the model, the persona scorer and the explanation need about one post."""

    lang: str
    title: str
    body: str
    text: str
    lowers: list[str]
    lemmas: list[str]
    matches: list[Match] = field(default_factory=list)
    urgency: list[tuple[str, str]] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)
    direct: list[tuple[str, str]] = field(default_factory=list)
    """Direct request forms found (form, matched text): see ``patterns.DIRECT_QUESTIONS``."""

    @property
    def model_text(self) -> str:
        """Lower-cased lemmas joined: what the word n-gram model reads."""
        return " ".join(self.lemmas)


def feature_names() -> list[str]:
    """Stable order of the numeric pattern features."""
    names = []
    for g in patterns.GROUP_LABELS:
        names += [g, f"{g}_q", f"{g}_t"]
    # only features of the request itself: length, @-mentions, hashtags and the like describe the
    # *source* (tweets, forums) and let a model learn where a post came from instead
    names += ["q_title", "q_sent", "q_start", "q_ratio", "q_any", "url", "exclaim", "first_person", "second_person"]
    return names


def load_lemma_table(lang: str) -> dict[str, str]:
    """The lookup lemma table of spacy-lookups-data as a plain dict (form -> lemma).

    Reading the JSON directly takes a fraction of the time spaCy's ``Lookups`` tables need to
    build their hash maps, and a dict lookup per new word form is all the lemmatizer does."""
    import gzip
    import json

    import spacy_lookups_data

    path = spacy_lookups_data.get_file(f"{lang}_lemma_lookup.json.gz")
    with gzip.open(str(path), "rb") as fh:
        return json.loads(fh.read())


_CACHE_MAX = 500_000


class Analyzer:
    """Blank spaCy pipelines (tokenizer only) for German and English, the lookup lemma tables
    of spacy-lookups-data as dicts, and the request-phrase matchers of
    :mod:`radar.classify.patterns`."""

    def __init__(self) -> None:
        import spacy
        from spacy.matcher import Matcher, PhraseMatcher

        self.nlp = {}
        self.phrase = {}
        self.urgent = {}
        self.matcher = {}
        self.lemma_table: dict[str, dict[str, str]] = {}
        # per language: token ORTH id -> (lower-case form, lower-case lemma), None for white space
        self._tokens: dict[str, dict[int, tuple[str, str] | None]] = {}
        groups = patterns.phrase_groups()
        ugroups = patterns.urgency_groups()
        for lang in LANGS:
            nlp = spacy.blank(lang)  # tokenizer only: lemmas come from self.lemma_table
            # spaCy computes ~25 lexical attributes (shape, prefix, like_num, stop word, ...) for
            # every word form it has not seen before; the matchers read only LOWER (NORM kept for
            # spaCy's own use), so the others are not computed. Tokenization does not use them.
            getters = nlp.vocab.lex_attr_getters
            nlp.vocab.lex_attr_getters = {a: getters[a] for a in (LOWER, NORM) if a in getters}
            self.nlp[lang] = nlp
            self.lemma_table[lang] = load_lemma_table(lang)
            self._tokens[lang] = {}
            pm = PhraseMatcher(nlp.vocab, attr="LOWER")
            for g, langs in groups.items():
                pm.add(g, [nlp.make_doc(p) for p in langs.get(lang, [])])
            self.phrase[lang] = pm
            um = PhraseMatcher(nlp.vocab, attr="LOWER")
            for g, langs in ugroups.items():
                um.add(g, [nlp.make_doc(p) for p in langs.get(lang, [])])
            self.urgent[lang] = um
            m = Matcher(nlp.vocab)
            for g, pats in patterns.matcher_patterns(lang).items():
                if pats:
                    m.add(g, pats)
            self.matcher[lang] = m
        self._direct = {lang: patterns.direct_patterns(lang) for lang in LANGS}
        self._names = feature_names()

    # ------------------------------------------------------------------ public
    def analyse_many(self, items: Sequence[tuple[str | None, str | None, str | None]], batch_size: int = 256) -> list[Analysis]:
        """Analyse ``(title, body, lang)`` triples; ``lang`` None means detect it."""
        prepared = []
        for title, body, lang in items:
            t, b, text = join_title_body(title, body)
            lang = lang if lang in ("de", "en", "other") else detect_language(text)
            prepared.append((t, b, text, lang))
        out: list[Analysis | None] = [None] * len(prepared)
        for lang in LANGS:
            idx = [i for i, p in enumerate(prepared) if (p[3] if p[3] in LANGS else "en") == lang]
            if not idx:
                continue
            nlp = self.nlp[lang]
            docs = nlp.pipe((prepared[i][2] for i in idx), batch_size=batch_size)
            for i, doc in zip(idx, docs):
                t, b, text, real_lang = prepared[i]
                out[i] = self._analyse_doc(doc, lang, real_lang, t, b, text)
        return out  # type: ignore[return-value]

    def analyse(self, title: str | None, body: str | None, lang: str | None = None) -> Analysis:
        return self.analyse_many([(title, body, lang)])[0]

    def vector(self, a: Analysis) -> list[float]:
        f = a.features
        return [f.get(n, 0.0) for n in self._names]

    # ------------------------------------------------------------------ internals
    def _analyse_doc(self, doc, lang: str, real_lang: str, title: str, body: str, text: str) -> Analysis:
        # one array read instead of creating a Token object per token (the main cost of a loop)
        strings = doc.vocab.strings
        cache = self._tokens[lang]
        if len(cache) > _CACHE_MAX:
            cache.clear()
        orths = doc.to_array(ORTH).tolist()
        try:
            toks = [cache[o] for o in orths]
        except KeyError:  # word forms not seen before
            table = self.lemma_table[lang]
            for orth in orths:
                if orth not in cache:
                    s = strings[orth]
                    # the lookup lemmatizer's rule: the table entry of the exact form, else the form
                    cache[orth] = None if s.isspace() else (s.lower(), table.get(s, s).lower())
            toks = [cache[o] for o in orths]
        if None in toks:  # white-space tokens
            toks = [t for t in toks if t is not None]
        lowers = [t[0] for t in toks]
        lemmas = [t[1] for t in toks]
        # sentence spans by character offset (cheaper than a Python loop over tokens)
        ends = [m.end() for m in _SENT_END.finditer(text)]
        if not ends or ends[-1] < len(text):
            ends.append(len(text))
        starts = [0] + ends[:-1]
        is_q = [text[s:e].rstrip().endswith("?") for s, e in zip(starts, ends)]
        title_end = len(title) if body else len(text)

        def sent_of(char: int) -> int:
            return min(bisect.bisect_right(ends, char), len(ends) - 1)

        matches: list[Match] = []
        seen = set()
        found = list(self.phrase[lang](doc))
        # the token Matcher walks every token in Python; run it only where its first word occurs
        low_text = text.lower()
        if any(w in low_text for w in _MATCHER_TRIGGERS[lang]):
            found += list(self.matcher[lang](doc))
        for match_id, s, e in found:
            span = doc[s:e]
            group = doc.vocab.strings[match_id]
            key = (group, span.start_char)
            if key in seen:
                continue
            seen.add(key)
            si = sent_of(span.start_char)
            matches.append(Match(group, span.text, is_q[si], span.start_char < title_end))
        # the "X or Y?" expression needs " or "/" oder " and a question mark: skip it otherwise
        comparisons = (patterns.COMPARISON_QUESTION.finditer(text)
                       if "?" in text and (" or " in low_text or " oder " in low_text) else ())
        for cm in comparisons:
            si = sent_of(cm.start())
            matches.append(Match("ask_comparison", cm.group(0), True, cm.start() < title_end))
        # keep the longest phrase per group and position (e.g. "kann mir jemand helfen" over "kann mir jemand")
        matches = _longest(matches)
        urgency = []
        useen = set()
        for match_id, s, e in self.urgent[lang](doc):
            group = doc.vocab.strings[match_id]
            span = doc[s:e]
            if (group, span.start_char) not in useen:
                useen.add((group, span.start_char))
                urgency.append((group, span.text))

        f: dict[str, float] = {}
        for m in matches:
            f[m.group] = min(f.get(m.group, 0) + 1, 3)
            if m.in_question:
                f[m.group + "_q"] = min(f.get(m.group + "_q", 0) + 1, 3)
            if m.in_title:
                f[m.group + "_t"] = 1.0
        n_sent = len(ends)
        n_q = sum(is_q)
        inter = patterns.INTERROGATIVES[lang]
        q_start = 0
        for s, e, q in zip(starts, ends, is_q):
            if q:
                first = text[s:e].strip().split(" ", 1)[0].lower().strip("„\"'(¿")
                if first in inter:
                    q_start += 1
        title_q = title.rstrip().endswith("?") if title else (is_q[0] if is_q else False)
        fp, sp = patterns.FIRST_PERSON[lang], patterns.SECOND_PERSON[lang]
        n_tok = max(len(lowers), 1)
        f.update({
            "q_title": float(title_q),
            "q_sent": float(min(n_q, 5)),
            "q_start": float(min(q_start, 3)),
            "q_ratio": n_q / n_sent if n_sent else 0.0,
            "q_any": float(n_q > 0),
            "n_sent": math.log1p(n_sent),
            "log_len": math.log1p(len(text)),
            "short": float(len(lowers) < 6),
            "url": float("URL" in text),
            "hashtags": float(min(len(_HASHTAG.findall(text)), 3)) if "#" in text else 0.0,
            "mention": float(text.startswith("@user") or text.startswith(".@user")),
            "exclaim": float(min(text.count("!"), 3)),
            "first_person": min(sum(map(fp.__contains__, lowers)) / n_tok * 10, 3.0),
            "second_person": min(sum(map(sp.__contains__, lowers)) / n_tok * 10, 3.0),
            "digits": float(len(_DIGIT.findall(text)) / max(len(text), 1) > 0.05),
            "has_body": float(bool(title and body)),
        })
        return Analysis(lang=real_lang, title=title, body=body, text=text, lowers=lowers, lemmas=lemmas,
                        matches=matches, urgency=urgency, features=f,
                        direct=self._direct_forms(lang, title, body, text, matches, starts, ends, is_q))

    def _direct_forms(self, lang: str, title: str, body: str, text: str, matches: list[Match],
                      starts: list[int], ends: list[int], is_q: list[bool]) -> list[tuple[str, str]]:
        """Direct request forms (``patterns.DIRECT_QUESTIONS``/``DIRECT_OPENINGS``/``CHOICE_TITLE``);
        none in a job advert or an offer ("Wir suchen einen Elektriker (m/w/d)")."""
        if any(m.group in ("job_ad", "offer") for m in matches):
            return []
        questions, openings = self._direct[lang]
        out: list[tuple[str, str]] = []
        for s, e, q in zip(starts, ends, is_q):
            if q:
                sentence = text[s:e]
                for form, rx in questions:
                    if (m := rx.search(sentence)):
                        out.append((form, m.group(0).strip()))
        opening = title if title else text[starts[0]:ends[0]].strip()
        for rx in openings:
            if rx.search(opening):
                out.append(("seek", opening if len(opening) <= 80 else opening[:79] + "…"))
                break
        if title and body and patterns.CHOICE_TITLE.search(title) and any(is_q[1:]):
            out.append(("comparison", title))
        return out


def _longest(matches: list[Match]) -> list[Match]:
    by_group: dict[str, list[Match]] = {}
    for m in matches:
        by_group.setdefault(m.group, []).append(m)
    out = []
    for ms in by_group.values():
        ms.sort(key=lambda m: -len(m.phrase))
        kept: list[Match] = []
        for m in ms:
            if not any(m.phrase.lower() in k.phrase.lower() for k in kept):
                kept.append(m)
        out.extend(kept)
    return out


def iter_batches(items: Iterable, size: int):
    batch = []
    for it in items:
        batch.append(it)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
