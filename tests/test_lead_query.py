"""The radar query language: parsing, errors with positions, matching, preview."""

import datetime as dt

import pytest

from radar.leads import QuerySyntaxError, matches, parse, preview_radar
from radar.leads.query import And, Not, Or, Phrase, Term, fold, region_matches

import leadkit


def test_precedence_not_and_or():
    assert parse("a OR b c") == Or((Term("a"), And((Term("b"), Term("c")))))
    assert parse("NOT a b") == And((Not(Term("a")), Term("b")))
    assert parse("(a OR b) AND -c") == And((Or((Term("a"), Term("b"))), Not(Term("c"))))
    assert parse('"Steuer Berater" and datev*') == And((Phrase(("steuer", "berater")), Term("datev", prefix=True)))


@pytest.mark.parametrize("query,text,expected", [
    ("datev", "Wer kennt DATEV?", True),
    ("datev", "datevx", False),
    ("datev*", "DATEV-Schnittstelle", True),
    ("buchhalt*", "Suche Buchhaltungssoftware", True),
    ('"steuer berater"', "ein Steuer-Berater gesucht", True),
    ('"steuer berater"', "Berater für Steuer", False),
    ("müller", "Herr MUELLER", True),
    ("mueller", "Frau Müller", True),
    ("GROSSE", "die größe", False),
    ("groesse", "die Größe", True),
    ("strasse", "Hauptstraße 1", False),
    ("hauptstrasse", "Hauptstraße 1", True),
    ("cafe", "Café am Markt", True),
    ("a AND NOT b", "a c", True),
    ("a AND NOT b", "a b", False),
    ("(crm OR erp) empfehlung", "Empfehlung für ein ERP gesucht", True),
    ("(crm OR erp) empfehlung", "Empfehlung für Drucker", False),
    ('"and"', "this and that", True),
])
def test_matches(query, text, expected):
    assert matches(query, text) is expected


@pytest.mark.parametrize("query,position,fragment", [
    ("", 1, "empty"),
    ("a AND", 6, "ends where"),
    ("(a OR b", 8, "close the '(' at position 1"),
    ("a OR b)", 7, "without a matching"),
    ('a "bc', 3, "never closed"),
    ("()", 2, "empty parentheses"),
    ("OR b", 1, "operator 'OR'"),
    ("a AND OR b", 7, "operator 'OR'"),
    ("da*ev", 1, "only at the end"),
])
def test_syntax_errors_name_the_position(query, position, fragment):
    with pytest.raises(QuerySyntaxError) as err:
        parse(query)
    assert err.value.position == position
    assert fragment in str(err.value)
    assert f"position {position}" in str(err.value)


def test_fold_and_regions():
    assert fold("Größe MÜLLER Café") == "groesse mueller cafe"
    assert region_matches("DE-70173", ["DE-7"])
    assert region_matches("DE-70173", ["de"])
    assert not region_matches("DE-20095", ["DE-7", "AT"])
    assert not region_matches("AT", ["DE"])
    assert not region_matches("DEN", ["DE"])
    assert region_matches("DE", ["DE-7"])  # known only by country: may lie in the partner's area
    assert not region_matches("DE-2", ["DE-7"])
    assert region_matches(None, ["DE"])  # unknown region: no guess, no exclusion
    assert region_matches("CH", [])


def test_preview_counts_per_day_and_filters(session):
    now = leadkit.T0 + dt.timedelta(days=10)
    for day, title, score, lang in [(1, "DATEV Hilfe gesucht", 80, "de"), (1, "Suche DATEV Berater", 30, "de"),
                                    (3, "datev consultant needed", 90, "en"), (5, "Drucker kaputt", 90, "de"),
                                    (40, "DATEV alt", 90, "de")]:
        leadkit.opportunity(session, title=title, body="", score=score, language=lang,
                            published_at=now - dt.timedelta(days=day))
    res = preview_radar(session, "datev", ["de"], 50, [], [], days=30, now=now)
    assert res.total == 1 and res.matches[0]["title"] == "DATEV Hilfe gesucht"
    assert len(res.per_day) == 30
    assert res.per_day[(now - dt.timedelta(days=1)).date().isoformat()] == 1
    assert sum(res.per_day.values()) == 1
    res = preview_radar(session, "datev", [], 0, [], [], days=30, now=now)
    assert res.total == 3 and res.scanned == 4
    assert {m["title"] for m in res.matches[:2]} == {"DATEV Hilfe gesucht", "Suche DATEV Berater"}  # newest first
    assert res.matches[2]["title"] == "datev consultant needed"
    assert preview_radar(session, "datev", [], 0, ["other-persona"], [], now=now).total == 0
    with pytest.raises(QuerySyntaxError):
        preview_radar(session, "datev AND", [], 0, [], [], now=now)
