"""Pure text steps of the ingest pipeline: markup to plain text, language, canonical URLs,
content hashes and SimHash fingerprints. No database, no Scrapy: the pipelines in
:mod:`radar.pipelines`, ``radar sources check`` and ``bench/ingest.py`` share them.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
from collections import Counter
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# --------------------------------------------------------------------------- markup → text
_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote pre tr table section article header footer "
    "aside nav dd dt dl hr figure figcaption form fieldset details summary main address".split()
)
_DROP_TAGS = ("script", "style", "noscript", "template", "head", "iframe", "object", "embed", "svg", "math")
_TAG_HINT = re.compile(r"<\s*[a-zA-Z!/]")
# Every run of spaces, tabs, NBSP, ZWSP … becomes one space. A lone space matches neither
# alternative and is left alone: the same result as ``[ …]+`` at half the cost.
_SPACES = re.compile(r" [ \t\r\f\v\u00a0\u200b]+|[\t\r\f\v\u00a0\u200b][ \t\r\f\v\u00a0\u200b]*")
_MANY_NEWLINES = re.compile(r"\n\s*\n+")


def _tidy(text: str) -> str:
    """Collapse spaces inside lines; paragraphs (blank-line separated) survive."""
    paragraphs = []
    for para in _MANY_NEWLINES.split(text.replace("\r\n", "\n")):
        # _SPACES never matches a newline: one pass per paragraph equals one per line
        para = "\n".join(filter(None, map(str.strip, _SPACES.sub(" ", para).split("\n"))))
        if para:
            paragraphs.append(para)
    return "\n\n".join(paragraphs)


def encodable(text: str) -> str:
    """``text`` without lone surrogates: a JSON API can send half an emoji ("\\ud83d" without its
    pair, e.g. a text cut in the middle), which ``json.loads`` accepts but no database, hash or
    tokenizer can encode as UTF-8. A split pair is joined, a lone half becomes U+FFFD."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


_LINE_TAGS = frozenset(("br", "li", "tr", "dd", "dt"))  # one line each, not a paragraph
_FULL_DOCUMENT = re.compile(r"^\s*<(?:html|!doctype)", re.I)
_parsers = threading.local()


def _html_body(markup: str):
    """The ``<body>`` of ``markup`` parsed by libxml2's HTML parser (as lxml.html's
    ``fragment_fromstring`` parses it, without its Python element classes); None if empty."""
    import lxml.etree

    parser = getattr(_parsers, "html", None)
    if parser is None:  # lxml parsers are not to be shared between threads
        parser = _parsers.html = lxml.etree.HTMLParser()
    if not _FULL_DOCUMENT.match(markup):
        markup = f"<html><body>{markup}</body></html>"
    doc = lxml.etree.fromstring(markup, parser)
    if doc is None:
        return None
    return next((el for el in doc if el.tag == "body"), None)


def html_to_text(markup: str) -> str:
    """Plain text from an HTML fragment or document: scripts/styles removed, block elements
    become paragraphs, entities decoded.

    Example: ``html_to_text("<p>Hallo <b>Welt</b></p><p>zwei</p>") == "Hallo Welt\\n\\nzwei"``
    """
    if not markup:
        return ""
    if not _TAG_HINT.search(markup):
        return _tidy(html.unescape(markup))
    import lxml.etree

    try:
        body = _html_body(markup)
    except (lxml.etree.ParserError, ValueError):
        body = None
    if body is None:
        return _tidy(html.unescape(re.sub(r"<[^>]+>", " ", markup)))
    lxml.etree.strip_elements(body, *_DROP_TAGS, lxml.etree.Comment, lxml.etree.ProcessingInstruction, with_tail=False)
    # Block elements get their breaks written into the tree, then libxml2 collects the text.
    for el in body.iter(*_BLOCK_TAGS):
        if el.tag in _LINE_TAGS:
            el.text = "\n" + el.text if el.text else "\n"
        else:
            el.text = "\n\n" + el.text if el.text else "\n\n"
            el.tail = "\n\n" + el.tail if el.tail else "\n\n"
    return _tidy("".join(body.itertext()))


_MD_RULES = [
    (re.compile(r"```[^\n]*\n(.*?)```", re.S), r"\1"),  # fenced code: keep the code
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images → alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links → link text
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*", re.M), ""),  # headings
    (re.compile(r"^[ \t]{0,3}>[ \t]?", re.M), ""),  # block quotes
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)"), r"\1"),  # italic
    (re.compile(r"~~(.+?)~~"), r"\1"),  # strike
    (re.compile(r"`([^`]+)`"), r"\1"),  # inline code
    (re.compile(r"^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$", re.M), ""),  # horizontal rules
]


