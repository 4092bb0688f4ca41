"""spaCy analysis of posts: tokens, lemmas (lookup lemmatizer from spacy-lookups-data),
request-phrase matches with the sentence they occur in, urgency signals and numeric features.

One :class:`Analyzer` holds a blank German and a blank English pipeline; it is built once
(loading the lemma tables is the slow part) and then analyses posts in batches; tokens are
cached per white-space piece and each post's ``Doc`` is built from words (see
:meth:`Analyzer._tokenize_many`).
"""

from __future__ import annotations

import bisect
import math
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, filterfalse, islice
from operator import getitem, itemgetter
from pathlib import Path
from typing import Any

from spacy.attrs import LOWER, NORM, ORTH, SPACY
from spacy.tokens import Doc

from radar.classify import patterns
from radar.classify.text import detect_language, join_title_body

LANGS = ("de", "en")
_SENT_END = re.compile(r"[.!?…]+(?=\s|$)|\n")
# A full stop that ends no sentence: after an abbreviation ("z.B. Windows", "bzw. die", "e.g. Linux",
# "Dr. Müller") or, in German, after an ordinal number ("in der 1. Klasse", "am 3. Oktober", "im 2.
# Stock") -- but "Ich bin 28. Ich wohne …" ends one (a pronoun or conjunction opens the next).
_ABBREVIATION = re.compile(r"(?:^|[\s(])(?:z\.\s?b|bzw|ca|evtl|ggf|inkl|vgl|nr|str|u\.a|d\.h|bspw|zb|e\.g|i\.e|vs|"
                           r"dr|mr|mrs|ms|st|approx)$", re.IGNORECASE)
_ORDINAL = re.compile(r"(?:^|\s)\d{1,2}$")
_ORDINAL_NEXT = re.compile(r"\s+(?!(?:ich|wir|du|ihr|er|sie|es|man|das|dies|der|die|und|aber|dann|danach|jetzt|"
                           r"heute|also|da|doch|nun|seit|mein|meine|unser|unsere)\b)\w", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<!\w)#\w+")
_DIGIT = re.compile(r"\d")
_RUNS = re.compile(r"\s+|\S+")  # \s is str.isspace(), the white space spaCy's tokenizer splits on
_FIRST, _SECOND, _THIRD, _LAST = itemgetter(0), itemgetter(1), itemgetter(2), itemgetter(-1)
_OTHER_SPACE = re.compile(r"[^\S \n]")  # white space other than " " and "\n" (one character class: fast)
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


