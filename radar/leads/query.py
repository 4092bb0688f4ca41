"""The radar query language: a small boolean search over post text.

Grammar (operators in any case; AND binds tighter than OR; NOT tighter than both)::

    query  := or
    or     := and ( "OR" and )*
    and    := not ( ["AND"] not )*          # two terms side by side mean AND
    not    := "NOT" not | "-" atom | atom
    atom   := WORD | WORD* | "a phrase" | "(" or ")"

Matching is case-insensitive and umlaut-aware: ``ä/ö/ü/ß`` match ``ae/oe/ue/ss`` (and other
accents are dropped), so ``müller`` finds "Mueller" and "MÜLLER". A word matches a whole word of
the text; ``buchhalt*`` matches every word starting with "buchhalt" (German compounds such as
"Buchhaltungssoftware"). A phrase matches its words in a row. To search for the words and/or/not
themselves, quote them: ``"and"``.

Example::

    q = parse('(buchhaltung* OR datev) AND NOT "stellenangebot"')
    matches(q, "Suche DATEV-Berater für unsere Buchhaltung")   # True
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Union

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

# --------------------------------------------------------------------------- text normalisation
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o"})
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower-case, umlauts spelt out (ä → ae, ß → ss), other accents dropped.

    Example: ``fold("Größe MÜLLER Café") == "groesse mueller cafe"``
    """
    text = unicodedata.normalize("NFC", text).casefold().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of ``text`` (letters, digits, underscore)."""
    return _WORD.findall(fold(text))


# --------------------------------------------------------------------------- AST
@dataclass(frozen=True)
class Term:
    word: str  # folded
    prefix: bool = False  # ``word*``

    def __str__(self) -> str:
        return self.word + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]  # folded
    prefix: bool = False  # the last word is a prefix (``datev-berat*``)

    def __str__(self) -> str:
        return '"' + " ".join(self.words) + ("*" if self.prefix else "") + '"'


@dataclass(frozen=True)
class Not:
    child: "Node"

    def __str__(self) -> str:
        return f"NOT {self.child}"


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]

    def __str__(self) -> str:
        return "(" + " AND ".join(map(str, self.children)) + ")"


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]

    def __str__(self) -> str:
        return "(" + " OR ".join(map(str, self.children)) + ")"


Node = Union[Term, Phrase, Not, And, Or]


class QuerySyntaxError(ValueError):
    """A radar query cannot be parsed. ``position`` is the 1-based character where it went wrong."""

    def __init__(self, query: str, position: int, message: str):
        self.query, self.position, self.reason = query, position, message
        pointer = " " * (position - 1) + "^"
        super().__init__(f"query syntax error at position {position}: {message}\n  {query}\n  {pointer}")


# --------------------------------------------------------------------------- tokenizer
@dataclass
class _Tok:
    kind: str  # WORD PHRASE AND OR NOT LPAREN RPAREN MINUS END
    text: str
    pos: int  # 0-based


_OPERATORS = {"and": "AND", "or": "OR", "not": "NOT"}
_SPECIAL = set('()"')


def _tokenize(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            toks.append(_Tok("LPAREN", ch, i))
            i += 1
        elif ch == ")":
            toks.append(_Tok("RPAREN", ch, i))
            i += 1
        elif ch in '"\u201c\u201e':  # straight and German/English typographic opening quotes
            end = i + 1
            while end < n and query[end] not in '"\u201c\u201d':
                end += 1
            if end >= n:
                raise QuerySyntaxError(query, i + 1, "this quote is never closed; add a closing \"")
            toks.append(_Tok("PHRASE", query[i + 1:end], i))
            i = end + 1
        elif ch == "-" and (i + 1 < n and not query[i + 1].isspace()) and (not toks or toks[-1].kind in ("AND", "OR", "NOT", "LPAREN") or query[i - 1].isspace()):
            toks.append(_Tok("MINUS", ch, i))
            i += 1
        else:
            start = i
            while i < n and not query[i].isspace() and query[i] not in _SPECIAL:
                i += 1
            text = query[start:i]
            kind = _OPERATORS.get(text.lower(), "WORD")
            toks.append(_Tok(kind, text, start))
    toks.append(_Tok("END", "", n))
    return toks


# --------------------------------------------------------------------------- parser
class _Parser:
    def __init__(self, query: str):
        self.query = query
        self.toks = _tokenize(query)
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def error(self, tok: _Tok, message: str) -> QuerySyntaxError:
        return QuerySyntaxError(self.query, tok.pos + 1, message)

    def parse(self) -> Node:
        if self.peek().kind == "END":
            raise self.error(self.peek(), "the query is empty; write at least one word, e.g. buchhaltung")
        node = self.parse_or()
        tok = self.peek()
        if tok.kind == "RPAREN":
            raise self.error(tok, "')' without a matching '('")
        if tok.kind != "END":  # pragma: no cover - parse_and consumes every other token kind
            raise self.error(tok, f"unexpected {tok.text!r}")
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while self.peek().kind == "OR":
            self.take()
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        children = [self.parse_not()]
        while True:
            tok = self.peek()
            if tok.kind == "AND":
                self.take()
                children.append(self.parse_not())
            elif tok.kind in ("WORD", "PHRASE", "NOT", "MINUS", "LPAREN"):
                children.append(self.parse_not())  # implicit AND
            else:
                break
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_not(self) -> Node:
        tok = self.peek()
        if tok.kind == "NOT":
            self.take()
            return Not(self.parse_not())
        if tok.kind == "MINUS":
            self.take()
            return Not(self.parse_atom())
        return self.parse_atom()

    def parse_atom(self) -> Node:
        tok = self.take()
        if tok.kind == "WORD":
            return self._term(tok)
        if tok.kind == "PHRASE":
            ws = tuple(words(tok.text))
            if not ws:
                raise self.error(tok, "an empty phrase \"\" matches nothing; put words between the quotes")
            return Phrase(ws) if len(ws) > 1 else Term(ws[0])
        if tok.kind == "LPAREN":
            if self.peek().kind == "RPAREN":
                raise self.error(self.peek(), "empty parentheses '()'; put a term inside")
            node = self.parse_or()
            close = self.peek()
            if close.kind != "RPAREN":
                raise self.error(close, f"expected ')' to close the '(' at position {tok.pos + 1}")
            self.take()
            return node
        if tok.kind == "END":
            raise self.error(tok, "the query ends where a word, phrase or '(' was expected")
        if tok.kind == "RPAREN":
            raise self.error(tok, "')' where a word, phrase or '(' was expected")
        raise self.error(tok, f"operator {tok.text!r} where a word, phrase or '(' was expected; quote it (\"{tok.text.lower()}\") to search for the word")

    def _term(self, tok: _Tok) -> Node:
        text = tok.text
        prefix = text.endswith("*")
        core = text.rstrip("*")
        if "*" in core:
            raise self.error(tok, "'*' is allowed only at the end of a word, e.g. buchhalt*")
        ws = words(core)
        if not ws:
            raise self.error(tok, f"{text!r} contains no letters or digits")
        if len(ws) == 1:
            return Term(ws[0], prefix)
        # "e-mail", "DATEV-Berater": the parts in a row, like a phrase
        return Phrase(tuple(ws), prefix)


@lru_cache(maxsize=512)
def parse(query: str) -> Node:
    """Parse a radar query into an AST (:class:`Term`, :class:`Phrase`, :class:`Not`, :class:`And`,
    :class:`Or`). Raises :class:`QuerySyntaxError` naming the position of the problem.

    Example: ``parse('datev AND NOT "jobs"')``
    """
    return _Parser(query).parse()


# --------------------------------------------------------------------------- matching
@dataclass
class _Doc:
    tokens: list[str]
    index: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> "_Doc":
        toks = words(text)
        index: dict[str, list[int]] = {}
        for pos, w in enumerate(toks):
            index.setdefault(w, []).append(pos)
        return cls(toks, index)


def _eval(node: Node, doc: _Doc) -> bool:
    if isinstance(node, Term):
        if node.prefix:
            return any(w.startswith(node.word) for w in doc.index)
        return node.word in doc.index
    if isinstance(node, Phrase):
        first, rest = node.words[0], node.words[1:]
        for pos in doc.index.get(first, ()):
            following = doc.tokens[pos + 1:pos + 1 + len(rest)]
            if len(following) != len(rest):
                continue
            if node.prefix:
                if tuple(following[:-1]) == rest[:-1] and following[-1].startswith(rest[-1]):
                    return True
            elif tuple(following) == rest:
                return True
        return False
    if isinstance(node, Not):
        return not _eval(node.child, doc)
    if isinstance(node, And):
        return all(_eval(c, doc) for c in node.children)
    return any(_eval(c, doc) for c in node.children)


def matches(query: str | Node, text: str) -> bool:
    """Whether ``text`` satisfies ``query`` (a query string or a parsed AST).

    Example: ``matches('"steuer berater" OR datev', "Wer kennt einen Steuer-Berater?") is True``
    """
    node = parse(query) if isinstance(query, str) else query
    return _eval(node, _Doc.of(text))


def query_terms(query: str | Node) -> list[str]:
    """The positive words and phrases of a query (for highlighting and explanations)."""
    node = parse(query) if isinstance(query, str) else query
    out: list[str] = []

    def walk(n: Node, negated: bool) -> None:
        if isinstance(n, (Term, Phrase)):
            if not negated:
                out.append(str(n).strip('"'))
        elif isinstance(n, Not):
            walk(n.child, not negated)
        else:
            for c in n.children:
                walk(c, negated)

    walk(node, False)
    return out


# --------------------------------------------------------------------------- regions
def region_matches(region: str | None, wanted: list[str] | tuple[str, ...]) -> bool:
    """A region code (``DE``, ``DE-70173``) and one of ``wanted`` (``DE``, ``DE-7``, ``AT``) overlap.

    ``DE-70173`` lies in ``DE-7`` and in ``DE``; a lead known only as ``DE`` may lie in ``DE-7``,
    so it matches too. An empty ``wanted`` means everywhere; an unknown ``region`` (None) passes,
    because most posts do not say where they come from and we do not guess.
    """
    if not wanted or not region:
        return True
    r = region.upper().replace(" ", "")
    for w in wanted:
        w = w.upper().replace(" ", "")
        if r.startswith(w) and (len(r) == len(w) or "-" in w or r[len(w)] == "-"):
            return True
        if w.startswith(r) and (len(w) == len(r) or "-" in r or w[len(r)] == "-"):
            return True
    return False


# --------------------------------------------------------------------------- preview
@dataclass
class PreviewResult:
    """What a radar would have found: ``total`` matches, ``per_day`` counts (every day of the
    window, oldest first, zeros included) and the newest ``matches`` (up to ``limit``)."""

    query: str
    total: int
    scanned: int
    per_day: dict[str, int]
    matches: list[dict[str, Any]]


def preview_radar(session: Session, query: str, languages: list[str] | None = None, min_score: float = 0,
                  personas: list[str] | None = None, regions: list[str] | None = None, days: int = 30,
                  now: dt.datetime | None = None, limit: int = 50) -> PreviewResult:
    """Run a radar over the mentions of the last ``days`` days before it is saved.

    Only the first post of each near-duplicate group counts. ``min_score`` and ``personas`` need a
    classified opportunity (a mention without one has no score and does not pass them).

    Example: ``preview_radar(s, 'datev OR buchhaltung*', ["de"], 50, [], ["DE"]).per_day``
    """
    from radar.models import Mention, Opportunity, utcnow

    node = parse(query)
    now = now or utcnow()
    start_day = (now - dt.timedelta(days=days - 1)).date()
    since = dt.datetime.combine(start_day, dt.time(), tzinfo=dt.timezone.utc)
    per_day = {(start_day + dt.timedelta(days=i)).isoformat(): 0 for i in range(days)}
    langs = {lang.lower() for lang in (languages or [])}
    wanted_personas = set(personas or [])
    stmt = (
        select(Mention, Opportunity)
        .outerjoin(Opportunity, Opportunity.mention_id == Mention.id)
        .where(Mention.group_id.is_(None))
        .where(or_(Mention.published_at >= since, (Mention.published_at.is_(None)) & (Mention.fetched_at >= since)))
        .where(or_(Mention.published_at.is_(None), Mention.published_at <= now))
        .order_by(Mention.id)
    )
    total = scanned = 0
    found: list[dict[str, Any]] = []
    for mention, opp in session.execute(stmt.execution_options(yield_per=500)):
        scanned += 1
        if langs and (mention.language or "").lower() not in langs:
            continue
        if (min_score or wanted_personas) and opp is None:
            continue
        if min_score and opp.score < min_score:
            continue
        if wanted_personas and opp.persona not in wanted_personas:
            continue
        if not region_matches((mention.extra or {}).get("region"), regions or []):
            continue
        if not _eval(node, _Doc.of(f"{mention.title}\n{mention.body}")):
            continue
        when = mention.published_at or mention.fetched_at
        total += 1
        per_day[when.date().isoformat()] = per_day.get(when.date().isoformat(), 0) + 1
        found.append({
            "mention_id": mention.id, "opportunity_id": opp.id if opp else None, "title": mention.title,
            "url": mention.url, "language": mention.language, "published_at": when.isoformat(),
            "score": opp.score if opp else None, "temperature": opp.temperature if opp else None,
            "persona": opp.persona if opp else None,
        })
    found.sort(key=lambda m: m["published_at"], reverse=True)
    return PreviewResult(query=query, total=total, scanned=scanned, per_day=per_day, matches=found[:limit])
