"""Rendering text from the web safely: pure functions, no Streamlit calls (unit-tested).

Web text is hostile. The dashboard shows it with ``st.text``/``st.dataframe`` (never parsed) or,
where highlights are needed, as Markdown produced by :func:`md_escape`/:func:`highlight`, which
backslash-escape every character Markdown, Streamlit's directives (``:red[...]``, ``:emoji:``)
and LaTeX (``$...$``) react to. HTML is never enabled (no ``unsafe_allow_html`` anywhere), so a
``<script>`` in a post is shown as the text ``<script>``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping all of them
# is simplest and leaves no construct (links, emphasis, tables, math, directives, HTML) alive.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=\"'&^%@/;,?])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def md_escape(text: str | None) -> str:
    """Text that Streamlit's Markdown renders literally: every special character is backslash-
    escaped, control and bidi-override characters are dropped, and line breaks are kept as hard
    breaks. Example: ``md_escape("$x$ **b**") == "\\$x\\$ \\*\\*b\\*\\*"``
    """
    if not text:
        return ""
    text = _CONTROL.sub("", str(text))
    lines = [_MD_SPECIAL.sub(r"\\\1", line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    # a backslash at line end is CommonMark's hard break: the post's line breaks stay visible
    return "\\\n".join(lines)


def _spans(text: str, phrases: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping ``(start, end)`` of the phrases in ``text``, longest first, case-insensitive.
    A phrase's words may stand across a line break or several spaces in the post (the classifier
    gives its evidence on one line), and a long one comes as its start and its end ("Got a quote of
    … Does that sound right"): each part is looked for on its own."""
    parts = {q.strip() for p in phrases if p for q in p.split(" … ") if q.strip()}
    spans: list[tuple[int, int]] = []
    for p in sorted(parts, key=len, reverse=True):
        rx = re.compile(r"\s+".join(map(re.escape, p.split())), re.IGNORECASE)
        for m in rx.finditer(text):
            i, j = m.span()
            if i < j and not any(a < j and i < b for a, b in spans):
                spans.append((i, j))
    return sorted(spans)


def highlight(text: str | None, phrases: list[str], color: str = "orange") -> str:
    """Escaped Markdown of ``text`` with every occurrence of the evidence ``phrases`` (case-
    insensitive, longest first, no overlaps) shown as ``:color-background[...]``.

    Each piece is escaped *before* it is wrapped, so a phrase cannot open or close a construct.
    Example: ``highlight("Suche DATEV-Berater", ["datev"])`` marks "DATEV".
    """
    text = _CONTROL.sub("", str(text or ""))
    out, pos = [], 0
    for a, b in _spans(text, phrases):
        out.append(md_escape(text[pos:a]))
        inner = md_escape(text[a:b]).replace("\\\n", " ")
        out.append(f":{color}-background[**{inner}**]")
        pos = b
    out.append(md_escape(text[pos:]))
    return "".join(out)


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s) with a host, else None (no ``javascript:``/``data:`` links)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def _as_text(v: Any) -> str:
    if isinstance(v, dict):
        return str(v.get("text") or v.get("phrase") or v.get("reason") or v.get("summary") or "")
    return str(v)


def explanation_parts(expl: dict[str, Any] | str | None) -> tuple[list[str], list[str]]:
    """``(sentences, evidence phrases)`` from a classification's explanation, whatever the
    classifier put in it: a summary string or list of reasons, and evidence phrases as strings
    or ``{"text": ...}`` dicts (also found inside reasons and per-persona criteria)."""
    if not expl:
        return [], []
    if isinstance(expl, str):
        return [expl], []
    sentences: list[str] = []
    phrases: list[str] = []
    for key in ("summary", "text", "why"):
        if isinstance(expl.get(key), str) and expl[key].strip():
            sentences.append(expl[key])
    for key in ("reasons", "because", "signals"):
        v = expl.get(key)
        if isinstance(v, str):
            sentences.append(v)
        elif isinstance(v, list):
            for item in v:
                sentences.append(_as_text(item))
                if isinstance(item, dict):
                    phrases.extend(_as_text(e) for e in item.get("evidence", []) or [])
    for key in ("evidence", "phrases", "direct", "matched", "request_phrases", "intent_evidence"):
        v = expl.get(key)
        if isinstance(v, list):
            phrases.extend(_as_text(e) for e in v)
        elif isinstance(v, dict):
            for items in v.values():
                if isinstance(items, list):
                    phrases.extend(_as_text(e) for e in items)
    return [s for s in sentences if s.strip()], [p for p in dict.fromkeys(phrases) if p.strip()]


def persona_rows(persona_fit: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Rows ``persona, criterion, points, max, evidence`` from a classification's persona fit,
    accepting ``{persona: fit}``, ``{persona: {"fit", "criteria": {name: points}}}`` and
    ``{persona: {"criteria": [{"name", "points", "max", "evidence"}]}}``."""
    rows: list[dict[str, Any]] = []
    for persona, v in (persona_fit or {}).items():
        if isinstance(v, (int, float)):
            rows.append({"persona": persona, "criterion": "(fit)", "points": float(v), "max": None, "evidence": ""})
            continue
        if not isinstance(v, dict):
            continue
        crit = v.get("criteria") or v.get("points_by_criterion") or {}
        items = crit.items() if isinstance(crit, dict) else [(c.get("name", "?"), c) for c in crit if isinstance(c, dict)]
        for name, c in items:
            if isinstance(c, dict):
                ev = c.get("evidence") or c.get("matched") or []
                rows.append({"persona": persona, "criterion": str(name), "points": c.get("points"), "max": c.get("max") or c.get("max_points"),
                             "evidence": ", ".join(_as_text(e) for e in ev) if isinstance(ev, list) else str(ev)})
            else:
                rows.append({"persona": persona, "criterion": str(name), "points": c, "max": None, "evidence": ""})
        fit = v.get("fit", v.get("score"))
        if fit is not None:
            rows.append({"persona": persona, "criterion": "= fit", "points": fit, "max": v.get("max") or v.get("max_points"), "evidence": ""})
    return rows