def markdown_to_text(markdown: str) -> str:
    """Plain text from Markdown, lightly: links keep their text, emphasis and headings lose
    their marks, paragraphs stay. HTML entities (Reddit escapes them) are decoded.

    Example: ``markdown_to_text("**Hilfe:** [Link](https://x.de)") == "Hilfe: Link"``
    """
    if not markdown:
        return ""
    text = html.unescape(markdown)
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return _tidy(text)


def clean_text(body: str, body_format: str = "html") -> str:
    """``body`` in ``body_format`` (html, markdown or text) as plain text with paragraphs."""
    if not body:
        return ""
    fmt = (body_format or "html").lower()
    if fmt == "markdown":
        return markdown_to_text(body)
    if fmt in ("text", "plain"):
        return _tidy(body)
    return html_to_text(body)


# --------------------------------------------------------------------------- language
_WORD = re.compile(r"[a-zäöüß]+")
_DE_WORDS = frozenset(
    "der die das und ist nicht ich ein eine einen einem einer mit für auf von zu den dem des sich auch "
    "es sie wir ihr mir mich dich kann können habe hat haben wird werden wie was wer wo warum gibt "
    "bei nach aus oder aber wenn noch schon nur sehr mehr bitte danke hallo suche brauche jemand "
    "kennt empfehlung erfahrungen firma unternehmen uns unsere unser sind war bin bist doch dass weil "
    "also ob über vom zum zur im am man kein keine keinen gut frage hilfe welche welcher welches".split()
)
_EN_WORDS = frozenset(
    "the and is are not a an of to for with on from that this it you we they i my our your have has "
    "had be been was were will would can could should what which who where why how there any anyone "
    "does do did just about some looking need help recommend thanks please company business if or but "
    "than then them their these those at by as so into out up best good".split()
)


# Fallback for texts the stop-word count leaves open (short titles, names, tweets): langdetect's
# character n-gram profiles (55 languages), scored deterministically as naive Bayes over every
# n-gram of the text instead of langdetect's random sampling of n-grams, which costs 5–40 ms a
# text. German and English get a prior of ``_DE_EN_PRIOR`` nats over each of the 53 other
# languages: the radar's sources are German and English, and short English titles otherwise
# slip to Dutch or French. Measured on the real posts in ../shared/data/posts (bench/README.md).
_DE_EN_PRIOR = 5.0
_NGRAM_SAMPLE = 600  # characters; the score's cost grows with the text and 600 decide
_NGRAM_CACHE = 30_000  # log-probability rows kept (≈7 MB); texts reuse a few thousand n-grams
_ngram_model: dict = {}


def _load_ngram_model() -> dict:
    if not _ngram_model:
        import numpy as np
        from langdetect import detector_factory
        from langdetect.utils.ngram import NGram

        detector_factory.init_factory()
        factory = detector_factory._factory

        class _Normalise(dict):
            """langdetect's per-character normalisation (punctuation → space, CJK and
            Vietnamese folding) as a str.translate table, filled as characters turn up."""

            def __missing__(self, cp: int) -> str:
                norm = self[cp] = NGram.normalize(chr(cp))
                return norm

        table = _Normalise()
        langs = list(factory.langlist)
        prior = np.zeros(len(langs))
        prior[langs.index("de")] = prior[langs.index("en")] = _DE_EN_PRIOR
        _ngram_model.update(table=table, probs=factory.word_lang_prob_map, langs=langs, prior=prior, logs={},
                            smoothing=0.5 / 10000)  # langdetect's alpha / BASE_FREQ
    return _ngram_model


def ngram_language(text: str) -> tuple[str, float] | None:
    """The most likely language of ``text`` by langdetect's n-gram profiles (any of its 55 codes)
    and its posterior probability; ``None`` when no known n-gram occurs."""
    import numpy as np

    model = _load_ngram_model()
    probs, logs, smoothing = model["probs"], model["logs"], model["smoothing"]
    rows = []
    for word in text[:_NGRAM_SAMPLE].translate(model["table"]).split():
        if len(word) > 1 and word[0].isupper() and word[1].isupper():
            continue  # acronyms and shouted words say little (langdetect skips them too)
        padded = f" {word} "
        for n in (1, 2, 3):
            for i in range(len(padded) - n + 1):
                gram = padded[i:i + n]
                row = logs.get(gram)
                if row is None:
                    p = probs.get(gram)
                    if p is None:
                        continue
                    if len(logs) >= _NGRAM_CACHE:
                        logs.clear()
                    row = logs[gram] = np.log(np.asarray(p, dtype=np.float32) + np.float32(smoothing))
                rows.append(row)
    if not rows:
        return None
    scores = np.sum(rows, axis=0) + model["prior"]
    best = int(np.argmax(scores))
    return model["langs"][best], float(1.0 / np.exp(scores - scores[best]).sum())


