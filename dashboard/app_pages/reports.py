"""Reports: the funnel over time and per-partner KPIs, as charts and tables with CSV download.
A partner user sees only its own organisation's figures (the query functions filter by it)."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.state import db_url, require_user, sessions
from radar.queries import FUNNEL_STEPS, funnel, partner_kpis

user = require_user("admin", "marketing", "consultant", "partner")
scope = user.partner_id if user.role == "partner" else None


@st.cache_data(ttl=120)
def _funnel(url: str, since: dt.datetime, bucket: str, partner_id: int | None) -> list[dict]:
    with sessions()() as s:
        return funnel(s, since, bucket=bucket, partner_id=partner_id)


@st.cache_data(ttl=120)
def _kpis(url: str, since: dt.datetime, partner_id: int | None) -> list[dict]:
    with sessions()() as s:
        return partner_kpis(s, since=since, partner_id=partner_id)


st.title("Reports")
c1, c2 = st.columns(2)
days = c1.selectbox("Period", [30, 90, 180, 365], index=1, format_func=lambda d: f"last {d} days", key="reports_days")
bucket = c2.selectbox("Per", ["day", "week", "month"], index=1, key="reports_bucket")
today = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
since = today - dt.timedelta(days=days)

st.subheader("Funnel: found → reviewed → contacted → lead → SAL → SQL → won")
rows = _funnel(db_url(), since, bucket, scope)
if not rows:
    st.info("Nothing found in this period yet.")
else:
    df = pd.DataFrame(rows).set_index("period")
    totals = df[list(FUNNEL_STEPS)].sum()
    cols = st.columns(len(FUNNEL_STEPS))
    for col, step in zip(cols, FUNNEL_STEPS):
        share = f"{totals[step] / totals['found']:.0%} of found" if totals["found"] else None
        col.metric(step, f"{int(totals[step]):,}", share, delta_color="off", delta_arrow="off")
    steps = list(FUNNEL_STEPS)
    st.altair_chart(
        alt.Chart(pd.DataFrame({"step": steps, "count": [int(totals[x]) for x in steps]}))
        .mark_bar().encode(y=alt.Y("step:N", sort=steps, title=None), x=alt.X("count:Q", title="posts found in the period"),
                           tooltip=["step", "count"]),
        width="stretch",
    )
    long = df.reset_index().melt(id_vars="period", value_vars=steps, var_name="step", value_name="count")
    st.altair_chart(
        alt.Chart(long).mark_line(point=True).encode(
            x=alt.X("period:T", title=f"per {bucket} (when the post was found)"), y=alt.Y("count:Q", title=None),
            color=alt.Color("step:N", sort=steps, title=None), tooltip=["period:T", "step", "count"]),
        width="stretch",
    )
    st.dataframe(df.reset_index(), hide_index=True, width="stretch")
    st.download_button("Download funnel (CSV)", df.reset_index().to_csv(index=False).encode(), "funnel.csv", "text/csv")

st.subheader("Partners" if scope is None else "Your organisation")
kpis = _kpis(db_url(), since, scope)
if not kpis:
    st.info("No partners yet (partners.toml, then `radar config load`).")
else:
    kdf = pd.DataFrame(kpis)
    st.dataframe(
        kdf, hide_index=True, width="stretch",
        column_config={
            "conversion_rate": st.column_config.NumberColumn("Conversion", format="percent"),
            "feedback_compliance": st.column_config.NumberColumn("Feedback on time", format="percent"),
            "avg_deal_days": st.column_config.NumberColumn("Avg deal time (days)", format="%.1f"),
            "avg_deal_size": st.column_config.NumberColumn("Avg deal size", format="%.2f"),
        },
    )
    charts = [("conversion_rate", "Conversion rate (won / closed)"), ("feedback_compliance", "Feedback compliance (on time / due)"),
              ("avg_deal_days", "Average deal time (days)"), ("avg_deal_size", "Average deal size")]
    shown = [(c, t) for c, t in charts if kdf[c].notna().any()]
    if not shown:
        st.caption("No reservations in this period yet, so no partner charts.")
    for row in range(0, len(shown), 2):
        for col, (c, t) in zip(st.columns(2), shown[row:row + 2]):
            col.caption(t)
            col.altair_chart(
                alt.Chart(kdf.dropna(subset=[c])).mark_bar().encode(
                    x=alt.X("partner:N", title=None, sort="-y"), y=alt.Y(f"{c}:Q", title=None), tooltip=["partner", c]),
                width="stretch",
            )
    st.download_button("Download partner KPIs (CSV)", kdf.to_csv(index=False).encode(), "partner_kpis.csv", "text/csv")
