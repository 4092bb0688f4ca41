"""Business Radar dashboard: login, then the pages of the user's role (st.navigation)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `streamlit run` does not add the repo root

import streamlit as st  # noqa: E402

from dashboard.state import CurrentUser, config, current_user, sessions  # noqa: E402
from radar.auth import authenticate  # noqa: E402
from radar.config import ConfigError  # noqa: E402

st.set_page_config(page_title="Business Radar", page_icon="📡", layout="wide")


def login_page() -> None:
    st.title("📡 Business Radar")
    st.caption("Help requests from the public web, found and routed to the people who can help.")
    with st.form("login"):
        username = st.text_input("Username")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Log in")
    if submitted:
        with sessions().begin() as s:
            user = authenticate(s, username.strip(), password)
            if user is not None:
                st.session_state["user"] = CurrentUser(user.id, user.username, user.display_name or user.username, user.role, user.partner_id)
        if current_user() is None:
            st.error("Wrong username or password.")
        else:
            st.rerun()


def logout() -> None:
    st.session_state.pop("user", None)
    st.rerun()


PAGES_BY_ROLE: dict[str, list[tuple[str, str, str]]] = {
    # role: (file in app_pages, title, icon)
    "admin": [("overview.py", "Overview", "🏠")],
    "marketing": [("overview.py", "Overview", "🏠")],
    "consultant": [("overview.py", "Overview", "🏠")],
    "qualifier": [("overview.py", "Overview", "🏠")],
    "partner": [("overview.py", "Overview", "🏠")],
}


def main() -> None:
    try:
        config()
    except ConfigError as exc:
        st.error("The configuration has errors:\n\n" + "\n".join(f"- {p}" for p in exc.problems))
        st.stop()
    if "token" in st.query_params:  # a one-click button from an e-mail: no login, the token authorises
        action = Path(__file__).parent / "app_pages" / "action.py"
        st.navigation([st.Page(str(action), title="Action", icon="✅", url_path="action")], position="hidden").run()
        return
    user = current_user()
    if user is None:
        st.navigation([st.Page(login_page, title="Log in", icon="🔑")], position="hidden").run()
        return
    here = Path(__file__).parent / "app_pages"
    pages = [st.Page(str(here / f), title=t, icon=i) for f, t, i in PAGES_BY_ROLE.get(user.role, [])]
    with st.sidebar:
        st.write(f"**{user.display_name}** · {user.role}")
        if st.button("Log out"):
            logout()
    st.navigation(pages).run()


main()
