"""Today: the day's opportunities, best first, with filters, paging and a detail view whose
actions (contacted, not relevant, make lead) are stored and become classifier labels."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from dashboard.render import explanation_parts, highlight, md_escape, persona_rows, safe_url
from dashboard.state import config, db_url, flash, require_user, run_command, sessions
from radar import commands
from radar.queries import InboxFilter, inbox, inbox_filter_options, opportunity_detail

user = require_user("admin", "marketing", "consultant", "qualifier")
tz = ZoneInfo(config().settings.general.timezone)
PAGE_SIZE = 25


@st.cache_data(ttl=300)
def _options(url: str) -> dict[str, list[str]]:
    with sessions()() as s:
        return inbox_filter_options(s)


@st.cache_data(ttl=30)
def _inbox(url: str, since: dt.datetime, until: dt.datetime, statuses: tuple, personas: tuple, sources: tuple,
           languages: tuple, temperatures: tuple, page: int):
    with sessions()() as s:
        f = InboxFilter(since=since, until=until, statuses=statuses, personas=personas, sources=sources,
                        languages=languages, temperatures=temperatures)
        return inbox(s, f, page=page, page_size=PAGE_SIZE)


@st.cache_data(ttl=30)
def _detail(url: str, opportunity_id: int):
    with sessions()() as s:
        return opportunity_detail(s, opportunity_id)


st.title("Today")
flash()
opts = _options(db_url())
today = dt.datetime.now(tz).date()

with st.expander("Filters", expanded=True):
    c1, c2, c3 = st.columns([2, 3, 3])
    dates = c1.date_input("Date", value=(today - dt.timedelta(days=1), today), max_value=today, key="today_dates")
    personas = c2.multiselect("Persona", opts["personas"], key="today_personas")
    sources = c3.multiselect("Source", opts["sources"], key="today_sources")
    c4, c5, c6 = st.columns([2, 3, 3])
    languages = c4.multiselect("Language", opts["languages"] or ["de", "en"], key="today_languages")
    temperatures = c5.multiselect("Temperature", opts["temperatures"], key="today_temperatures")
    show = c6.selectbox("Show", ["open (new, seen)", "all", "contacted", "dismissed", "lead"], key="today_show")

if isinstance(dates, (tuple, list)) and len(dates) == 2:
    start, end = dates
elif isinstance(dates, (tuple, list)) and dates:
    start = end = dates[0]
else:
    start = end = dates if isinstance(dates, dt.date) else today
since = dt.datetime.combine(start, dt.time.min, tz).astimezone(dt.timezone.utc)
until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz).astimezone(dt.timezone.utc)
statuses = {"open (new, seen)": ("new", "seen"), "all": ()}.get(show, (show,))
filter_key = (since, until, statuses, tuple(personas), tuple(sources), tuple(languages), tuple(temperatures))
if st.session_state.get("today_filter_key") != filter_key:  # new filters start on page 1
    st.session_state["today_filter_key"] = filter_key
    st.session_state["today_page"] = 1

page_no = int(st.session_state.get("today_page", 1))
result = _inbox(db_url(), *filter_key, page_no)
if result.total and page_no > result.pages:
    st.session_state["today_page"] = page_no = result.pages
    result = _inbox(db_url(), *filter_key, page_no)

st.caption(f"{result.total:,} opportunities · page {result.page} of {result.pages} · best first")
if not result.rows:
    st.info("No opportunities match these filters. Widen the date range or clear a filter.")
else:
    table = pd.DataFrame(result.rows)[["id", "title", "source", "language", "score", "temperature", "intent", "persona", "age", "status"]]
    st.dataframe(
        table, hide_index=True, width="stretch",
        column_config={
            "id": st.column_config.NumberColumn("#", width="small"),
            "title": st.column_config.TextColumn("Title", width="large"),
            "score": st.column_config.ProgressColumn("Score", min_value=0, max_value=100, format="%d"),
        },
    )
    p1, p2, p3 = st.columns([1, 1, 6])
    if p1.button("◀ Previous", disabled=result.page <= 1):
        st.session_state["today_page"] = result.page - 1
        st.rerun()
    if p2.button("Next ▶", disabled=result.page >= result.pages):
        st.session_state["today_page"] = result.page + 1
        st.rerun()

# ---------------------------------------------------------------- detail
choices = {r["id"]: r["title"] for r in result.rows}
deep = st.query_params.get("opportunity")
if deep and deep.isdigit() and int(deep) not in choices:
    choices = {int(deep): f"opportunity #{deep}", **choices}
opened = st.session_state.get("today_open")
if opened is not None and opened not in choices:  # acted on, it left the list: keep showing it
    choices = {opened: st.session_state.get("today_open_title", f"opportunity #{opened}"), **choices}
picked = st.selectbox(
    "Open an opportunity", [None, *choices.keys()], key="today_open",
    index=(1 if deep and deep.isdigit() else 0),
    format_func=lambda i: "—" if i is None else f"#{i} · {choices[i][:100]}",
)
if picked is None:
    st.stop()
st.session_state["today_open_title"] = choices[picked]

detail = _detail(db_url(), int(picked))
if detail is None:
    st.warning("This opportunity no longer exists (purged or merged). Pick another one.")
    st.stop()
if detail["status"] == "new":
    run_command(commands.mark_seen, detail["id"], user.id, clear_cache=False)  # the inbox may show "new" for 30 s more
    detail["status"] = "seen"

st.divider()
st.markdown("### " + md_escape(detail["title"] or "(no title)"))
st.caption(md_escape(f"{detail['source']} · {detail['language'] or '?'} · {detail['author'] or 'unknown author'} · "
                     f"published {detail['published_at']:%Y-%m-%d %H:%M} UTC · status: {detail['status']}"
                     + (f" ({detail['dismissed_reason']})" if detail['dismissed_reason'] else "")))
m1, m2, m3 = st.columns([1, 1, 4])
m1.metric("Score", f"{detail['score']:.0f}")
m2.metric("Temperature", detail["temperature"])
m3.markdown(f"**Intent:** {md_escape(detail['intent'] or '—')}  \n**Persona:** {md_escape(detail['persona'] or '—')}")

left, right = st.columns([3, 2])
with left:
    st.markdown("**The post** (as written, shown as plain text)")
    with st.container(border=True):
        st.text(detail["body"] or "(no text)")
with right:
    c = detail["classification"]
    st.markdown("**Why this score**")
    if c is None:
        st.info("Not classified yet.")
    else:
        sentences, phrases = explanation_parts(c["explanation"])
        for sentence in sentences:
            st.markdown("- " + highlight(sentence, phrases))
        expl = c["explanation"] if isinstance(c["explanation"], dict) else {}
        for key, label in (("raised", "Raised the score"), ("lowered", "Lowered the score")):
            words = [str(w) for w in expl.get(key) or [] if w]
            if words:
                st.caption(md_escape(f"{label}: {', '.join(words)}"))
        if phrases:
            st.markdown("**Evidence in the post**")
            st.markdown(highlight((detail["title"] or "") + "\n" + (detail["body"] or ""), phrases))
        st.caption(md_escape(f"model {c['model_version']} · request probability {c['request_probability']:.2f} · urgency {c['urgency']:.0f}"))
        rows = persona_rows(c["persona_fit"])
        if rows:
            st.markdown("**Persona points per criterion**")
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

st.markdown("**Actions**")
a1, a2, a3 = st.columns(3)
url = safe_url(detail["url"])
if url:
    a1.link_button("Open original ↗", url)
else:
    a1.caption("The original link is not an http(s) address and is not shown.")
if detail["lead_id"]:
    a2.success(f"Lead #{detail['lead_id']} · {detail['lead_stage']} · {detail['lead_status']}")
    if detail["lead_status"] == "ready" and user.role != "qualifier":
        if a3.button("Offer to partners now", type="primary", help="Otherwise the next routing run offers it"):
            n = run_command(commands.offer_now, detail["lead_id"], user, config())
            if n is not None:
                st.session_state["flash"] = f"Lead #{detail['lead_id']} offered to {n} partner(s)."
                st.rerun()
    elif detail["lead_status"] == "new":
        a3.caption("The lead misses required fields before it can be offered (see `radar leads show`).")
else:
    if a2.button("Mark contacted", disabled=detail["status"] == "contacted"):
        if run_command(commands.mark_contacted, detail["id"], user.id, success="Marked as contacted."):
            st.rerun()
    if a3.button("Make lead", type="primary", disabled=detail["status"] == "dismissed"):
        lead_id = run_command(commands.make_lead, detail["id"], user, config())
        if lead_id is not None:
            st.session_state["flash"] = f"Lead #{lead_id} created."
            st.rerun()
    with st.form("dismiss", clear_on_submit=True):
        reason = st.text_input("Not relevant because …", placeholder="e.g. job ad, not a request")
        if st.form_submit_button("Not relevant", disabled=detail["status"] == "dismissed"):
            if run_command(commands.dismiss_opportunity, detail["id"], user.id, reason, success="Dismissed as not relevant."):
                st.rerun()
