"""My leads (partners): the reserved leads with full details, the feedback form and what is overdue."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.render import md_escape, safe_url
from dashboard.state import db_url, flash, require_user, run_command, sessions
from radar.leads import get_lead, give_feedback, my_leads
from radar.models import FEEDBACK_OUTCOMES, User

user = require_user("partner")


@st.cache_data(ttl=10)
def _mine(url: str, user_id: int) -> list[dict]:
    with sessions()() as s:
        return my_leads(s, s.get(User, user_id))


@st.cache_data(ttl=10)
def _lead(url: str, user_id: int, lead_id: int) -> dict:
    with sessions()() as s:
        return get_lead(s, s.get(User, user_id), lead_id)


def _when(iso: str | None) -> str:
    return iso[:16].replace("T", " ") + " UTC" if iso else "—"


st.title("My leads")
flash()
leads = _mine(db_url(), user.id)
if not leads:
    st.info("You hold no leads yet. Reserve one on the Pick list.")
    st.stop()

overdue = [lead for lead in leads if (lead.get("reservation") or {}).get("overdue")]
if overdue:
    st.error(f"Feedback overdue on {len(overdue)} lead(s): "
             + ", ".join(f"#{lead['id']} (due {_when(lead['reservation']['feedback_due_at'])})" for lead in overdue)
             + ". Until you report, you cannot reserve new leads.")

show_closed = st.toggle("Show closed leads", key="my_leads_closed")
table = pd.DataFrame([{
    "lead": lead["id"], "title": lead["title"], "stage": lead["stage"], "status": lead["status"], "temperature": lead["temperature"],
    "feedback due": _when((lead.get("reservation") or {}).get("feedback_due_at")),
    "overdue": bool((lead.get("reservation") or {}).get("overdue")),
} for lead in leads if show_closed or lead["status"] != "closed"])
if table.empty:
    st.info("No open leads. Switch on “Show closed leads” to see the others.")
    st.stop()
st.dataframe(table, hide_index=True, width="stretch")

pick = st.selectbox("Lead", table["lead"].tolist(), key="my_leads_pick",
                    format_func=lambda i: f"#{i} · {next(lead['title'] for lead in leads if lead['id'] == i)[:90]}")
lead = _lead(db_url(), user.id, int(pick))
st.markdown("### " + md_escape(lead["title"] or f"Lead #{lead['id']}"))
st.caption(md_escape(f"stage {lead['stage']} · {lead['temperature']} · score {round(lead['score'])} · {lead['intent'] or ''} · "
                     f"{lead['persona'] or ''} · region {lead['region'] or '?'} · created {_when(lead['created_at'])}"))
left, right = st.columns([3, 2])
with left:
    st.markdown("**Summary**")
    with st.container(border=True):
        st.text(lead["summary"] or "(no summary)")
    url = safe_url((lead.get("origin") or {}).get("url"))
    if url:
        st.link_button("Open the original post ↗", url)
    contact = {k: v for k, v in (lead.get("contact") or {}).items() if v}
    if contact:
        st.markdown("**Contact**")
        st.dataframe(pd.DataFrame([{"field": k, "value": str(v)} for k, v in contact.items()]), hide_index=True)
    events = lead.get("events") or []
    if events:
        st.markdown("**History**")
        st.dataframe(pd.DataFrame([{"at": _when(e["at"]), "what": e["kind"], "by": e["actor"],
                                    "stage": f"{e['from_stage'] or ''} → {e['to_stage']}" if e.get("to_stage") else ""} for e in events]),
                     hide_index=True, width="stretch")
with right:
    st.markdown("**Feedback**")
    if lead["status"] == "closed":
        st.info(f"Closed as {lead['stage']}" + (f" ({lead['deal_size']})" if lead.get("deal_size") else "") + ".")
    else:
        with st.form(f"feedback_{lead['id']}"):
            outcome = st.selectbox("Outcome", FEEDBACK_OUTCOMES, format_func=lambda o: {
                "contacted": "contacted the customer", "SAL": "accepted (SAL)", "SQL": "qualified opportunity (SQL)",
                "won": "won", "lost": "lost", "not_interested": "customer not interested"}[o])
            deal = st.number_input("Deal size (for won)", min_value=0.0, step=100.0, value=0.0)
            reason = st.text_input("Reason or note (for lost / not interested)")
            if st.form_submit_button("Send feedback", type="primary"):
                ok = run_command(give_feedback, lead["id"], user.partner_id, outcome,
                                 deal_size=deal if outcome == "won" and deal > 0 else None, reason=reason or None, user_id=user.id,
                                 success=f"Thank you: feedback on lead #{lead['id']} recorded.")
                if ok is not None:
                    st.rerun()
