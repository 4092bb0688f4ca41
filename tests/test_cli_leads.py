"""The partner, radar, lead, KPI and escalation commands, end to end with CliRunner."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from sqlalchemy import select

from radar.cli import main
from radar.db import get_sessionmaker
from radar.models import Lead, Reservation, utcnow

import leadkit


def _ok(r, args):
    res = r.invoke(main, args)
    assert res.exit_code == 0, (args, res.output)
    return res.output


def test_lead_commands_end_to_end(config_dir, db_url):
    r = CliRunner()
    _ok(r, ["config", "load"])
    with get_sessionmaker(db_url).begin() as s:
        opp_id = leadkit.opportunity(s, title="Nextcloud einrichten in Hamburg", body="Wer hilft uns mit Nextcloud? Tel 040 1234567",
                                     published_at=utcnow() - dt.timedelta(days=2)).id
        old_id = leadkit.opportunity(s, title="nextcloud alt", body="", published_at=utcnow() - dt.timedelta(days=40)).id

    out = _ok(r, ["partners", "list"])
    assert out.splitlines()[1].startswith("Nordlicht Systems") and "    Systemhaus Hanse" in out
    _ok(r, ["partners", "add", "IT-Haus Nord", "--type", "reseller", "--parent", "ITK Distribution", "--skill", "nextcloud",
            "--region", "DE-2"])
    out = _ok(r, ["partners", "show", "ITK Distribution"])
    assert "IT-Haus Nord" in out and "user itk.partnermanager (partner)" in out
    res = r.invoke(main, ["partners", "add", "X", "--type", "reseller", "--parent", "Nobody"])
    assert res.exit_code == 1 and "no partner 'Nobody'" in res.output

    out = _ok(r, ["radars", "preview", "nextcloud AND (hilfe OR hilft)", "--language", "de"])
    assert out.startswith("1 matches in 1 posts of the last 30 days")
    res = r.invoke(main, ["radars", "preview", "nextcloud AND (hilfe"])
    assert res.exit_code == 1 and "position 21: expected ')' to close the '(' at position 15" in res.output
    _ok(r, ["radars", "add", "Nextcloud", "nextcloud", "--partner", "IT-Haus Nord", "--min-score", "30"])
    assert "Nextcloud Norddeutschland" in _ok(r, ["radars", "list"])

    out = _ok(r, ["leads", "create", str(opp_id), "--region", "DE-20", "--offer", "--actor", "channel.manager"])
    with get_sessionmaker(db_url)() as s:
        lead = s.scalar(select(Lead).where(Lead.opportunity_id == opp_id))
        lead_id = lead.id
        assert {x["name"] for x in lead.origin["radars"]} == {"Nextcloud Norddeutschland", "Nextcloud"}
    assert f"lead {lead_id} created" in out and "offered to 2 partner(s)" in out  # the two resellers of DE-2
    pick = _ok(r, ["leads", "picklist", "hanse.vertrieb"])
    assert f"lead {lead_id}: hot" in pick and "040 1234567" not in pick and "[phone]" in pick
    res = r.invoke(main, ["leads", "show", str(lead_id), "--as", "hanse.vertrieb"])
    assert res.exit_code == 1 and "reserve it to see its details" in res.output

    _ok(r, ["leads", "reserve", str(lead_id), "--partner", "Systemhaus Hanse", "--user", "hanse.vertrieb"])
    res = r.invoke(main, ["leads", "reserve", str(lead_id), "--partner", "IT-Haus Nord"])
    assert res.exit_code == 1 and "already reserved by another partner" in res.output
    out = _ok(r, ["leads", "show", str(lead_id), "--as", "hanse.vertrieb"])
    assert "https://forum.example.de/" in out and "reserved" in out and "by user:hanse.vertrieb" in out
    out = _ok(r, ["leads", "list", "--as", "itk.partnermanager"])
    assert str(lead_id) in out.split("\n", 1)[1]
    assert _ok(r, ["leads", "list", "--as", "donau.office"]).strip() == "no leads visible"
    _ok(r, ["leads", "feedback", str(lead_id), "--partner", "Systemhaus Hanse", "--outcome", "SQL"])
    res = r.invoke(main, ["leads", "feedback", str(lead_id), "--partner", "Systemhaus Hanse", "--outcome", "won"])
    assert res.exit_code == 1 and "deal size" in res.output
    _ok(r, ["leads", "feedback", str(lead_id), "--partner", "Systemhaus Hanse", "--outcome", "won", "--deal-size", "18000"])
    assert '"deal_size": "18000.00"' in _ok(r, ["leads", "show", str(lead_id), "--json"])

    out = _ok(r, ["kpis", "--partner", "ITK Distribution", "--since", "7d"])
    hanse = next(line for line in out.splitlines() if "Systemhaus Hanse" in line)
    assert "1/1" in hanse and "100%" in hanse and "18,000" in hanse
    assert '"conversion_rate": 1.0' in _ok(r, ["kpis", "--json"])
    res = r.invoke(main, ["kpis", "--since", "yesterday"])
    assert res.exit_code == 2 and "neither a date" in res.output

    out = _ok(r, ["leads", "create", str(old_id)])
    assert "status ready" in out
    out = _ok(r, ["escalate"])
    assert out.startswith("0 leads created, 1 offered")
    with get_sessionmaker(db_url)() as s:
        assert s.scalar(select(Reservation.status).where(Reservation.lead_id == lead_id)) == "closed"
