"""config/partners.toml: the default hierarchy loads, syncs idempotently and routes a lead."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from radar.config import ConfigError, load_config
from radar.leads import channel_manager, get_partner, list_partners, partner_tree, subtree_ids, visible_leads
from radar.models import Partner, Radar, User
from radar.sync import sync_partners

from conftest import ROOT


def test_default_partners_file_syncs_into_a_hierarchy(session):
    cfg = load_config(ROOT / "config")
    report = sync_partners(session, cfg)
    assert len(report.added) == 9
    tree = [(p.name, depth) for p, depth in partner_tree(session)]
    assert tree[0] == ("Nordlicht Systems", 0)
    assert ("ITK Distribution", 1) in tree and ("Systemhaus Hanse", 2) in tree
    itk = get_partner(session, "ITK Distribution")
    below = {p.name for p in list_partners(session, under=itk.id)}
    assert below == {"ITK Distribution", "Systemhaus Hanse", "Bits & Bytes München", "NetCare Stuttgart"}
    assert subtree_ids(session, itk.id) == {p.id for p in list_partners(session, under="ITK Distribution")}
    assert channel_manager(session, get_partner(session, "NetCare Stuttgart").id).name == "ITK Distribution"
    assert channel_manager(session, get_partner(session, "CloudWerk Berlin").id).name == "Nordlicht Systems"
    qualifier = session.scalar(select(User).where(User.username == "tsp.qualifier"))
    assert qualifier.role == "qualifier" and qualifier.partner.name == "Telesales Plus"
    hanse = session.scalar(select(User).where(User.username == "hanse.vertrieb"))
    assert (hanse.notify_channel, hanse.notify_cadence, hanse.notify_min_temperature) == ("email", "instant", "warm")
    assert session.scalar(select(Radar).where(Radar.name == "Cloud-Umstieg")).languages == ["de", "en"]
    manager = session.scalar(select(User).where(User.username == "channel.manager"))
    assert visible_leads(session, manager) == []  # sees everything, of nothing yet
    again = sync_partners(session, cfg)
    assert (again.added, again.updated) == ([], [])
    assert session.query(Partner).count() == 9


def test_bad_radar_query_in_config_names_the_position(tmp_path):
    (tmp_path / "partners.toml").write_text(
        '[[partners]]\nname = "X"\ntype = "reseller"\n[[partners.radars]]\nname = "r"\nquery = "(datev OR"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert "partners[0] (name 'X').radars[0] (name 'r').query: query syntax error at position 10" in str(err.value)
