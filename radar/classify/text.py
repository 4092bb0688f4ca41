"""Text normalisation and a fast language guess (German, English or other).

Both run before spaCy and must be cheap: the classifier handles thousands of posts a second
on one core, so language detection counts function words instead of running a statistical
detector (langdetect needs ~1 ms a post; this needs ~10 µs), and only a text they leave
undecided is scored by character n-grams of German and English (~30 µs).
"""

from __future__ import annotations

import html
import re
import unicodedata

from radar.textproc import encodable

MAX_CHARS = 1000
"""Characters of title + body that are analysed. A longer post keeps its beginning and its end
(see :func:`cut`): forum posts often tell their story first and ask at the end ("Nun zu meiner
Frage, wie gehe ich am besten weiter?"); the middle adds time, rarely evidence."""
TAIL_SHARE = 0.35
"""Share of :data:`MAX_CHARS` kept from the end of a long post."""
_SENTENCE_START = re.compile(r"[.!?…]\s+|\n")

_URL = re.compile(r"https?://\S+|www\.\S+")
_MD_LINK = re.compile(r"\[([^\]]*)\]\((?:[^)]*)\)")
_MENTION = re.compile(r"(?<![\w@])@\w+")
# an entity with its semicolon: named ("&amp;", "&ndash;") or numeric ("&#39;", "&#x200B;"); the
# Stack Exchange API sends "What&#39;s a PDF viewer …?", which read as the word "39"
_HTML_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SPACES = {"\xa0": " ", "\u200b": " ", "\u2007": " ", "\u202f": " "}
_WS = re.compile(r"[ \t\r\f\v]+")
_NL = re.compile(r"\s*\n\s*")
_WORD = re.compile(r"[a-zäöüß]+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")  # the ASCII characters for which str.isalpha() is true
_NOT_ASCII_LETTER = bytes(b for b in range(128) if not chr(b).isalpha())
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LATIN_EXTRA = frozenset("äöüßÄÖÜéèàçñ")


def _entity(m: re.Match) -> str:
    """The character of an HTML entity (no-break and zero-width spaces as a space); an unknown
    name stays as written."""
    ch = html.unescape(m.group(0))
    return _SPACES.get(ch, ch)


def normalise(text: str | None, max_chars: int = MAX_CHARS) -> str:
    """Clean one piece of web text: NFKC (full-width letters become ASCII), links become
    ``URL``, user handles ``@user``, Markdown links keep their text, HTML entities are
    decoded, runs of white space collapse (line breaks are kept as sentence breaks); a lone
    surrogate (half an emoji) becomes U+FFFD.

    Example: ``normalise("Hi @bob, see [docs](https://x.y)!") == "Hi @user, see docs!"``
    """
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", encodable(text))
    # each expression runs only if the characters it needs occur (a substring test is far cheaper
    # than a regular-expression scan that finds nothing)
    if "](" in t:
        t = _MD_LINK.sub(r"\1", t)
    if "http" in t or "www." in t:
        t = _URL.sub(" URL ", t)
    if "&" in t:
        t = _HTML_ENTITY.sub(_entity, t)
    if "@" in t:
        t = _MENTION.sub("@user", t)
    t = t.replace("\\", "")
    t = _WS.sub(" ", t)
    if "\n" in t:
        t = _NL.sub("\n", t)
    t = t.strip()
    return cut(t, max_chars)