def detect_language(text: str, hint: str | None = None) -> str | None:
    """``"de"``, ``"en"`` or ``"other"``; ``hint`` (the item's or the source's language) decides
    when the text is too short or the detection unsure. ``None`` when nothing is known.

    A stop-word count settles most German and English texts in microseconds; the unclear rest
    (about one text in ten, mostly short titles) is scored by :func:`ngram_language` (≈50 µs).
    """
    hint = normalise_language(hint)
    sample = text[:2000]
    words = _WORD.findall(sample.lower())
    de = sum(map(_DE_WORDS.__contains__, words))
    en = sum(map(_EN_WORDS.__contains__, words))
    if de >= 3 and de >= 3 * max(en, 1) or de >= 2 and en == 0 and len(words) <= 12:
        return "de"
    if en >= 3 and en >= 3 * max(de, 1) or en >= 2 and de == 0 and len(words) <= 12:
        return "en"
    letters = sum(map(str.isalpha, sample))
    if letters < 12:
        return hint or (("de" if de > en else "en") if de != en else None)
    ranked = ngram_language(sample)
    if ranked is None:  # letters, but none in a known n-gram: not German or English
        return hint or "other"
    best, prob = ranked
    lang = best if best in ("de", "en") else "other"
    if prob >= 0.9 and (len(words) >= 6 or not hint):
        return lang
    if hint:
        return hint
    if de != en and lang == "other":
        return "de" if de > en else "en"
    return lang


def normalise_language(code: str | None) -> str | None:
    """``"de-DE"`` → ``"de"``, ``"en_US"`` → ``"en"``, any other code → ``"other"``, empty → None."""
    if not code:
        return None
    base = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    if base in ("de", "en"):
        return base
    return "other" if base else None


# --------------------------------------------------------------------------- URLs
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "_hs")
_TRACKING_PARAMS = frozenset(
    "fbclid gclid dclid gbraid wbraid msclkid yclid igshid mc_cid mc_eid ref ref_src ref_url share_id "
    "si spm _ga _gl vero_id mkt_tok oly_anon_id oly_enc_id rb_clickid s_cid wt_mc wt.mc_id cmpid "
    "sid phpsessid jsessionid sessionid".split()
)


def canonical_url(url: str | None) -> str:
    """The URL a post is known by: scheme and host lower-case, default port, fragment and
    tracking/session parameters (utm_*, fbclid, gclid, …) dropped, query sorted.

    Example: ``canonical_url("HTTPS://Example.com:443/a?utm_source=x&b=2&a=1#top") == "https://example.com/a?a=1&b=2"``
    """
    if not url:
        return ""
    from w3lib.url import canonicalize_url

    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.scheme or not parts.netloc:
        return url
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING_PARAMS
    ]
    netloc = parts.netloc.lower()
    if (parts.scheme.lower(), netloc.rsplit(":", 1)[-1]) in (("http", "80"), ("https", "443")):
        netloc = netloc.rsplit(":", 1)[0]
    rebuilt = urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))
    try:
        return canonicalize_url(rebuilt, keep_fragments=False)
    except (ValueError, UnicodeError):
        return rebuilt


def is_site_root(url: str) -> bool:
    """True for ``https://host/`` (no path, no query): not the address of one post."""
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


# --------------------------------------------------------------------------- fingerprints
_TOKEN = re.compile(r"\w+", re.U)
SIMHASH_MIN_TOKENS = 12
# Measured on real forum posts: one word edited plus one added moves 3–9 bits; unrelated posts
# of the same forum are 15+ bits apart. 6 keeps a wide margin from unrelated posts.
SIMHASH_MAX_DISTANCE = 6
_BANDS = [(0, 9), (9, 9), (18, 9), (27, 9), (36, 9), (45, 9), (54, 10)]  # 7 bands: distance ≤ 6 shares one


