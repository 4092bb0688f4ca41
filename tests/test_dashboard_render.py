"""Safe rendering of web text: Markdown/LaTeX/HTML/directive escaping, highlights, URLs."""

from __future__ import annotations

import re

import pytest

from dashboard.render import explanation_parts, highlight, md_escape, persona_rows, safe_url

HOSTILE = [
    "<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "**bold** _it_ `code`", "[x](javascript:alert(1))",
    "$x^2$ and $$\\int$$", ":red[red] :smile: :material/home:", "# heading\n> quote\n- item\n1. one", "| a | b |\n|---|---|",
    "a\\\\b\\", "~~strike~~", "<https://evil.example>", "&lt;script&gt;",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_every_special_character_is_escaped(text):
    out = md_escape(text)
    # no special character survives unescaped (each is preceded by an odd number of backslashes)
    for m in re.finditer(r"[`*_{}\[\]()#+\-.!|<>~$:&]", out):
        run = len(out[: m.start()]) - len(out[: m.start()].rstrip("\\"))
        assert run % 2 == 1, f"{m.group()!r} at {m.start()} not escaped in {out!r}"


def test_escape_keeps_text_and_lines():
    assert md_escape("Hallo Welt") == "Hallo Welt"
    assert md_escape("a\nb") == "a\\\nb"
    assert md_escape("x\u202eevil\x00") == "xevil"  # bidi override and NUL dropped


def test_highlight_escapes_inside_and_outside():
    out = highlight("Wer kann DATEV empfehlen? <b>$5</b>", ["datev", "<b>"])
    assert ":orange-background[**DATEV**]" in out
    assert ":orange-background[**\\<b\\>**]" in out
    assert "\\$5" in out and "<b>" not in out.replace("\\<b\\>", "")
    # a phrase containing ] cannot close the directive early
    assert highlight("a ]] b", ["]]"]) == "a :orange-background[**\\]\\]**] b"


def test_highlight_overlaps_and_case():
    out = highlight("Suche einen Steuerberater", ["suche einen", "einen"])
    assert out.count("orange-background") == 1


def test_highlight_finds_phrases_across_line_breaks_and_in_parts():
    # the classifier gives its evidence on one line, and a long phrase as its start and its end
    text = "Got a quote of 18k for the roof.\nThe roofer says it is urgent.  Does that sound right?"
    out = highlight(text, ["Got a quote of 18k … Does that sound right", "roof. The roofer"])
    assert ":orange-background[**Got a quote of 18k**]" in out
    assert ":orange-background[**Does that sound right**]" in out
    assert ":orange-background[**roof\\. The roofer**]" in out  # across the line break, escaped inside
    assert out.count("orange-background") == 3
    # a direct form's evidence ({"phrase", "signal", "form"}) is an evidence phrase too
    _s, p = explanation_parts({"text": "Help request", "phrases": [{"phrase": "Kann mir jemand"}],
                               "direct": [{"phrase": "Kann mir jemand einen Steuerberater empfehlen",
                                           "signal": "asks directly for a recommendation", "form": "recommendation"}]})
    assert p == ["Kann mir jemand", "Kann mir jemand einen Steuerberater empfehlen"]


def test_safe_url():
    assert safe_url("https://example.com/t/1") == "https://example.com/t/1"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<script>", "//evil", "", None, "http://"):
        assert safe_url(bad) is None


def test_explanation_and_persona_shapes():
    s, p = explanation_parts({"summary": "asks", "reasons": [{"text": "request phrase", "evidence": ["kann jemand"]}], "evidence": ["suche"]})
    assert s == ["asks", "request phrase"] and p == ["kann jemand", "suche"]
    assert explanation_parts("plain") == (["plain"], [])
    rows = persona_rows({"p": {"fit": 0.5, "criteria": [{"name": "size", "points": 50, "max": 100, "evidence": ["30 Leute"]}]}, "q": 0.2})
    assert {"persona": "p", "criterion": "size", "points": 50, "max": 100, "evidence": "30 Leute"} in rows
    assert any(r["persona"] == "q" and r["points"] == 0.2 for r in rows)
