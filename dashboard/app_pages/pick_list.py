"""Pick list (partners): teasers of the leads offered to the partner; first to reserve wins.
Before reserving a partner sees only the teaser (the leads package decides what is in it)."""

from __future__ import annotations

import streamlit as st

from dashboard.render import md_escape
from dashboard.state import config, db_url, flash, report_later, require_user, run_command, sessions
from radar.leads import AlreadyReserved, FeedbackOverdue, NotOffered, decline_offer, pick_list, reserve_lead
from radar.models import User

user = require_user("partner")


@st.cache_data(ttl=10)
def _picks(url: str, user_id: int) -> list[dict]:
    with sessions()() as s:
        return pick_list(s, s.get(User, user_id))


ERRORS = {
    AlreadyReserved: "Too late: another partner reserved lead #{lead} a moment before you. It is gone from your list.",
    FeedbackOverdue: "Reserving is blocked: {exc}. Give the feedback that is due under My leads, then reserve.",
    NotOffered: "Lead #{lead} is no longer offered to you ({exc}).",
}


def _reserve(lead_id: int) -> None:
    # a callback: it runs on the click even when the lead has left the list meanwhile, so the
    # partner who was too slow is told so instead of seeing the lead silently vanish
    run_command(reserve_lead, lead_id, user.partner_id, user.id, config(), report=report_later,
                errors={k: v.replace("{lead}", str(lead_id)) for k, v in ERRORS.items()},
                success=f"Lead #{lead_id} is yours. Its details are under My leads.")


def _decline(lead_id: int) -> None:
    reason = st.session_state.get(f"decline_reason_{lead_id}") or "no reason given"
    run_command(decline_offer, lead_id, user.partner_id, reason, user.id, report=report_later,
                success=f"Lead #{lead_id} declined.")


st.title("Pick list")
flash()
picks = _picks(db_url(), user.id)
if not picks:
    st.info("No leads are offered to you right now. New ones arrive by e-mail and appear here.")
    st.stop()
blocked = next((p["blocked_reason"] for p in picks if p.get("blocked_reason")), None)
if blocked:
    st.warning(f"You can look but not reserve: {blocked}. Open **My leads** and give the feedback that is due.")
st.caption(f"{len(picks)} lead{'' if len(picks) == 1 else 's'} offered to you · hottest first · the first partner to reserve gets the lead")

for t in picks:
    with st.container(border=True):
        c1, c2 = st.columns([5, 2])
        rest = f"score {t['score']} · {t['intent'] or 'request'} · {t['persona'] or 'no persona'}"
        c1.markdown(md_escape(f"Lead #{t['lead_id']}") + " · **" + md_escape(t["temperature"].upper()) + "** · " + md_escape(rest))
        c1.caption(md_escape(f"{t['language'] or '?'} · region {t['region'] or '?'} · skills {', '.join(t['skills']) or '—'} · "
                             f"{t['source_kind'] or 'web'} · {t['age_hours']} h old"
                             + (f" · offer expires {t['expires_at'][:16].replace('T', ' ')} UTC" if t.get("expires_at") else "")))
        c1.text(t["summary"] or "(no summary)")
        c2.button("Reserve", key=f"reserve_{t['lead_id']}", type="primary", disabled=not t["can_reserve"],
                  on_click=_reserve, args=(t["lead_id"],))
        with c2.popover("Decline"):
            st.text_input("Why not?", key=f"decline_reason_{t['lead_id']}", placeholder="e.g. outside our region")
            st.button("Decline lead", key=f"decline_{t['lead_id']}", on_click=_decline, args=(t["lead_id"],))
