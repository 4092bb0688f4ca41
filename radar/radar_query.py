"""Boolean keyword queries of radars: ``(buchhaltung OR datev) AND NOT "stellenangebot"``.

Interim parser for the dashboard's radar editor until ``radar.leads.query`` lands; then the
dashboard uses that one and this module goes.

Grammar: ``expr := term (OR term)*``, ``term := factor ((AND)? factor)*`` (juxtaposition is AND),
``factor := NOT factor | "(" expr ")" | WORD | "PHRASE"``. Matching is case-insensitive substring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, not_, or_


class QueryError(ValueError):
    """The query cannot be parsed; the message says where."""


@dataclass(frozen=True)
class Term:
    text: str


@dataclass(frozen=True)
class Not:
    node: Any


@dataclass(frozen=True)
class And:
    nodes: tuple


@dataclass(frozen=True)
class Or:
    nodes: tuple


_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|([^\s()"]+))')


def _tokens(q: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(q):
        m = _TOKEN.match(q, pos)
        if not m or m.end() == pos:
            if q[pos:].strip() == "":
                break
            raise QueryError(f'unbalanced quote at position {pos + 1}; close the "phrase"')
        pos = m.end()
        if m.group(1):
            out.append(("(", "("))
        elif m.group(2):
            out.append((")", ")"))
        elif m.group(3) is not None:
            if not m.group(3).strip():
                raise QueryError("an empty phrase \"\" matches nothing; remove it")
            out.append(("term", m.group(3)))
        else:
            w = m.group(4)
            out.append((w, w) if w in ("AND", "OR", "NOT") else ("term", w))
    return out


def parse_query(q: str) -> Any:
    """Parse a query into a tree of Term/Not/And/Or; raise QueryError with the reason."""
    toks = _tokens(q or "")
    if not toks:
        raise QueryError("the query is empty; write at least one word")
    pos = 0

    def peek() -> str | None:
        return toks[pos][0] if pos < len(toks) else None

    def expr() -> Any:
        nonlocal pos
        nodes = [term()]
        while peek() == "OR":
            pos += 1
            nodes.append(term())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def term() -> Any:
        nonlocal pos
        nodes = [factor()]
        while peek() in ("AND", "NOT", "(", "term"):
            if peek() == "AND":
                pos += 1
            nodes.append(factor())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def factor() -> Any:
        nonlocal pos
        kind = peek()
        if kind is None:
            raise QueryError("the query ends where a word was expected")
        if kind == "NOT":
            pos += 1
            return Not(factor())
        if kind == "(":
            pos += 1
            node = expr()
            if peek() != ")":
                raise QueryError("a '(' is not closed")
            pos += 1
            return node
        if kind == "term":
            pos += 1
            return Term(toks[pos - 1][1].lower())
        raise QueryError(f"unexpected {toks[pos][1]!r}; AND/OR need a word on both sides")

    node = expr()
    if pos != len(toks):
        raise QueryError(f"unexpected {toks[pos][1]!r}")
    return node


def to_sql(node: Any, text_col: Any) -> Any:
    """A SQL condition for ``node`` on a lower-cased text column expression."""
    if isinstance(node, Term):
        like = node.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return func.lower(text_col).like(f"%{like}%", escape="\\")
    if isinstance(node, Not):
        return not_(to_sql(node.node, text_col))
    if isinstance(node, And):
        return and_(*(to_sql(n, text_col) for n in node.nodes))
    return or_(*(to_sql(n, text_col) for n in node.nodes))