def lemma_cache_dir() -> Path:
    """Where :func:`load_lemma_table` keeps its fast copies: ``$RADAR_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/business-radar``, else ``~/.cache/business-radar``."""
    if os.environ.get("RADAR_CACHE_DIR"):
        return Path(os.environ["RADAR_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "business-radar"


def load_lemma_table(lang: str) -> dict[str, str]:
    """The lookup lemma table of spacy-lookups-data as a plain dict (form -> lemma).

    Reading the JSON directly takes a fraction of the time spaCy's ``Lookups`` tables need to
    build their hash maps, and a dict lookup per new word form is all the lemmatizer does. The
    dict is also kept in :func:`lemma_cache_dir` in ``marshal`` form, which loads in about half the
    time of the gzipped JSON (the German table has 355,000 entries; it is most of the classifier's
    load time). The copy's name carries the source file's size and CRC-32 (the same copy serves
    every installation of the same spacy-lookups-data) and the Python and marshal versions; a copy
    that cannot be read is replaced, copies of other versions of the table are removed when a new
    one is written, and where nothing can be written the JSON is read each time."""
    import gzip
    import json
    import marshal
    import zlib

    import spacy_lookups_data

    path = Path(spacy_lookups_data.get_file(f"{lang}_lemma_lookup.json.gz"))
    cache = None
    try:
        raw = path.read_bytes()  # ~1 MB: its checksum names the copy (~1 ms)
        cache = lemma_cache_dir() / (f"lemma-{lang}-{len(raw)}-{zlib.crc32(raw):08x}-"
                                     f"py{sys.version_info[0]}{sys.version_info[1]}m{marshal.version}.marshal")
        table = marshal.loads(cache.read_bytes())
        if isinstance(table, dict):
            return table
    except (OSError, EOFError, ValueError, TypeError):
        pass  # no copy yet, or a damaged one: read the JSON and write the copy again
    with gzip.open(str(path), "rb") as fh:
        table = json.loads(fh.read())
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps(table))
            os.replace(tmp, cache)  # atomic: a reader sees the old state or the whole copy
            for old in cache.parent.glob(f"lemma-{lang}-*.marshal"):
                if old != cache:  # another version's copy (an upgraded spacy-lookups-data or Python)
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # read-only home or full disk: the JSON is read next time too
    return table


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
        # per language: white-space separated piece of text -> its tokens (see _tokenize_many)
        self._pieces: dict[str, dict[str, tuple[tuple[int, ...], tuple[tuple[str, str], ...], tuple]]] = {}
        self._boundaries: dict[str, dict[tuple[str, str], list[tuple[str, str]]]] = {}
        self._plain_args: dict[str, tuple[frozenset[str], Any, Any]] = {}
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
            self._pieces[lang] = {}
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
        self._direct_titles = {lang: patterns.direct_title_patterns(lang) for lang in LANGS}
        self._direct_faults = {lang: patterns.direct_fault_patterns(lang) for lang in LANGS}
        self._question_keys = {lang: _key_index(self._direct[lang][0]) for lang in LANGS}
        self._statement_keys = {lang: _key_index(self._direct[lang][2]) for lang in LANGS}
        self._guide = {lang: re.compile(patterns.GUIDE_VETO[lang], re.IGNORECASE) for lang in LANGS}
        self._purchase = {lang: re.compile(patterns.PURCHASE_TITLES[lang], re.IGNORECASE) for lang in LANGS}
        self._names = feature_names()

    # ------------------------------------------------------------------ public
    def analyse_many(self, items: Sequence[tuple[str | None, str | None, str | None]], batch_size: int = 256) -> list[Analysis]:
        """Analyse ``(title, body, lang)`` triples; ``lang`` None means detect it. (``batch_size``
        is not used any more: the texts of one call are tokenized together, see _tokenize_many.)"""
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
            docs = self._tokenize_many(lang, [prepared[i][2] for i in idx])
            for i, (doc, toks) in zip(idx, docs):
                t, b, text, real_lang = prepared[i]
                out[i] = self._analyse_doc(doc, lang, real_lang, t, b, text, toks)
        return out  # type: ignore[return-value]

    def analyse(self, title: str | None, body: str | None, lang: str | None = None) -> Analysis:
        return self.analyse_many([(title, body, lang)])[0]

    def vector(self, a: Analysis) -> list[float]:
        f = a.features
        return [f.get(n, 0.0) for n in self._names]

    # ------------------------------------------------------------------ internals
    def _tokenize_many(self, lang: str, texts: Sequence[str]) -> list[tuple[Any, list[tuple[str, str]] | None]]:
        """The spaCy ``Doc`` of each text and its ``(lower-case form, lemma)`` pairs (white-space
        tokens left out; ``None`` where they are to be read from the ``Doc``).

        spaCy's tokenizer splits a text at white space and tokenizes each piece on its own. Its
        cache of pieces is not used for the rest of a text once a piece was a special case (the
        line break between title and body, "I'm", "z.B."), so most pieces went through the affix
        expressions again, and a ``Doc`` from the tokenizer costs ~40 µs even when all pieces
        are cached. Here each distinct piece is tokenized once and its tokens and lemmas are
        kept; a text's ``Doc`` is built from its words (``Doc(vocab, words, spaces)``: the same
        tokens, texts and character offsets as ``nlp(text)``). The pieces not seen before are
        tokenized together, one ``Doc`` per batch (see :meth:`_learn_pieces`).

        A piece tokenizes the same alone as within a text unless spaCy's matcher of special cases
        finds a special case across two pieces (that would keep it from splitting a special case
        inside one piece): a text where two adjacent pieces end and start with two tokens of a
        special case (``_special_boundaries``, ~5 % of the bench posts, e.g. "Re: DB" for ":D")
        goes through the tokenizer unless the tokens on either side rule it out (:meth:`_apart`,
        ~4 of 5 of them)."""
        cache = self._pieces[lang]
        if len(cache) > _CACHE_MAX:
            cache.clear()
        layouts = [self._layout(lang, text) for text in texts]
        new = set(filterfalse(cache.__contains__, chain.from_iterable(lay[0] for lay in layouts if lay is not None)))
        if new:
            self._learn_pieces(lang, new)
        vocab = self.nlp[lang].vocab
        out = []
        for text, lay in zip(texts, layouts):
            if lay is None or (lay[2] and not self._apart(lang, lay[0], lay[2])):
                out.append((self.nlp[lang].make_doc(text), None))
                continue
            pieces, spaced, _ = lay
            # each piece's cache entry is (word ids, tokens, spaces by "a space follows"); the
            # text's lists are their concatenations, joined in C (map/chain) instead of a
            # Python loop with three list extensions per piece. The words are given to the
            # Doc as their ORTH ids (string hashes): the Doc then finds each lexeme by its id
            # instead of hashing the word's UTF-8 bytes again (60 words: ~17 -> ~6 µs; the
            # lexemes were made when the piece was learnt, see _learn_pieces).
            entries = list(map(cache.__getitem__, pieces))
            words = list(chain.from_iterable(map(_FIRST, entries)))
            toks = list(chain.from_iterable(map(_SECOND, entries)))
            spaces = list(chain.from_iterable(map(getitem, map(_THIRD, entries), spaced)))
            out.append((Doc(vocab, words=words, spaces=spaces), toks))
        return out

    def _special_boundaries(self, lang: str) -> dict[tuple[str, str], list[tuple[str, str]]]:
        # built on first use (~0.05 s a language), not in the constructor: the cold start counts
        got = self._boundaries.get(lang)
        if got is None:
            got = self._boundaries[lang] = _special_boundaries(self.nlp[lang].tokenizer)
        return got

    def _plain(self, lang: str) -> tuple[frozenset[str], Any, Any]:
        """What :func:`_plain_tokens` needs of the tokenizer of ``lang`` (built on first use)."""
        got = self._plain_args.get(lang)
        if got is None:
            tok = self.nlp[lang].tokenizer
            # the fast path for "word," assumes no token_match (None in the blank de/en pipelines;
            # it would keep a matching piece whole); without it, only pure letter pieces qualify
            suffix = tok.suffix_search if tok.token_match is None else None
            got = self._plain_args[lang] = (frozenset(tok.rules), tok.prefix_search, suffix)
        return got

    def _layout(self, lang: str, text: str) -> tuple[list[str], list[bool], list] | None:
        """The pieces of ``text`` as spaCy's tokenizer sees them (runs of white space and of other
        characters; a single space after a token is that token's ``whitespace_``, not a piece),
        whether a space follows each, and the boundaries where two adjacent pieces could form a
        special case (``(index of the second piece, [(a, b), ...])``, see :meth:`_apart`);
        ``None`` if the first piece could form one with the text's start.

        Normalised texts have single spaces and line breaks between their pieces (``normalise``
        collapses other white space): such a text is split with ``str.split`` and its boundaries
        are ruled out with one ``isdisjoint`` of the (last, first) character pairs, all in C;
        other texts (or a possible special case) take the loop over ``_RUNS``."""
        boundaries = self._special_boundaries(lang)
        if text and not text[0].isspace() and not text[-1].isspace() and "  " not in text \
                and _OTHER_SPACE.search(text) is None \
                and ("\n" not in text or not (" \n" in text or "\n " in text or "\n\n" in text)):
            # white space only as single " " or "\n" between pieces: the pieces are the parts
            # between them and the line breaks; a space follows a part unless it or the next
            # part is a line break (the last part: nothing follows)
            if "\n" in text:
                pieces = text.replace("\n", " \n ").split(" ")
                spaced = [True] * len(pieces)
                i = -1
                try:
                    while True:
                        i = pieces.index("\n", i + 1)
                        spaced[i] = spaced[i - 1] = False
                except ValueError:
                    pass
            else:
                pieces = text.split(" ")
                spaced = [True] * len(pieces)
            spaced[-1] = False
            if boundaries.keys().isdisjoint(zip(map(_LAST, pieces), map(_FIRST, pieces[1:]))):
                return pieces, spaced, []
        pieces = []
        spaced = []
        flagged: list[tuple[int, list[tuple[str, str]]]] = []
        prev = " "
        for piece in _RUNS.findall(text):
            if piece[0] == " " and pieces:
                spaced[-1] = True
                piece = piece[1:]
                if not piece:
                    continue
            pairs = boundaries.get((prev[-1], piece[0]))
            if pairs:
                hits = [(a, b) for a, b in pairs if prev.endswith(a) and piece.startswith(b)]
                if hits:
                    if not pieces:
                        return None
                    flagged.append((len(pieces), hits))
            pieces.append(piece)
            spaced.append(False)
            prev = piece
        return pieces, spaced, flagged

    def _apart(self, lang: str, pieces: list[str], flagged: list[tuple[int, list[tuple[str, str]]]]) -> bool:
        """True if no special case can span the ``flagged`` boundaries of ``pieces``.

        spaCy's matcher of special cases matches a case's tokens (as tokenized without special
        cases) on the text's tokens before special cases are applied. A match across the
        boundary of pieces ``p`` and ``q`` holds two adjacent tokens of a case, ``(a, b)``, that
        are the last token of ``p`` and the first of ``q``; :meth:`_layout` flags a boundary
        where ``p`` ends with some ``a`` and ``q`` starts with its ``b``. A piece that
        :func:`_plain_tokens` takes has certain tokens, the same before and after special cases
        (it holds none): if ``q`` is such a piece and its first token is not ``b``, or ``p`` and
        its last token is not ``a``, the pair cannot match there ("Re: DB" is no ":D")."""
        plain = self._plain(lang)
        for k, hits in flagged:
            p_words = _plain_tokens(pieces[k - 1], *plain)
            q_words = _plain_tokens(pieces[k], *plain)
            for a, b in hits:
                if not ((q_words is not None and q_words[0] != b) or (p_words is not None and p_words[-1] != a)):
                    return False
        return True

    def _learn_pieces(self, lang: str, new: set[str]) -> None:
        """Tokenize pieces not seen before and keep their words (as ORTH ids of lexemes in the
        vocabulary), ``(lower-case form, lemma)`` pairs and ``spaces`` (no space after the last
        word / a space after it)."""
        tokenizer = self.nlp[lang].tokenizer
        boundaries = self._special_boundaries(lang)
        # pieces whose tokens are certain without spaCy's tokenizer (~80 % of the new pieces,
        # which cost ~20 µs each in it): see _plain_tokens
        plain = self._plain(lang)
        done: list[str] = []
        done_groups: list[list[str]] = []
        alone = [p for p in new if p.isspace()]  # white space joined with spaces would merge
        joined: list[str] = []
        prev = " "
        for piece in sorted(new):  # sorted: the same batch gives the same cache in every run
            if piece.isspace():
                continue
            words = _plain_tokens(piece, *plain)
            if words is not None:
                done.append(piece)
                done_groups.append(words)
                continue
            pairs = boundaries.get((prev[-1], piece[0]))
            if pairs and any(prev.endswith(a) and piece.startswith(b) for a, b in pairs):
                alone.append(piece)
            else:
                joined.append(piece)
                prev = piece
        groups: list[list[str]] = []
        if joined:
            # one Doc for all pieces, separated by single spaces: a piece ends at a token that
            # has a space after it (spaCy keeps the last token's space through special cases)
            doc = tokenizer(" ".join(joined))
            arr = doc.to_array([ORTH, SPACY]).tolist()
            strings = doc.vocab.strings
            group: list[str] = []
            for orth, space in arr:
                group.append(strings[orth])
                if space:
                    groups.append(group)
                    group = []
            groups.append(group)
            if len(groups) != len(joined) or any("".join(g) != p for g, p in zip(groups, joined)):
                alone += joined  # not expected; tokenize each piece alone instead
                groups, joined = [], []
        for piece in alone:
            groups.append([t.text for t in tokenizer(piece)])
            joined.append(piece)
        joined += done
        groups += done_groups
        table = self.lemma_table[lang]
        cache = self._pieces[lang]
        # the ORTH ids of all words, from one Doc of them: it makes the lexemes of words the
        # vocabulary has not seen (as each post's Doc did before), so the posts' Docs find
        # every word by its id
        orths = iter(Doc(tokenizer.vocab, words=list(chain.from_iterable(groups))).to_array(ORTH).tolist())
        for piece, words in zip(joined, groups):
            n = len(words)
            # the lookup lemmatizer's rule: the table entry of the exact form, else the form
            cache[piece] = (tuple(islice(orths, n)),
                            tuple((w.lower(), table.get(w, w).lower()) for w in words if not w.isspace()),
                            ((False,) * n, (False,) * (n - 1) + (True,)))

    def _analyse_doc(self, doc, lang: str, real_lang: str, title: str, body: str, text: str,
                     toks: list[tuple[str, str]] | None = None) -> Analysis:
        if toks is None:
            toks = self._doc_tokens(doc, lang)
        lowers = list(map(_FIRST, toks))  # in C, not a comprehension per field
        lemmas = list(map(_SECOND, toks))
        # sentence spans by character offset (cheaper than a Python loop over tokens)
        ends = sentence_ends(text, lang)
        starts = [0] + ends[:-1]
        is_q = [text[s:e].rstrip().endswith("?") for s, e in zip(starts, ends)]
        title_end = len(title) if body else len(text)
        # the direct forms also read a body's questions without a question mark (patterns.UNMARKED_QUESTION;
        # not a title's sentence, not a body that marks its questions anyway); the model's question
        # features count the marked ones only (bench/README "unmarked questions")
        direct_q = is_q
        if body and "?" not in text[title_end:]:
            unmarked = patterns.UNMARKED_QUESTION[lang]
            direct_q = [q or (s >= title_end and not text[s:e].rstrip().endswith("!") and unmarked.match(text, s, e) is not None)
                        for s, e, q in zip(starts, ends, is_q)]

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
                        direct=self._direct_forms(lang, title, body, text, low_text, matches, starts, ends, direct_q))

    def _doc_tokens(self, doc, lang: str) -> list[tuple[str, str]]:
        """``(lower-case form, lemma)`` of the tokens of ``doc`` (white-space tokens left out)."""
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
        return toks

    def _direct_forms(self, lang: str, title: str, body: str, text: str, low_text: str, matches: list[Match],
                      starts: list[int], ends: list[int], is_q: list[bool]) -> list[tuple[str, str]]:
        """Direct request forms: question forms in question sentences (``patterns.DIRECT_QUESTIONS``),
        a title that asks without a question mark (``DIRECT_TITLES``), polite requests stated anywhere
        (``DIRECT_STATEMENTS``), an opening (``DIRECT_OPENINGS``) and a
        choice title (``CHOICE_TITLE``, not a rhetorical one); none in a job advert or an offer ("Wir
        suchen einen Elektriker (m/w/d)"; ``patterns.DIRECT_VETO``) nor in an article's teaser that asks
        its reader's question to answer it ("… Jetzt lesen!", "5 signs …"; ``patterns.GUIDE_VETO``)."""
        veto = patterns.DIRECT_VETO
        if any(m.group in veto and not m.in_question and m.phrase.lower() in veto[m.group] for m in matches):
            return []
        # a poll's call to vote or discuss ("Stimmen Sie ab in unserer Umfrage!", "Discuss.")
        if any(w in low_text for w in _POLL_WORDS) and patterns.POLL_VETO.search(text):
            return []
        # an article's teaser: its own phrases stated, or a list title ("5 Tipps …", "5 signs …")
        if (title and patterns.GUIDE_TITLE.search(title)) \
                or any(not is_q[min(bisect.bisect_right(ends, g.start()), len(ends) - 1)]
                       for g in self._guide[lang].finditer(text)):
            return []
        questions, openings, statements = self._direct[lang]
        out: list[tuple[str, str]] = []
        # only the forms that can start at one of the text's words are tried (patterns.word_start_keys)
        keys = None
        if any(is_q):
            keys = {w[:3] for w in _WORDS.findall(low_text)}
            tried = _keyed(self._question_keys[lang], keys)
            for s, e, q in zip(starts, ends, is_q):
                if q:
                    sentence = text[s:e]
                    for i in tried:
                        form, rx = questions[i]
                        if (m := rx.search(sentence)):
                            out.append((form, _phrase(m)))
        if title and not title.endswith("?") \
                and any(w in title.lower() for w in patterns.TITLE_TRIGGERS.get(lang, ())):
            # a title that asks without a question mark
            for form, rx in self._direct_titles[lang]:
                if (m := rx.search(title)):
                    out.append((form, _phrase(m)))
                    break
        if any(w in low_text for w in patterns.STATEMENT_TRIGGERS.get(lang, ())):
            if keys is None:
                keys = {w[:3] for w in _WORDS.findall(low_text)}
            for i in _keyed(self._statement_keys[lang], keys):
                form, rx = statements[i]
                if (m := rx.search(text)):
                    out.append((form, _phrase(m)))
        faults, fault_title = self._direct_faults[lang]
        fault = None
        if any(w in low_text for w in patterns.FAULT_TRIGGERS.get(lang, ())):
            # the owner's own words, not a support worker's story quoting a caller ("> Cust: … my laptop
            # isn't working", "\"Good morning, my computer won't connect …\"")
            for rx in faults:
                if (fault := next((m for m in rx.finditer(text) if not _in_quote(text, m.start())), None)):
                    out.append(("fault", _phrase(fault)))
                    break
        # the title names the fault, the body tells one's own case (a news summary does not say "I");
        # once: a body that names it too ("My laptop won't turn on") is the evidence already
        if fault is None and title and body and fault_title is not None and (m := fault_title.search(title)) \
                and (_FIRST_PERSON[lang].search(body) or _OWN_CASE[lang].search(body)):
            out.append(("fault", _phrase(m)))
        # a purchase asked for by naming it: the thing and its use in the title, a budget, one's own words
        if title and body and not out and (m := self._purchase[lang].search(title)) \
                and patterns.BUDGET.search(text) and patterns.PURCHASE_FIRST_PERSON[lang].search(body):
            out.append(("purchase", title if len(title) <= 80 else title[:79] + "…"))
        opening = title if title else text[starts[0]:ends[0]].strip()
        # a post opens with what it seeks in its title or, under a title that names the thing
        # ("Elektriker für Altbau"), in its body's first sentence ("Hallo, wir suchen einen …")
        openings_of = [opening]
        if title and body:
            openings_of.append(body[:first_sentence_end(body, lang)].strip())
        for opening_form, rx in openings:
            hit = next((op for op in openings_of if rx.search(op)), None)
            if hit:
                # once, with the opening sentence as the evidence (a statement form may have found its start)
                out = [(form, phrase) for form, phrase in out if form != "seek"]
                out.append((opening_form, hit if len(hit) <= 80 else hit[:79] + "…"))
                break
        if title and body and any(is_q[1:]) and (m := patterns.CHOICE_TITLE.search(title)) \
                and not patterns.RHETORICAL_CHOICE.search(title) and not patterns.CHOICE_POLL.search(text):
            one, other = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
            if one.strip().lower() != other.strip().lower():  # not "X or X?"
                out.append(("comparison", title))
        # two expressions of a form that found the same words are one piece of evidence, and so are words
        # inside another's ("Any help" in "Any help is appreciated", found as a question and as a plea)
        return _merge_evidence(out) if len(out) > 1 else out


