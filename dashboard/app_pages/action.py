"""One-click actions from e-mails: ``/action?token=...`` redeems a signed, expiring, single-use
token without a login and shows the result. The token itself is the authorisation.

Link scanners of mail providers fetch links before the recipient clicks; they get the
Streamlit shell and never run this script, so they cannot use a token up.
"""

import streamlit as st

from dashboard.state import config, sessions
from radar.notify.tokens import ACTION_LABELS, DealSizeRequired, TokenError, read_token, redeem_token

st.title("📡 " + config().settings.general.instance_name)
token = st.query_params.get("token", "")
done_key = f"action-result:{token}"


def _redeem(deal_size: str | None = None) -> None:
    try:
        with sessions().begin() as s:
            result = redeem_token(s, token, config(), deal_size=deal_size)
    except DealSizeRequired as exc:
        st.session_state[done_key + ":ask"] = str(exc)
        return
    except TokenError as exc:
        st.session_state[done_key] = ("error", str(exc))
        return
    st.session_state[done_key] = ("success", result.message)


if done_key not in st.session_state:
    try:
        claims = read_token(config(), token)
    except TokenError as exc:
        st.session_state[done_key] = ("error", str(exc))
    else:
        st.subheader(f"{ACTION_LABELS[claims.action]} · lead #{claims.lead_id}")
        if claims.action == "won":
            if done_key + ":ask" in st.session_state:
                st.warning(st.session_state[done_key + ":ask"])
            with st.form("won"):
                size = st.text_input("Deal size (net, in your currency)", placeholder="12500")
                if st.form_submit_button("Record the win"):
                    _redeem(size)
                    st.rerun()
        else:
            _redeem()

if done_key in st.session_state:
    kind, message = st.session_state[done_key]
    (st.success if kind == "success" else st.error)(message)
    st.caption("You can close this page. Everything else is in the dashboard after logging in.")
