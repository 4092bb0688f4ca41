"""Radars: keyword subscriptions, created and edited with a live preview of what they would have
matched in the last 30 days. Partner users edit their organisation's radars and see counts only
(a partner gets a post's details through a reserved lead, not through a preview)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.state import db_url, flash, require_user, run_command, sessions
from radar import commands
from radar.leads import preview_radar
from radar.leads.query import QuerySyntaxError
from radar.queries import inbox_filter_options, radars_for

user = require_user("admin", "marketing", "consultant", "partner")
is_partner = user.role == "partner"
CADENCES, CHANNELS = ["instant", "daily", "weekly"], ["email", "webhook"]


@st.cache_data(ttl=30)
def _radars(url: str, owner_id: int | None, partner_id: int | None) -> list[dict]:
    with sessions()() as s:
        return radars_for(s, owner_id=owner_id, partner_id=partner_id)


@st.cache_data(ttl=60)
def _preview(url: str, query: str, languages: tuple, min_score: int, personas: tuple, regions: tuple, day: dt.date):
    with sessions()() as s:
        try:
            r = preview_radar(s, query, list(languages), min_score, list(personas), list(regions), days=30, limit=20)
        except QuerySyntaxError as exc:
            return str(exc)
    return {"total": r.total, "scanned": r.scanned,
            "per_day": [{"day": dt.date.fromisoformat(d), "matches": n} for d, n in r.per_day.items()],
            "examples": [{"title": m["title"], "score": None if m["score"] is None else round(m["score"]), "language": m["language"],
                          "published": m["published_at"][:16].replace("T", " ")} for m in r.matches]}


@st.cache_data(ttl=300)
def _options(url: str) -> dict:
    with sessions()() as s:
        return inbox_filter_options(s)


st.title("Radars")
flash()
mine = _radars(db_url(), None if user.role == "admin" or is_partner else user.id, user.partner_id if is_partner else None)
opts = _options(db_url())
names = {r["id"]: r["name"] for r in mine}
choice = st.selectbox("Radar", [None, *names], format_func=lambda i: "+ New radar" if i is None else names[i], key="radar_pick")
current = next((r for r in mine if r["id"] == choice), None) or {
    "name": "", "query": "", "languages": [], "min_score": 40, "personas": [], "regions": [], "cadence": "daily", "channel": "email",
    "active": True}
k = f"radar_{choice or 'new'}"

left, right = st.columns([2, 3])
with left:
    name = st.text_input("Name", current["name"], key=f"{k}_name")
    query = st.text_area("Query", current["query"], key=f"{k}_query", height=90,
                         help='Words and "phrases" with AND, OR, NOT and parentheses, e.g. (datev OR lexware) AND NOT "stellenangebot"')
    languages = st.multiselect("Languages (none: all)", sorted(set(opts["languages"]) | {"de", "en"}), current["languages"], key=f"{k}_langs")
    min_score = st.slider("Minimum score", 0, 100, int(current["min_score"]), key=f"{k}_min")
    personas = st.multiselect("Personas (none: all)", sorted(set(opts["personas"]) | set(current["personas"])), current["personas"], key=f"{k}_personas")
    regions_text = st.text_input("Regions (none: all)", ", ".join(current.get("regions") or []), key=f"{k}_regions",
                                 help="Country codes or postcode prefixes, comma-separated: DE, AT, DE-7")
    regions = [r.strip().upper() for r in regions_text.split(",") if r.strip()]
    c1, c2, c3 = st.columns(3)
    cadence = c1.selectbox("Notify", CADENCES, CADENCES.index(current["cadence"]), key=f"{k}_cadence")
    channel = c2.selectbox("Channel", CHANNELS, CHANNELS.index(current["channel"]), key=f"{k}_channel")
    active = c3.toggle("Active", current["active"], key=f"{k}_active")
    if st.button("Save radar", type="primary", key=f"{k}_save"):
        rid = run_command(commands.save_radar, name=name, query=query, owner_id=user.id, partner_id=user.partner_id if is_partner else None,
                          radar_id=choice, languages=languages, min_score=min_score, personas=personas, regions=regions, cadence=cadence,
                          channel=channel, active=active, success=f"Radar {name!r} saved.")
        if rid is not None:
            st.rerun()

with right:
    st.markdown("**Preview: the last 30 days**")
    if not query.strip():
        st.info("Write a query to see what it would have matched.")
    else:
        result = _preview(db_url(), query, tuple(languages), int(min_score), tuple(personas), tuple(regions), dt.date.today())
        if isinstance(result, str):
            st.error(f"The query is not valid: {result}")
        else:
            st.metric("Matches in 30 days", f"{result['total']:,}", f"{result['total'] / 30:.1f} per day", delta_color="off", delta_arrow="off")
            st.caption(f"{result['scanned']:,} posts of the last 30 days searched; near-duplicates count once.")
            st.bar_chart(pd.DataFrame(result["per_day"]).set_index("day"), y="matches")
            if result["examples"] and not is_partner:
                st.caption("Best matches")
                st.dataframe(pd.DataFrame(result["examples"]), hide_index=True, width="stretch")
