"""Partner mails wired to the lead functions: teasers from the pick list, one-click tokens that
reserve / give feedback / decline through radar.leads, reminders and escalation notices from the
routing job. Real SMTP (aiosmtpd), both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from radar.config import Config, GeneralSettings, NotifySettings, RadarSettings
from radar.db import get_sessionmaker
from radar.leads import escalate
from radar.models import ActionToken, Feedback, Lead, Offer, Radar, Reservation, User, utcnow
from radar.notify.digest import enqueue_escalation_notices, enqueue_feedback_reminders, enqueue_partner_teasers
from radar.notify.mailer import send_pending
from radar.notify.tokens import (DealSizeRequired, TokenActionFailed, TokenExpired, TokenUsed, make_token, read_token,
                                 redeem_token)

from tests import leadkit
from tests.smtp_sink import SmtpSink, parts
from tests.test_notify_mail import links_of

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py")


def make_cfg(tmp_path, port: int) -> Config:
    return Config(folder=tmp_path / "config", settings=RadarSettings(
        general=GeneralSettings(public_url="https://radar.example.com", secret_key="k" * 40, instance_name="Radar ACME"),
        notify=NotifySettings(smtp_host="127.0.0.1", smtp_port=port, from_address="Radar <radar@acme.example>",
                              retry_base=1, retry_max=60),
        leads=leadkit.settings(max_rounds=1)))


def tokens_in(cfg: Config, html: str) -> dict[str, str]:
    """action -> token of every one-click button in a mail."""
    out = {}
    for href in links_of(html).hrefs:
        if "/action?" in href:
            tok = parse_qs(urlsplit(href).query)["token"][0]
            out[read_token(cfg, tok).action] = tok
    return out


@pytest.fixture
def world(db_url, tmp_path):
    sink = SmtpSink().start()
    cfg = make_cfg(tmp_path, sink.port)
    factory = get_sessionmaker(db_url)
    now = utcnow()
    with factory.begin() as s:
        h = leadkit.hierarchy(s)
        lead = leadkit.offered_lead(s, [h["p"]["nord"], h["p"]["sued"]], cfg=cfg.settings.leads, now=now,
                                    title="Suche DATEV Berater <script>x</script>", author="max_mustermann")
        for name in ("nord", "sued"):
            h["u"][name].notify_cadence = "instant"
        ids = {"lead": lead.id, **{f"p_{k}": v.id for k, v in h["p"].items()}, **{f"u_{k}": v.id for k, v in h["u"].items()}}
    yield factory, cfg, sink, ids, now
    sink.stop()


def test_teaser_from_pick_list_reserve_by_mail_once(world):
    factory, cfg, sink, ids, now = world
    with factory.begin() as s:
        mails = enqueue_partner_teasers(s, cfg, "instant", now=now)
    assert sorted(m.to for m in mails) == ["u_nord@example.com", "u_sued@example.com"]
    assert send_pending(factory, cfg).sent == 2
    by_to = {m["To"]: m for m in sink.messages}
    text, html = parts(by_to["u_nord@example.com"])
    for secret in ("forum.example.de", "max_mustermann"):  # the teaser of radar.leads: no URL, no author
        assert secret not in text + html, f"teaser leaks {secret!r}"
    assert "<script" not in html and "&lt;script&gt;" in html, "the anonymised summary is escaped"
    assert f"Lead #{ids['lead']}" in text
    nord = tokens_in(cfg, html)
    sued = tokens_in(cfg, parts(by_to["u_sued@example.com"])[1])
    assert set(nord) == {"reserve", "not_interested"}
    # nord clicks Reserve: the lead is its own
    with factory.begin() as s:
        result = redeem_token(s, nord["reserve"], cfg)
    assert "reserved for you" in result.message
    with factory() as s:
        res = s.scalar(select(Reservation).where(Reservation.status == "active"))
        assert (res.lead_id, res.partner_id, res.user_id) == (ids["lead"], ids["p_nord"], ids["u_nord"])
    # the same button again: refused, nothing changes
    with factory.begin() as s, pytest.raises(TokenUsed, match="used already"):
        redeem_token(s, nord["reserve"], cfg)
    # sued was second: a clear refusal, and its token is not used up by the failed action
    with factory.begin() as s, pytest.raises(TokenActionFailed, match="already reserved"):
        redeem_token(s, sued["reserve"], cfg)
    with factory() as s:
        assert s.scalar(select(ActionToken).where(ActionToken.action == "reserve")) is not None
        assert len(s.scalars(select(ActionToken)).all()) == 1
    # no second teaser for the same offers
    with factory.begin() as s:
        assert enqueue_partner_teasers(s, cfg, "instant", now=now + dt.timedelta(minutes=1)) == []


def test_not_interested_declines_the_offer(world):
    factory, cfg, sink, ids, now = world
    tok = make_token(cfg, "not_interested", ids["lead"], ids["p_sued"], ids["u_sued"], now=now)
    with factory.begin() as s:
        assert "declined" in redeem_token(s, tok, cfg).message
    with factory() as s:
        offer = s.scalar(select(Offer).where(Offer.lead_id == ids["lead"], Offer.partner_id == ids["p_sued"]))
        assert offer.status == "declined"


def test_expired_token_is_refused_and_does_nothing(world):
    factory, cfg, sink, ids, now = world
    tok = make_token(cfg, "reserve", ids["lead"], ids["p_nord"], ids["u_nord"], ttl=60, now=now - dt.timedelta(hours=1))
    with factory.begin() as s, pytest.raises(TokenExpired):
        redeem_token(s, tok, cfg)
    with factory() as s:
        assert s.scalar(select(Reservation)) is None and s.scalar(select(ActionToken)) is None


def test_reminder_buttons_give_feedback_and_win(world):
    factory, cfg, sink, ids, now = world
    with factory.begin() as s:
        redeem_token(s, make_token(cfg, "reserve", ids["lead"], ids["p_nord"], ids["u_nord"], now=now), cfg, now=now)
        res = s.scalar(select(Reservation))
        res.feedback_due_at = now + dt.timedelta(hours=5)  # within reminder_before (1d)
    with factory.begin() as s:
        assert [m.to for m in enqueue_feedback_reminders(s, cfg, now=now)] == ["u_nord@example.com"]
    with factory.begin() as s:
        assert enqueue_feedback_reminders(s, cfg, now=now + dt.timedelta(hours=1)) == [], "once before the due date"
    send_pending(factory, cfg)
    text, html = parts(sink.messages[-1])
    assert "Suche DATEV Berater &lt;script&gt;" in html, "the holder sees the title, escaped"
    buttons = tokens_in(cfg, html)
    assert set(buttons) == {"contacted", "not_interested", "won", "lost"}
    with factory.begin() as s:
        assert "contacted" in redeem_token(s, buttons["contacted"], cfg).message
    with factory.begin() as s, pytest.raises(DealSizeRequired):
        redeem_token(s, buttons["won"], cfg)
    with factory.begin() as s:
        assert "won" in redeem_token(s, buttons["won"], cfg, deal_size="12500,50").message
    with factory() as s:
        lead = s.get(Lead, ids["lead"])
        assert lead.stage == "won" and float(lead.deal_size) == 12500.5
        assert sorted(f.outcome for f in s.scalars(select(Feedback))) == ["contacted", "won"]
    with factory.begin() as s, pytest.raises(TokenUsed):
        redeem_token(s, buttons["won"], cfg, deal_size="1")


def test_routing_job_escalation_and_overdue_reminder_mails(world):
    factory, cfg, sink, ids, now = world
    # nobody reserves within the offer window: the routing job escalates to the distributor
    later = now + dt.timedelta(days=2)
    with factory.begin() as s:
        report = escalate(s, cfg, now=later, route=False)
        assert report.escalated == [ids["lead"]]
    with factory.begin() as s:
        notices = enqueue_escalation_notices(s, cfg, now=later)
        assert [m.to for m in notices] == ["u_distri@example.com"]
        assert enqueue_escalation_notices(s, cfg, now=later + dt.timedelta(minutes=1)) == []
    # the distributor reserves and then forgets the feedback: the job's reminder becomes a mail
    with factory.begin() as s:
        redeem_token(s, make_token(cfg, "reserve", ids["lead"], ids["p_distri"], ids["u_distri"], now=later), cfg, now=later)
        due = s.scalar(select(Reservation)).feedback_due_at
    overdue = due + dt.timedelta(hours=1)
    with factory.begin() as s:
        assert escalate(s, cfg, now=overdue, route=False).reminded == [ids["lead"]]
    with factory.begin() as s:
        mails = enqueue_feedback_reminders(s, cfg, now=overdue)
        assert [(m.to, m.kind) for m in mails] == [("u_distri@example.com", "reminder_overdue")]
    send_pending(factory, cfg, now=overdue)
    subjects = [m["Subject"] for m in sink.messages]
    assert any("escalated to you" in x for x in subjects) and any("feedback overdue" in x for x in subjects)


def test_partner_radar_sets_the_cadence(world):
    factory, cfg, sink, ids, now = world
    with factory.begin() as s:
        s.get(User, ids["u_nord"]).notify_cadence = "weekly"
        s.add(Radar(name="datev", partner_id=ids["p_nord"], query="datev", cadence="instant", min_score=50))
        s.add(Radar(name="other", partner_id=ids["p_sued"], query="kubernetes", cadence="instant"))
        s.get(User, ids["u_sued"]).notify_cadence = "daily"
    with factory.begin() as s:
        assert [m.to for m in enqueue_partner_teasers(s, cfg, "instant", now=now, dry_run=True)] == ["u_nord@example.com"]
        assert [m.to for m in enqueue_partner_teasers(s, cfg, "daily", now=now, dry_run=True)] == ["u_sued@example.com"]
        s.get(User, ids["u_nord"]).notify_min_temperature = "hot"
        s.get(Lead, ids["lead"]).temperature = "warm"
        assert enqueue_partner_teasers(s, cfg, "instant", now=now, dry_run=True) == []


def test_action_page_redeems_without_login(world, config_dir):
    import streamlit as st

    st.cache_resource.clear()  # the dashboard caches config and engine per process; this test has its own database
    st.cache_data.clear()
    factory, cfg, sink, ids, now = world
    toml = config_dir / "radar.toml"
    toml.write_text(toml.read_text().replace("[general]", '[general]\nsecret_key = "' + "k" * 40 + '"'))
    tok = make_token(cfg, "reserve", ids["lead"], ids["p_nord"], ids["u_nord"])
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["token"] = tok
    at.run()
    assert not at.exception
    assert any("reserved for you" in m.value for m in at.success), [e.value for e in at.error]
    again = AppTest.from_file(APP, default_timeout=30)
    again.query_params["token"] = tok
    again.run()
    assert any("used already" in e.value for e in again.error)
    won = make_token(cfg, "won", ids["lead"], ids["p_nord"], ids["u_nord"])
    page = AppTest.from_file(APP, default_timeout=30)
    page.query_params["token"] = won
    page.run()
    page.text_input[0].input("9000")
    page.button[0].click()
    page.run()
    assert any("recorded as won" in m.value for m in page.success), [e.value for e in page.error]
    with factory() as s:
        assert s.get(Lead, ids["lead"]).stage == "won"


def test_scheduled_jobs(world, db_url, monkeypatch):
    from radar.notify.jobs import cron_triggers, daily_job, notify_tick, weekly_job

    factory, cfg, sink, ids, now = world
    monkeypatch.setenv("RADAR_DATABASE_URL", db_url)  # cfg.database_url
    report = notify_tick(cfg, now=now)
    assert report.queued["instant teasers"] == 2 and report.sent.sent == 2
    assert notify_tick(cfg, now=now).queued["instant teasers"] == 0
    assert daily_job(cfg, now=now).queued == {"digests": 0, "daily teasers": 0}
    weekly = weekly_job(cfg, now=now)
    assert weekly.queued["weekly reports"] == 11 and weekly.sent.sent == 11  # 7 partner users, qualifier and 3 staff
    assert len(sink.messages) == 13
    assert cron_triggers(cfg) == {"daily_job": {"hour": 7, "minute": 30, "timezone": "Europe/Berlin"},
                                  "weekly_job": {"day_of_week": "mon", "hour": 7, "minute": 30, "timezone": "Europe/Berlin"}}
