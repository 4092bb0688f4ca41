"""`radar export leads`: CSV with CRM columns (formula-safe) and JSON Lines, on both engines."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

from click.testing import CliRunner

from radar.cli import main
from radar.db import get_sessionmaker
from radar.export.files import CSV_COLUMNS, export_leads, safe_cell
from radar.models import Lead, Mention, Partner, Source


def seed(factory):
    with factory.begin() as s:
        src = Source(kind="reddit", name="reddit-smallbusiness")
        s.add(src)
        s.flush()
        m = Mention(source_id=src.id, external_id="t3_1", url="https://www.reddit.com/r/smallbusiness/comments/1",
                    canonical_url="https://www.reddit.com/r/smallbusiness/comments/1", title="=cmd|' /C calc'!A0",
                    body="Wer kann helfen?", author="müller_gmbh", content_hash="x" * 64)
        s.add(m)
        p = Partner(name="IT-Haus Süd", type="reseller")
        s.add(p)
        s.flush()
        old = Lead(title="old", score=10, created_at=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc),
                   updated_at=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
        hot = Lead(mention_id=m.id, title="=HYPERLINK(\"http://evil\",\"x\")", summary="+49 needs DATEV help; 60 employees",
                   score=88.4, temperature="hot", stage="won", status="closed", deal_size=Decimal("12500.50"),
                   intent="supplier", persona="it-service-dach", region="DE-7", partner_id=p.id,
                   contact={"name": "Anna Müller", "email": "anna@example.de", "phone": "-1+1", "company": "Müller GmbH",
                            "city": "Stuttgart", "postal_code": "70173", "country": "DE"})
        s.add_all([old, hot])
    return hot


def test_safe_cell():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("\t=x") == "'\t=x"
    assert safe_cell("plain -text") == "plain -text"
    assert safe_cell(None) == ""
    assert safe_cell(42) == "42"


def test_csv_has_crm_columns_and_is_formula_safe(db_url):
    factory = get_sessionmaker(db_url)
    seed(factory)
    out = io.StringIO(newline="")
    with factory() as s:
        n = export_leads(s, out, "csv", since=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))
    assert n == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == CSV_COLUMNS
    for col in ["FirstName", "LastName", "Company", "Email", "Phone", "City", "PostalCode", "Country", "LeadSource",
                "Rating", "Status", "Description"]:
        assert col in CSV_COLUMNS
    r = rows[0]
    assert (r["FirstName"], r["LastName"], r["Company"]) == ("Anna", "Müller", "Müller GmbH")
    assert r["Email"] == "anna@example.de" and r["City"] == "Stuttgart" and r["PostalCode"] == "70173" and r["Country"] == "DE"
    assert r["Phone"] == "'-1+1"
    assert r["Rating"] == "Hot" and r["Status"] == "Closed - Converted" and r["Stage"] == "won"
    assert r["LeadSource"] == "Business Radar (reddit-smallbusiness)"
    assert r["Description"].startswith("'=HYPERLINK") and "DATEV" in r["Description"]
    assert r["Score"] == "88" and r["Temperature"] == "hot" and r["Persona"] == "it-service-dach" and r["Intent"] == "supplier"
    assert r["SourceURL"] == "https://www.reddit.com/r/smallbusiness/comments/1"
    assert r["DealSize"] == "12500.50" and r["Partner"] == "IT-Haus Süd"
    for value in r.values():
        assert not value.startswith(("=", "+", "-", "@")), value


def test_jsonl_and_cli(db_url, config_dir, tmp_path):
    seed(get_sessionmaker(db_url))
    target = tmp_path / "out" / "leads.jsonl"
    res = CliRunner().invoke(main, ["export", "leads", "--format", "jsonl", "--since", "2025-01-01", "-o", str(target)])
    assert res.exit_code == 0, res.output
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 1
    rec = records[0]
    assert rec["title"].startswith("=HYPERLINK")  # JSON keeps the raw text; only CSV cells are defused
    assert rec["contact"]["email"] == "anna@example.de" and rec["deal_size"] == 12500.5
    assert rec["mention"]["author"] == "müller_gmbh" and rec["source"] == "reddit-smallbusiness"
    all_csv = tmp_path / "all.csv"
    res = CliRunner().invoke(main, ["export", "leads", "-o", str(all_csv)])
    assert res.exit_code == 0 and "2 leads exported" in res.output
    raw = all_csv.read_bytes()
    assert raw.startswith(b"FirstName,LastName") and "Müller".encode() in raw
    bad = CliRunner().invoke(main, ["export", "leads", "--since", "yesterday"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
