"""One-click tokens: signed, expiring, single use; and the dashboard's action page."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from radar.config import Config, GeneralSettings, RadarSettings
from radar.notify.tokens import TokenExpired, TokenInvalid, action_url, make_token, read_token, secret_key

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py")


def cfg_with(tmp_path, key: str = "") -> Config:
    return Config(folder=tmp_path / "config", settings=RadarSettings(general=GeneralSettings(secret_key=key, data_dir=str(tmp_path / "data"))))


def _b64(d: bytes) -> str:
    return base64.urlsafe_b64encode(d).rstrip(b"=").decode()


def test_round_trip_and_key_file(tmp_path):
    cfg = cfg_with(tmp_path)
    key = secret_key(cfg)
    assert len(key) >= 32 and (tmp_path / "data" / "secret.key").stat().st_mode & 0o777 == 0o600
    assert secret_key(cfg) == key, "the key file is made once"
    tok = make_token(cfg, "reserve", 12, 3, 7)
    c = read_token(cfg, tok)
    assert (c.action, c.lead_id, c.partner_id, c.user_id) == ("reserve", 12, 3, 7)
    assert action_url(cfg, tok).endswith("/action?token=" + tok)
    assert make_token(cfg, "reserve", 12, 3, 7) != tok, "every token has its own id"


def test_forged_tokens_are_refused(tmp_path):
    cfg = cfg_with(tmp_path, "a" * 40)
    tok = make_token(cfg, "contacted", 12, 3, 7)
    body, sig = tok.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["l"] = 13  # another lead, same signature
    forged = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()) + "." + sig
    with pytest.raises(TokenInvalid, match="signature does not match"):
        read_token(cfg, forged)
    other_key = cfg_with(tmp_path, "b" * 40)
    with pytest.raises(TokenInvalid, match="not from this radar|signature"):
        read_token(other_key, tok)
    for junk in ["", "abc", tok[:-3], tok.replace(".", ""), "x.y", body + ".!!!!"]:
        with pytest.raises(TokenInvalid):
            read_token(cfg, junk)
    with pytest.raises(ValueError):
        make_token(cfg, "delete_everything", 1, 1)


def test_expired_tokens_are_refused(tmp_path):
    cfg = cfg_with(tmp_path, "a" * 40)
    now = dt.datetime(2026, 11, 24, 12, tzinfo=dt.timezone.utc)
    tok = make_token(cfg, "won", 1, 2, ttl=3600, now=now)
    assert read_token(cfg, tok, now=now + dt.timedelta(minutes=59)).action == "won"
    with pytest.raises(TokenExpired, match="expired on 2026-11-24 13:00"):
        read_token(cfg, tok, now=now + dt.timedelta(hours=1))
    default_ttl = make_token(cfg, "lost", 1, 2, now=now)  # [notify] token_ttl = 7d
    read_token(cfg, default_ttl, now=now + dt.timedelta(days=6, hours=23))
    with pytest.raises(TokenExpired):
        read_token(cfg, default_ttl, now=now + dt.timedelta(days=7))


def test_action_page_without_login_refuses_a_forged_token(config_dir):
    import streamlit as st

    st.cache_resource.clear()  # the dashboard caches config and engine per process; this test has its own database
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["token"] = "eyJ2IjoxfQ.Zm9yZ2Vk"
    at.run()
    assert not at.exception
    assert any("not valid" in e.value for e in at.error)
    assert not at.text_input or all(t.label != "Password" for t in at.text_input), "no login form"
