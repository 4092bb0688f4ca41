"""Sources (admin): health of every source, enable/disable, and `radar sources check` on demand."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.render import md_escape
from dashboard.state import db_url, flash, require_user, run_command, sessions
from radar import commands
from radar.queries import recent_runs, source_overview

require_user("admin")


@st.cache_data(ttl=15)
def _health(url: str) -> dict:
    with sessions()() as s:
        return source_overview(s)


@st.cache_data(ttl=15)
def _runs(url: str, name: str) -> list[dict]:
    with sessions()() as s:
        return recent_runs(s, name)


st.title("Sources")
flash()
overview = _health(db_url())
rows = overview["sources"]
leader = overview["leader"]
if leader is None:
    st.warning("The service has never run here: nothing is crawled on schedule. Start it with `radar run`.")
elif not leader["alive"]:
    st.warning(f"The service's last heartbeat was {leader['heartbeat_age_seconds']:.0f} s ago: it seems to be stopped. Start it with `radar run`.")
else:
    st.caption(md_escape(f"Service running ({leader['holder']}), heartbeat {leader['heartbeat_age_seconds']:.0f} s ago."))
if not rows:
    st.info("No sources yet. Add them to config/sources.toml and run `radar config load`.")
    st.stop()

df = pd.DataFrame(rows)
failing = df[(df["error_streak"] > 0) & df["enabled"]]
c1, c2, c3, c4 = st.columns(4)
c1.metric("Sources", len(df))
c2.metric("Enabled", int(df["enabled"].sum()))
c3.metric("Failing", len(failing))
c4.metric("New items (24 h)", f"{int(df['new_24h'].sum()):,}")
st.dataframe(
    df[["name", "kind", "enabled", "running", "last_status", "last_run_at", "last_run_new", "new_24h", "items_total", "error_streak",
        "next_run_at", "next_run_estimated", "last_error"]],
    hide_index=True, width="stretch",
    column_config={
        "last_run_at": st.column_config.DatetimeColumn("Last run (UTC)", format="YYYY-MM-DD HH:mm"),
        "next_run_at": st.column_config.DatetimeColumn("Next run (UTC)", format="YYYY-MM-DD HH:mm"),
        "next_run_estimated": st.column_config.CheckboxColumn("Estimated", help="The scheduler has not planned this run yet"),
        "last_run_new": "New (last run)", "new_24h": "New (24 h)", "items_total": "Items", "error_streak": "Errors in a row",
        "last_error": st.column_config.TextColumn("Last error", width="large"),
    },
)

st.subheader("One source")
name = st.selectbox("Source", df["name"].tolist(), key="sources_pick")
row = next(r for r in rows if r["name"] == name)
b1, b2, _ = st.columns([1, 1, 4])
if row["enabled"]:
    if b1.button("Disable", key="sources_disable"):
        run_command(commands.set_source_enabled, name, False, success=f"{name} disabled.")
        st.rerun()
else:
    if b1.button("Enable", key="sources_enable"):
        run_command(commands.set_source_enabled, name, True, success=f"{name} enabled.")
        st.rerun()
if b2.button("Check now", key="sources_check", help="Runs `radar sources check` for this source in its own process"):
    with st.spinner(f"Checking {name} …"):
        result = commands.check_source(name)
    (st.success if result.ok else st.error)(f"`radar sources check` finished with exit code {result.returncode}.")
    st.code(result.output or "(no output)", language=None)
    st.cache_data.clear()
st.caption("Enable/disable here lasts until the next `radar config load`; change sources.toml to make it permanent.")
runs = _runs(db_url(), name)
if runs:
    st.dataframe(pd.DataFrame(runs), hide_index=True, width="stretch")
else:
    st.info("This source has not run yet.")

st.subheader("Periodic jobs")
jobs = overview["jobs"]
if jobs:
    st.dataframe(pd.DataFrame(jobs), hide_index=True, width="stretch",
                 column_config={"next_run_at": st.column_config.DatetimeColumn("Next run (UTC)", format="YYYY-MM-DD HH:mm"),
                                "last_run_at": st.column_config.DatetimeColumn("Last run (UTC)", format="YYYY-MM-DD HH:mm")})
