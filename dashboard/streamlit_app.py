"""Business Radar dashboard: login, then the pages of the user's role (st.navigation)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

# `streamlit run` does not add the repo root. This module runs again on every rerun (every click) in
# the same process: add it once, or sys.path grows by one entry per rerun (and with it every
# import miss and every importlib.metadata scan, which Streamlit does for each new session).
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from dashboard.navigation import PAGES_BY_ROLE  # noqa: E402
from dashboard.state import CurrentUser, config, current_user, sessions  # noqa: E402
from radar.auth import authenticate  # noqa: E402
from radar.config import ConfigError  # noqa: E402

st.set_page_config(page_title="Business Radar", page_icon=":material/radar:", layout="wide")

MAX_FAILED_LOGINS = 5
LOCKOUT_SECONDS = 60


def login_page() -> None:
    st.title("Business Radar")
    st.caption("Help requests from the public web, found and routed to the people who can help.")
    locked_until = st.session_state.get("login_locked_until", 0.0)
    with st.form("login"):
        username = st.text_input("Username")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Log in")
    if not submitted:
        return
    if time.time() < locked_until:
        st.error(f"Too many failed attempts. Wait {int(locked_until - time.time()) + 1} seconds, then try again.")
        return
    with sessions().begin() as s:
        user = authenticate(s, username.strip(), password)
        if user is not None:
            st.session_state["user"] = CurrentUser(user.id, user.username, user.display_name or user.username, user.role, user.partner_id)
    if current_user() is None:
        failed = st.session_state.get("login_failed", 0) + 1
        st.session_state["login_failed"] = failed
        if failed >= MAX_FAILED_LOGINS:
            st.session_state["login_locked_until"] = time.time() + LOCKOUT_SECONDS
            st.session_state["login_failed"] = 0
        # one message for unknown user and wrong password: no hint which usernames exist
        st.error("Wrong username or password.")
    else:
        st.session_state.pop("login_failed", None)
        st.rerun()


def logout() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.rerun()


def main() -> None:
    try:
        config()
    except ConfigError as exc:
        st.error("The configuration has errors:\n\n" + "\n".join(f"- {p}" for p in exc.problems))
        st.stop()
    if "token" in st.query_params:  # a one-click button from an e-mail: no login, the token authorises
        action = Path(__file__).parent / "app_pages" / "action.py"
        st.navigation([st.Page(str(action), title="Action", icon=":material/task_alt:", url_path="action")], position="hidden").run()
        return
    user = current_user()
    if user is None:
        st.navigation([st.Page(login_page, title="Log in", icon=":material/login:")], position="hidden").run()
        return
    here = Path(__file__).parent / "app_pages"
    pages = [st.Page(str(here / f), title=t, icon=i) for f, t, i in PAGES_BY_ROLE.get(user.role, []) if (here / f).exists()]
    with st.sidebar:
        st.text(f"{user.display_name} · {user.role}")
        if st.button("Log out"):
            logout()
    st.navigation(pages).run()


main()