_WORDS = re.compile(r"\w+")
_POLL_WORDS = ("stimm", "umfrage", "vote", "poll", "diskutiert", "discuss")
"""Words every patterns.POLL_VETO match has: the expression runs only where one occurs."""


def _merge_evidence(out: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``out`` without repeats: a (form, phrase) whose phrase stands, in any case, inside another
    phrase of the same form is left out; the first of equal ones is kept."""
    uniq = list(dict.fromkeys(out))
    low = [(form, phrase.lower()) for form, phrase in uniq]
    keep = []
    for i, (form, phrase) in enumerate(low):
        if not any(j != i and f == form and phrase in other and (phrase != other or j < i) for j, (f, other) in enumerate(low)):
            keep.append(uniq[i])
    return keep


def _key_index(forms: Sequence[tuple[str, re.Pattern]]) -> tuple[tuple[int, ...], dict[str, tuple[int, ...]]]:
    """The positions of ``forms`` to try always (no key could be read off them) and, per word key
    (``patterns.word_start_keys``: a word's first three characters), the positions to try when a
    text has a word with that key."""
    always, by_key = [], {}
    for i, (_form, rx) in enumerate(forms):
        keys = patterns.word_start_keys(rx, 3)
        if keys is None:
            always.append(i)
        else:
            for k in keys:
                by_key.setdefault(k, []).append(i)
    return tuple(always), {k: tuple(v) for k, v in by_key.items()}


def _keyed(index: tuple[tuple[int, ...], dict[str, tuple[int, ...]]], keys: set[str]) -> list[int]:
    """The positions, in order, of the forms of ``index`` (:func:`_key_index`) to try on a text
    whose words have ``keys``."""
    always, by_key = index
    tried = set(always)
    for key in keys:
        if (forms := by_key.get(key)):
            tried.update(forms)
    return sorted(tried)


_FIRST_PERSON = {"en": re.compile(r"\b(?:i|i'm|im|i've|ive|my|me)\b", re.IGNORECASE),
                 "de": re.compile(r"\b(?:ich|mein\w*|mir|mich|wir|unser\w*)\b", re.IGNORECASE)}
# a terse body that tells one's own case without "I": "HP Officejet, tried new cartridges. Any ideas?"
# (not "help", "please", "thanks": a news summary has them too, "Thanks to the new chip …")
_OWN_CASE = {"en": re.compile(r"\b(?:tried|any ideas?|anyone|anybody|thx|already (?:swapped|replaced|reinstalled|reset|"
                              r"updated|checked|cleaned))\b", re.IGNORECASE),
             "de": re.compile(r"\b(?:versucht|probiert|ideen|jemand|(?:schon|bereits) (?:\w+ )?(?:getauscht|ausgetauscht|"
                              r"gewechselt|neu installiert|zurückgesetzt|geprüft|gereinigt))\b", re.IGNORECASE)}


def _in_quote(text: str, pos: int) -> bool:
    """Whether ``pos`` lies in quoted speech: its line is a Markdown quote ("> …") or a quotation mark
    opened before it on the line is not closed ("…", „…“, “…”)."""
    line = text[text.rfind("\n", 0, pos) + 1:pos]
    if line.lstrip().startswith(">"):
        return True
    if line.count('"') % 2:
        return True
    if "„" in line:
        return line.count("„") > line.count("“")
    return line.count("“") > line.count("”")


def _iter_sentence_ends(text: str, lang: str):
    """Offsets where the sentences of ``text`` end, in order, not after an abbreviation's or a German
    ordinal's full stop (the end of the text is not included unless a mark is there)."""
    for m in _SENT_END.finditer(text):
        s, e = m.span()
        if text[s:e] == "." and e < len(text):
            before = text[max(0, s - 8):s]
            if _ABBREVIATION.search(before) or (lang == "de" and _ORDINAL.search(before)
                                                 and _ORDINAL_NEXT.match(text, e)):
                continue
        yield e


def sentence_ends(text: str, lang: str) -> list[int]:
    """Offsets where the sentences of ``text`` end (the last one is ``len(text)``), not after an
    abbreviation's or a German ordinal's full stop."""
    ends = list(_iter_sentence_ends(text, lang))
    if not ends or ends[-1] < len(text):
        ends.append(len(text))
    return ends


def first_sentence_end(text: str, lang: str) -> int:
    """Where the first sentence of ``text`` ends (only as far into the text as needed)."""
    return next(_iter_sentence_ends(text, lang), len(text))


def _phrase(m: re.Match) -> str:
    """The words a direct form matched, as evidence: without the punctuation of the sentence before
    (a form that opens a sentence or follows a comma starts there: ". Please help", ", etwas anderes?"); a
    long one (a quote and its question two sentences on) as its start and its end."""
    phrase = " ".join(m.group(0).lstrip(" \n.!?,;:").split())
    if len(phrase) > 90:  # whole words: the first ones up to 40 characters, the last ones up to 40
        head, tail = phrase[:41].rsplit(" ", 1)[0], phrase[-41:].split(" ", 1)[-1]
        phrase = head + " … " + tail
    return phrase


_TRAILING = frozenset(",.!?:;")


def _plain_tokens(piece: str, rules: frozenset[str], prefix_search, suffix_search) -> list[str] | None:
    """The tokens spaCy's tokenizer makes of ``piece`` (no white space) where they are certain
    without running it, else ``None``:

    - letters only (``str.isalpha``), not a special case: one token. spaCy splits a piece only by
      a special case (a key of ``tokenizer.rules``, matched case-sensitively on the whole piece
      or, by its matcher of special cases, on a sequence of the piece's tokens -- here the one
      token, i.e. the whole piece again) or by its prefix, suffix and infix expressions, and none
      of those matches a string of letters only: each alternative needs a character that is not
      a letter (punctuation, symbols, quotes, digits), also in its look-behinds/-aheads.
      (``token_match``/``url_match`` only keep a piece whole.) Checked against
      ``nlp.tokenizer(piece)`` for every piece of the shared posts, every letter of Unicode and
      random letter strings (see bench/README.md).
    - letters + one of ``,.!?:;``, neither the piece nor its letters a special case, no
      ``token_match``: the letters and the mark if spaCy's own suffix expression takes exactly
      the mark off (it does not always, e.g. "A." may stay whole) and its prefix expression
      finds nothing; what remains, the letters, then splits no further (first case), and the
      matcher of special cases finds none in [letters, mark] (neither is a case, nor the piece).
    """
    if piece.isalpha():
        return None if piece in rules else [piece]
    if suffix_search is None or piece[-1] not in _TRAILING:
        return None
    word = piece[:-1]
    if not word.isalpha() or piece in rules or word in rules or piece[-1] in rules \
            or prefix_search(piece) is not None:
        return None
    m = suffix_search(piece)
    if m is None or m.start() != len(word):
        return None
    return [word, piece[-1]]


def _special_boundaries(tokenizer) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Every two adjacent tokens ``(a, b)`` of a special case as spaCy's matcher of special
    cases sees it (the case tokenized without special cases), by the last character of ``a``
    and the first of ``b``. Two pieces of a text can only form a special case together where
    the first ends with such an ``a`` and the next starts with its ``b``."""
    from spacy.tokenizer import Tokenizer

    plain = Tokenizer(tokenizer.vocab, rules={}, prefix_search=tokenizer.prefix_search,
                      suffix_search=tokenizer.suffix_search, infix_finditer=tokenizer.infix_finditer,
                      token_match=tokenizer.token_match, url_match=tokenizer.url_match)
    pairs: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for case in tokenizer.rules:  # all cases, a superset of those the matcher holds
        words = [t.text for t in plain(case)]
        for a, b in zip(words, words[1:]):
            if (a, b) not in pairs.setdefault((a[-1], b[0]), []):
                pairs[(a[-1], b[0])].append((a, b))
    return pairs


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