def cut(t: str, max_chars: int = MAX_CHARS) -> str:
    """``t`` if it has at most ``max_chars`` characters, else its beginning and its end (about
    :data:`TAIL_SHARE` of ``max_chars``), each cut at a word boundary, the end starting at a
    sentence where one starts near the cut, joined by a line break (a sentence break) so that no
    sentence spans the gap. The result has at most ``max_chars`` characters.

    Example: ``cut("Lange Geschichte. " * 100 + "Wie gehe ich am besten vor?")`` ends with the question.
    """
    if len(t) <= max_chars:
        return t
    if max_chars < 200:  # too short to keep two parts
        c = t.rfind(" ", 0, max_chars)
        return t[: c if c > max_chars // 2 else max_chars]
    tail_len = int(max_chars * TAIL_SHARE)
    head_len = max_chars - tail_len - 1
    c = t.rfind(" ", 0, head_len + 1)
    head = t[: c if c > head_len // 2 else head_len].rstrip()
    window = t[len(t) - tail_len:]
    # start the end part at a sentence when one starts in its first third, else after a word
    m = _SENTENCE_START.search(window, 0, tail_len // 3)
    if m:
        tail = window[m.end():]
    else:
        sp = window.find(" ", 0, tail_len // 3)
        tail = window[sp + 1:] if sp >= 0 else window
    return f"{head}\n{tail.strip()}" if tail.strip() else head


def join_title_body(title: str | None, body: str | None) -> tuple[str, str, str]:
    """Normalised ``(title, body, text)`` where ``text`` is title and body separated by a
    line break (the title counts as its own sentence)."""
    t = normalise(title, 400)
    b = normalise(body)
    if t and b:
        return t, b, f"{t}\n{cut(b, MAX_CHARS - len(t) - 1)}"
    return t, b, t or b


_DE = set("""der die das den dem des und ist nicht ich ein eine einen einem einer zu mit auf für von sich es wie was wer wo
kann mir jemand gibt habe hat sind bei aus auch noch oder aber wenn dass im am vom zum zur bitte danke über schon nur mal
wir ihr euch uns mein meine meinen unser unsere sie er man werden wird wurde hier jetzt gerne welche welcher welches
kennt weiß suche brauche hallo gibt's gibts nach vor bis sehr kein keine keinen doch ob hab bin war würde könnt
könnte sollte muss müssen diese dieser dieses dann also etwas gesucht empfehlung empfehlungen hilfe frage erfahrung
erfahrungen tipps""".split())
_EN = set("""the and is are to of in for on with that this it you i my have has be was what how where who can could would
should any anyone does do an or but if not from at by about me your we our they them there their which when why will
just get got looking recommend recommendations best need help please thanks someone know vs than into out up so
been were am its it's i'm don't can't doesn't won't""".split())
_OTHER = set("""le la les des est une pour avec dans que qui pas sur sont vous nous je il elle el los las por para con una
es un del al lo como pero más het een van zijn voor niet met wat ook il che per non sono della nel gli""".split())


_LETTERS = re.compile(r"[^\W\d_]+")
_DE_EN_TABLE: dict[str, float] = {}


def _de_en_table() -> dict[str, float]:
    """n-gram (1–3 characters) -> log P(n-gram | German) − log P(n-gram | English), from the
    German and English profiles that ship with langdetect (the same probabilities and smoothing
    as its detector; 3,127 n-grams, read in ~10 ms on first use)."""
    if not _DE_EN_TABLE:
        import json
        import math
        from pathlib import Path

        import langdetect

        folder = Path(langdetect.__file__).parent / "profiles"
        de, en = (json.loads((folder / code).read_text(encoding="utf-8")) for code in ("de", "en"))
        smoothing = 0.5 / 10000  # langdetect's alpha / BASE_FREQ
        for gram in de["freq"].keys() | en["freq"].keys():
            n = len(gram)
            if 1 <= n <= 3:
                p_de = de["freq"].get(gram, 0) / de["n_words"][n - 1]
                p_en = en["freq"].get(gram, 0) / en["n_words"][n - 1]
                _DE_EN_TABLE[gram] = math.log(p_de + smoothing) - math.log(p_en + smoothing)
    return _DE_EN_TABLE


_WORD_SCORES: dict[str, tuple[float, bool]] = {}


def _word_score(word: str) -> tuple[float, bool]:
    """The summed n-gram score of one word (see :func:`ngram_de_or_en`) and whether any of its
    n-grams is known; cached per word (up to 100,000 words)."""
    table = _de_en_table()
    padded = f" {word} "
    score, hit = 0.0, False
    for n in (1, 2, 3):
        for i in range(len(padded) - n + 1):
            v = table.get(padded[i:i + n])
            if v is not None:
                score += v
                hit = True
    if len(_WORD_SCORES) >= 100_000:
        _WORD_SCORES.clear()
    _WORD_SCORES[word] = (score, hit)
    return score, hit


def ngram_de_or_en(text: str) -> str | None:
    """German or English by character n-grams (naive Bayes over langdetect's two profiles); None
    when no known n-gram occurs. For texts the function words leave undecided: "Verkaufe
    gebrauchtes iPhone 12. Guter Zustand, 250 Euro VB." has none of them."""
    score, hit = 0.0, False
    for word in _LETTERS.findall(text[:600]):
        if len(word) > 1 and word[0].isupper() and word[1].isupper():
            continue  # acronyms and shouted words say little (langdetect skips them too)
        if (known := _WORD_SCORES.get(word)) is None:
            known = _word_score(word)
        if known[1]:
            score += known[0]
            hit = True
    if not hit:
        return None
    return "de" if score > 0 else "en"


def detect_language(text: str) -> str:
    """``"de"``, ``"en"`` or ``"other"`` by counting frequent function words.

    Example: ``detect_language("Kann mir jemand helfen?") == "de"``
    """
    head = text[:600]
    # share of Latin letters among the letters, counted without a Python loop over every
    # character: an ASCII text has only Latin letters; otherwise the ASCII letters are counted
    # in C (bytes.translate deletes the other bytes) and only the few other characters one by one
    if head.isascii():
        if _ASCII_LETTER.search(head) is None:
            return "other"
    else:
        n_ascii = len(head.encode("ascii", "ignore").translate(None, _NOT_ASCII_LETTER))
        others = [c for c in _NON_ASCII.findall(head) if c.isalpha()]
        n_letters = n_ascii + len(others)
        if not n_letters or (n_ascii + sum(1 for c in others if c in _LATIN_EXTRA)) / n_letters < 0.8:
            return "other"  # mostly another script (Cyrillic, Greek, CJK, ...)
    words = _WORD.findall(head.lower())
    if not words:
        return "other"
    de = sum(map(_DE.__contains__, words))
    en = sum(map(_EN.__contains__, words))
    other = sum(map(_OTHER.__contains__, words))
    # umlauts and ß are strong German evidence in short titles
    if any(c in text for c in "äöüßÄÖÜ"):
        de += 1.5
    if other > max(de, en) and other >= 2:
        return "other"
    if abs(de - en) <= 1:
        # too few function words to tell (a short title, a sale offer): character n-grams decide
        # (real posts, bench/README "Language": 97.8 % → 99.3 % right, the German city forum
        # 91 % → 98 %)
        lang = ngram_de_or_en(head)
        if lang:
            return lang
    if de == en == 0:
        return "en"  # headlines and product names without function words are mostly English
    return "de" if de > en else "en"