def normalise_for_hash(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower()))


def content_hash(title: str, body: str, author: str | None = None) -> str:
    """SHA-256 over author, title and body, normalised (case, spacing and punctuation ignored)."""
    key = "\x1f".join(((author or "").strip().lower(), normalise_for_hash(title), normalise_for_hash(body)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


_BIT_WEIGHTS = None
class _TokenDigests(dict):
    """word → its 8-byte BLAKE2b digest; words repeat across posts, so each is hashed once."""

    def __missing__(self, token: str) -> bytes:
        digest = self[token] = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
        return digest


_TOKEN_DIGESTS = _TokenDigests()


SIMHASH_MAX_TOKENS = 400


def simhash(text: str, max_tokens: int = SIMHASH_MAX_TOKENS) -> int | None:
    """64-bit SimHash over the words of the normalised text, weighted by their counts (unsigned).
    Words rather than shingles: posts are short, and an edited word should move few bits.
    ``None`` when the text is too short to say anything about near-duplicates."""
    return simhash_tokens(_TOKEN.findall(text.lower())[:max_tokens])


def simhash_tokens(tokens: list[str]) -> int | None:
    """:func:`simhash` of words already lower-cased and split (the first ``SIMHASH_MAX_TOKENS``)."""
    if len(tokens) < SIMHASH_MIN_TOKENS:
        return None
    global _BIT_WEIGHTS
    import numpy as np  # imported here: crawl processes that store nothing start faster

    if _BIT_WEIGHTS is None:
        _BIT_WEIGHTS = 1 << np.arange(64, dtype=np.uint64)
    counts = Counter(tokens)
    if len(_TOKEN_DIGESTS) > 500_000:
        _TOKEN_DIGESTS.clear()
    digests = b"".join(map(_TOKEN_DIGESTS.__getitem__, counts))
    values = np.frombuffer(digests, dtype="<u8")
    weights = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
    bits = np.unpackbits(values.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    votes = 2 * (weights @ bits) - weights.sum()
    return int(_BIT_WEIGHTS[votes > 0].sum())


def fingerprints(title: str, body: str, author: str | None = None) -> tuple[str, int | None]:
    """``(content_hash(title, body, author), simhash(f"{title}\\n{body}"))`` from one pass
    over the words."""
    title_tokens = _TOKEN.findall(title.lower())
    body_tokens = _TOKEN.findall(body.lower())
    key = "\x1f".join(((author or "").strip().lower(), " ".join(title_tokens), " ".join(body_tokens)))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return digest, simhash_tokens((title_tokens + body_tokens[:SIMHASH_MAX_TOKENS])[:SIMHASH_MAX_TOKENS])


def to_signed64(value: int) -> int:
    """Unsigned 64-bit → the signed value a BIGINT column holds."""
    return value - (1 << 64) if value >= (1 << 63) else value


def to_unsigned64(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


class SimHashIndex:
    """Near-duplicate lookup: seven bands of 9–10 bits, so any two fingerprints within Hamming
    distance 6 share at least one band exactly (pigeonhole) and are found without a scan."""

    def __init__(self) -> None:
        self._bands: list[dict[int, list[tuple[int, int]]]] = [{} for _ in _BANDS]

    def __len__(self) -> int:
        return sum(len(v) for v in self._bands[0].values())

    def add(self, fingerprint: int, leader_id: int) -> None:
        for (shift, width), band in zip(_BANDS, self._bands):
            band.setdefault((fingerprint >> shift) & ((1 << width) - 1), []).append((fingerprint, leader_id))

    def remove(self, fingerprint: int, leader_id: int) -> None:
        """Forget one :meth:`add` (a stored mention whose transaction was rolled back)."""
        for (shift, width), band in zip(_BANDS, self._bands):
            entries = band.get((fingerprint >> shift) & ((1 << width) - 1))
            if entries and (fingerprint, leader_id) in entries:
                entries.remove((fingerprint, leader_id))

    def find(self, fingerprint: int, max_distance: int = SIMHASH_MAX_DISTANCE) -> int | None:
        """The group leader of the closest stored fingerprint within ``max_distance``."""
        best: tuple[int, int] | None = None
        for (shift, width), band in zip(_BANDS, self._bands):
            for other, leader in band.get((fingerprint >> shift) & ((1 << width) - 1), ()):
                distance = hamming(fingerprint, other)
                if distance <= max_distance and (best is None or (distance, leader) < best):
                    best = (distance, leader)
        return best[1] if best else None
