"""The Today page: inbox best first, filters, paging, detail view, stored actions, inert web text."""

from __future__ import annotations

import pytest
from dashboard_seed import HOSTILE_TITLE, login, seed_inbox, seed_users, texts
from sqlalchemy import select

from radar.db import get_sessionmaker
from radar.models import Label, Lead, Opportunity

pytestmark = pytest.mark.usefixtures("config_dir")


@pytest.fixture
def seeded(db_url):
    with get_sessionmaker(db_url).begin() as s:
        users = seed_users(s)
    opps = seed_inbox(db_url, n=30)

    return users, opps


def _today(username="carl"):
    at = login(username)
    at.switch_page("app_pages/today.py").run()
    assert not at.exception, at.exception
    return at


def test_inbox_best_first_with_paging(seeded):
    at = _today()
    df = at.dataframe[0].value
    assert len(df) == 25
    assert list(df["score"]) == sorted(df["score"], reverse=True)
    assert df.iloc[0]["title"] == HOSTILE_TITLE  # the hostile post is the best and shown as plain cell text
    assert set(df.columns) >= {"title", "source", "language", "score", "temperature", "intent", "persona", "age"}
    assert "30 opportunities" in texts(at) and "page 1 of 2" in texts(at)
    next_btn = [b for b in at.button if b.label == "Next ▶"][0]
    next_btn.click().run()
    df2 = at.dataframe[0].value
    assert len(df2) == 5 and "page 2 of 2" in texts(at)
    assert set(df2["id"]).isdisjoint(df["id"])


def test_filters_language_and_source(seeded):
    at = _today()
    at.multiselect(key="today_languages").select("en").run()
    df = at.dataframe[0].value
    assert len(df) == 10 and set(df["language"]) == {"en"} and set(df["source"]) == {"hn-ask"}
    at.multiselect(key="today_languages").unselect("en").run()
    at.multiselect(key="today_sources").select("forum-de").run()
    df = at.dataframe[0].value
    assert set(df["source"]) == {"forum-de"}
    at.multiselect(key="today_temperatures").select("cold").run()
    assert "No opportunities match" in texts(at) or set(at.dataframe[0].value["temperature"]) == {"cold"}


def test_detail_is_inert_and_explained(seeded):
    users, opps = seeded
    at = _today()
    at.selectbox(key="today_open").select(opps[0]).run()
    assert not at.exception
    body = [t.value for t in at.text if "onerror" in t.value]
    assert body, "the full post is shown with st.text"
    md = "\n".join(m.value for m in at.markdown)
    # the title is escaped Markdown: no live script tag, no LaTeX, no colour directive
    assert "<script>" not in md and "\\<script\\>" in md
    assert "\\$x\\^2\\$" in md and "\\:red\\[rot\\]" in md
    # evidence phrases are highlighted (escaped inside the highlight)
    assert ":orange-background[**DATEV**]" in md
    assert ":orange-background[**\\<img src\\=x onerror**]" in md
    # persona points per criterion
    crit = at.dataframe[-1].value
    assert {"Thema", "Firmengröße"} <= set(crit["criterion"])
    # the javascript: link is not offered
    assert "not an http(s) address" in texts(at)
    with get_sessionmaker().begin() as s:
        assert s.get(Opportunity, opps[0]).status == "seen"


def test_actions_are_stored_as_status_and_labels(seeded, db_url):
    users, opps = seeded
    at = _today()
    at.selectbox(key="today_open").select(opps[1]).run()
    [b for b in at.button if b.label == "Mark contacted"][0].click().run()
    assert not at.exception and "Marked as contacted" in texts(at)

    at.selectbox(key="today_open").select(opps[2]).run()
    at.text_input[-1].input("Stellenanzeige, keine Anfrage")
    [b for b in at.button if b.label == "Not relevant"][0].click().run()
    assert "Dismissed" in texts(at)

    at.selectbox(key="today_open").select(opps[3]).run()
    [b for b in at.button if b.label == "Not relevant"][0].click().run()
    assert "say why it is not relevant" in texts(at)

    [b for b in at.button if b.label == "Make lead"][0].click().run()
    assert not at.exception and "Lead #" in texts(at)

    with get_sessionmaker(db_url).begin() as s:
        st = {o.id: (o.status, o.dismissed_reason) for o in s.scalars(select(Opportunity).where(Opportunity.id.in_(opps[1:4])))}
        assert st[opps[1]] == ("contacted", None)
        assert st[opps[2]] == ("dismissed", "Stellenanzeige, keine Anfrage")
        assert st[opps[3]][0] == "lead"
        lead = s.scalars(select(Lead).where(Lead.opportunity_id == opps[3])).one()
        assert lead.stage == "MQL"
        labels = {(lb.mention_id, lb.label, lb.origin) for lb in s.scalars(select(Label))}
        mids = {o.id: o.mention_id for o in s.scalars(select(Opportunity))}
        assert (mids[opps[1]], 1, "dashboard:contacted") in labels
        assert (mids[opps[2]], 0, "dashboard:dismissed") in labels
        assert (mids[opps[3]], 1, "dashboard:lead") in labels
        assert len(labels) == 3  # the failed dismissal (no reason) stored nothing


def test_detail_of_a_really_classified_post(db_url):
    """The real classifier's explanation, evidence and persona points render on the detail view."""
    from dashboard_seed import seed_classified

    with get_sessionmaker(db_url).begin() as s:
        seed_users(s)
    [mid] = seed_classified(db_url, [(
        "Kann mir jemand einen Steuerberater empfehlen?",
        "Hallo zusammen, wir sind ein Handwerksbetrieb mit 40 Mitarbeitern in Stuttgart und suchen dringend "
        "einen Steuerberater, der sich mit DATEV auskennt. Hat jemand Erfahrungen oder eine Empfehlung?", "de")])
    with get_sessionmaker(db_url).begin() as s:
        opp = s.scalars(select(Opportunity).where(Opportunity.mention_id == mid)).one()
        assert opp.score > 0 and opp.intent != "none"
        oid = opp.id
    at = _today()
    at.selectbox(key="today_open").select(oid).run()
    assert not at.exception
    md = "\n".join(m.value for m in at.markdown)
    assert "orange-background" in md  # request phrases found by the classifier are highlighted in the post
    # the direct ask itself (the classifier's "Asks directly" evidence) is highlighted in the post
    assert ":orange-background[**Kann mir jemand einen Steuerberater empfehlen**]" in md, md
    assert "Steuerberater" in at.text[0].value or any("Steuerberater" in t.value for t in at.text)
    assert any("persona" in df.value.columns for df in at.dataframe)
