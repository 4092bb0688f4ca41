"""Radars: create and edit keyword radars with a live 30-day preview."""

from __future__ import annotations

import pytest
from dashboard_seed import login, seed_inbox, seed_users, texts
from sqlalchemy import select

from radar.db import get_sessionmaker
from radar.models import Radar

pytestmark = pytest.mark.usefixtures("config_dir")


@pytest.fixture
def seeded(db_url):
    with get_sessionmaker(db_url).begin() as s:
        seed_users(s)
    seed_inbox(db_url, n=12)

def test_create_and_edit_radar(seeded, db_url):
    at = login("carl")
    at.switch_page("app_pages/radars.py").run()
    assert not at.exception
    at.text_input(key="radar_new_name").input("Buchhaltung DE")
    at.text_area(key="radar_new_query").input("buchhaltung AND NOT datev").run()
    assert {m.label: m.value for m in at.metric}["Matches in 30 days"] == "11"
    assert len(at.dataframe) == 1  # best matches for a consultant
    at.button(key="radar_new_save").click().run()
    assert "saved" in texts(at)
    with get_sessionmaker(db_url).begin() as s:
        r = s.scalars(select(Radar)).one()
        assert (r.name, r.query, r.owner_id is not None) == ("Buchhaltung DE", "buchhaltung AND NOT datev", True)
        rid = r.id
    at.selectbox(key="radar_pick").select(rid).run()
    at.text_area(key=f"radar_{rid}_query").input("buchhaltung OR (").run()
    assert "not valid" in texts(at)
    at.text_area(key=f"radar_{rid}_query").input("buchhaltung OR (").run()
    at.button(key=f"radar_{rid}_save").click().run()
    with get_sessionmaker(db_url).begin() as s:
        assert s.scalars(select(Radar.query)).one() == "buchhaltung AND NOT datev"  # the bad query was not saved


def test_partner_preview_has_counts_only(seeded, db_url):
    at = login("paul")
    at.switch_page("app_pages/radars.py").run()
    at.text_input(key="radar_new_name").input("ACME watch")
    at.text_area(key="radar_new_query").input("buchhaltung").run()
    assert {m.label: m.value for m in at.metric}["Matches in 30 days"] == "12"
    assert len(at.dataframe) == 0  # no post titles for partners
    at.button(key="radar_new_save").click().run()
    with get_sessionmaker(db_url).begin() as s:
        r = s.scalars(select(Radar)).one()
        assert r.partner_id is not None
