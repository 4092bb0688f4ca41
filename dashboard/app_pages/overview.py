"""Overview: what the radar holds right now."""

import streamlit as st

from dashboard.state import config, current_user, sessions
from radar.queries import overview_counts

user = current_user()
st.title("Overview")
st.caption(config().settings.general.instance_name)


@st.cache_data(ttl=30)
def _counts() -> dict[str, int]:
    with sessions()() as s:
        return overview_counts(s)


counts = _counts()
cols = st.columns(len(counts))
for col, (label, value) in zip(cols, counts.items()):
    col.metric(label, f"{value:,}")
