"""Reports: the funnel over time and per-partner KPIs, as charts and tables with CSV download.
A partner user sees only its own organisation's figures (the query functions filter by it)."""

from __future__ import annotations

import datetime as dt

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
    st.bar_chart(totals.rename("count"), horizontal=True)
    st.line_chart(df[list(FUNNEL_STEPS)])
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
    chart = kdf.set_index("partner")
    k1, k2 = st.columns(2)
    k1.caption("Conversion rate (won / closed)")
    k1.bar_chart(chart["conversion_rate"].fillna(0))
    k2.caption("Feedback compliance (on time / due)")
    k2.bar_chart(chart["feedback_compliance"].fillna(0))
    k3, k4 = st.columns(2)
    k3.caption("Average deal time (days)")
    k3.bar_chart(chart["avg_deal_days"].fillna(0))
    k4.caption("Average deal size")
    k4.bar_chart(chart["avg_deal_size"].fillna(0))
    st.download_button("Download partner KPIs (CSV)", kdf.to_csv(index=False).encode(), "partner_kpis.csv", "text/csv")
