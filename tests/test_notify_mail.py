"""The mail queue and what goes into it, against a real local SMTP server, on both engines."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from radar.config import Config, GeneralSettings, NotifySettings, RadarSettings
from radar.db import get_sessionmaker
from radar.models import EmailMessage, Lead, Mention, Offer, Opportunity, Partner, Radar, Reservation, Source, User, utcnow
from radar.notify.digest import (enqueue_consultant_digests, enqueue_escalation_notice, enqueue_feedback_reminders,
                                 enqueue_partner_teasers)
from radar.notify.mailer import enqueue_email, send_pending
from radar.notify.tokens import read_token

from tests.smtp_sink import SmtpSink, parts
from tests.webhook_receiver import free_port

HOSTILE_TITLE = "<script>alert('x')</script> Wer kennt eine gute DATEV-Alternative?"
HOSTILE_BODY = 'Wir sind 60 Leute <img src=x onerror="alert(1)"> & suchen "Hilfe"'


def make_cfg(tmp_path, port: int, **notify) -> Config:
    settings = RadarSettings(
        general=GeneralSettings(public_url="https://radar.example.com", secret_key="k" * 40, instance_name="Radar ACME"),
        notify=NotifySettings(smtp_host="127.0.0.1", smtp_port=port, smtp_timeout=5, from_address="Radar <radar@acme.example>",
                              retry_base=1, retry_max=60, **notify))
    return Config(folder=tmp_path / "config", settings=settings)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.imgs: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        if tag == "script":
            self.scripts += 1
        for name in a:
            assert not name.startswith("on"), f"event handler attribute {name} in the mail"


def links_of(html: str) -> Links:
    p = Links()
    p.feed(html)
    return p


def test_smtp_down_then_up_loses_nothing(db_url, tmp_path):
    factory = get_sessionmaker(db_url)
    port = free_port()
    cfg = make_cfg(tmp_path, port)
    with factory.begin() as s:
        for i in range(5):
            enqueue_email(s, f"user{i}@example.com", f"Nachricht {i} – Grüße", f"Text {i}", f"<p>HTML {i}</p>")
    rep = send_pending(factory, cfg)
    assert rep.sent == 0 and rep.pending == 5 and "unreachable" in rep.stopped
    with factory() as s:
        assert all(m.attempts == 0 and m.status == "pending" for m in s.scalars(select(EmailMessage)))
    sink = SmtpSink(port=port).start()
    try:
        rep = send_pending(factory, cfg)
        assert rep.sent == 5 and rep.pending == 0, str(rep)
        assert sorted(m["To"] for m in sink.messages) == [f"user{i}@example.com" for i in range(5)]
        assert {m["Subject"] for m in sink.messages} == {f"Nachricht {i} – Grüße" for i in range(5)}
        assert send_pending(factory, cfg).sent == 0, "nothing is sent twice"
        assert len(sink.messages) == 5
        with factory() as s:
            assert all(m.status == "delivered" and m.sent_at for m in s.scalars(select(EmailMessage)))
    finally:
        sink.stop()


def test_temporary_rejection_is_retried_permanent_is_failed(db_url, tmp_path):
    factory = get_sessionmaker(db_url)
    sink = SmtpSink(answer=lambda n: "451 4.3.0 try again later" if n <= 2 else None).start()
    cfg = make_cfg(tmp_path, sink.port, max_attempts=5)
    try:
        with factory.begin() as s:
            enqueue_email(s, "a@example.com", "one", "t")
            enqueue_email(s, "b@example.com", "two", "t")
        rep = send_pending(factory, cfg)
        assert rep.retrying == 2 and rep.sent == 0
        rep = send_pending(factory, cfg, now=utcnow() + dt.timedelta(minutes=5))
        assert rep.sent == 2 and rep.pending == 0
        assert sorted(m["To"] for m in sink.messages) == ["a@example.com", "b@example.com"]
        sink.answer = lambda n: "550 5.1.1 no such user"
        with factory.begin() as s:
            enqueue_email(s, "nobody@example.com", "three", "t")
        rep = send_pending(factory, cfg)
        assert rep.failed == 1
        with factory() as s:
            bad = s.scalar(select(EmailMessage).where(EmailMessage.to_address == "nobody@example.com"))
            assert bad.status == "failed" and "550" in bad.last_error
    finally:
        sink.stop()


def seed_opportunities(s, n: int):
    src = Source(kind="feed", name="forum-feed")
    s.add(src)
    s.flush()
    now = utcnow()
    for i in range(n):
        m = Mention(source_id=src.id, external_id=f"m{i}", url="javascript:alert(1)" if i == 0 else f"https://forum.example/t/{i}",
                    canonical_url=f"https://forum.example/t/{i}", title=HOSTILE_TITLE if i == 0 else f"Frage {i}",
                    body=HOSTILE_BODY, content_hash=f"{i:064d}")
        s.add(m)
        s.flush()
        s.add(Opportunity(mention_id=m.id, source_id=src.id, score=99 - i, temperature="hot", intent="recommendation",
                          persona="it-service-dach", published_at=now))


def test_consultant_digest_has_both_parts_escaped_and_counted(db_url, tmp_path):
    factory = get_sessionmaker(db_url)
    sink = SmtpSink().start()
    cfg = make_cfg(tmp_path, sink.port, digest_count=3)
    try:
        with factory.begin() as s:
            seed_opportunities(s, 5)
            s.add_all([User(username="carla", role="consultant", email="carla@acme.example", display_name="Carla <b>"),
                       User(username="noemail", role="consultant", email="")])
        with factory.begin() as s:
            mails = enqueue_consultant_digests(s, cfg)
        assert [m.to for m in mails] == ["carla@acme.example"]
        with factory.begin() as s:
            assert enqueue_consultant_digests(s, cfg) == [], "nothing new: no second digest"
        send_pending(factory, cfg)
        assert len(sink.messages) == 1
        msg = sink.messages[0]
        assert msg.get_content_type() == "multipart/alternative"
        text, html = parts(msg)
        assert HOSTILE_TITLE in text  # plain text carries the text as it is
        assert "<script" not in html and "&lt;script&gt;" in html
        assert "onerror" not in html or "onerror=&quot;" in html
        assert "Carla &lt;b&gt;" in html
        found = links_of(html)
        assert found.scripts == 0
        assert not any(h.lower().startswith("javascript") for h in found.hrefs)
        assert "https://forum.example/t/1" in found.hrefs and "https://forum.example/t/2" in found.hrefs
        assert "https://forum.example/t/3" not in found.hrefs, "digest_count = 3"
        assert text.count("* ") == 3
    finally:
        sink.stop()


def seed_partner_offer(s, *, cadence="instant", temperature="hot", radar_cadence=None):
    p = Partner(name="IT-Haus Süd", type="reseller")
    s.add(p)
    s.flush()
    u = User(username="paul", role="partner", partner_id=p.id, email="paul@ithaus.example", notify_cadence=cadence)
    s.add(u)
    lead = Lead(title="Buchhaltung <umstellen>", score=80, temperature=temperature, intent="supplier", region="DE-7",
                skills=["datev"], contact={"email": "secret@customer.example"}, summary="very private details")
    s.add(lead)
    s.flush()
    if radar_cadence:
        s.add(Radar(name="hot leads", partner_id=p.id, query="datev", cadence=radar_cadence, min_score=70))
    s.add(Offer(lead_id=lead.id, partner_id=p.id, expires_at=utcnow() + dt.timedelta(hours=24)))
    return p, u, lead


def test_partner_teaser_has_token_buttons_and_no_details(db_url, tmp_path):
    factory = get_sessionmaker(db_url)
    sink = SmtpSink().start()
    cfg = make_cfg(tmp_path, sink.port)
    try:
        with factory.begin() as s:
            p, u, lead = seed_partner_offer(s)
        with factory.begin() as s:
            assert enqueue_partner_teasers(s, cfg, "daily") == [], "paul wants instant mails"
            assert len(enqueue_partner_teasers(s, cfg, "instant")) == 1
        with factory.begin() as s:
            assert enqueue_partner_teasers(s, cfg, "instant") == [], "already told"
        send_pending(factory, cfg)
        text, html = parts(sink.messages[0])
        assert "secret@customer.example" not in text + html and "very private" not in text + html
        assert "Buchhaltung &lt;umstellen&gt;" in html
        actions = {}
        for href in links_of(html).hrefs:
            if "/action?" in href:
                assert href.startswith("https://radar.example.com/action?token=")
                claims = read_token(cfg, parse_qs(urlsplit(href).query)["token"][0])
                actions[claims.action] = claims
        assert set(actions) == {"reserve", "not_interested"}
        assert actions["reserve"].lead_id == lead.id and actions["reserve"].partner_id == p.id and actions["reserve"].user_id == u.id
        assert re.search(r"Reserve: https://radar\.example\.com/action\?token=\S+", text)
    finally:
        sink.stop()


def test_radar_cadence_and_min_temperature(db_url, tmp_path):
    factory = get_sessionmaker(db_url)
    cfg = make_cfg(tmp_path, 25)
    with factory.begin() as s:
        seed_partner_offer(s, cadence="weekly", radar_cadence="instant")
    with factory.begin() as s:
        assert enqueue_partner_teasers(s, cfg, "weekly", dry_run=True) == []
        assert len(enqueue_partner_teasers(s, cfg, "instant", dry_run=True)) == 1
        s.execute(User.__table__.update().values(notify_min_temperature="hot"))
        s.execute(Lead.__table__.update().values(temperature="warm"))
        assert enqueue_partner_teasers(s, cfg, "instant", dry_run=True) == []
        assert s.scalar(select(EmailMessage.id)) is None, "dry run queues nothing"


def test_feedback_reminder_and_escalation(db_url, tmp_path):
    factory = get_sessionmaker(db_url)
    sink = SmtpSink().start()
    cfg = make_cfg(tmp_path, sink.port)
    now = utcnow()
    try:
        with factory.begin() as s:
            p, u, lead = seed_partner_offer(s)
            dist = Partner(name="Distri AG", type="distributor")
            s.add(dist)
            s.flush()
            s.add(User(username="dora", role="partner", partner_id=dist.id, email="dora@distri.example"))
            s.add(Reservation(lead_id=lead.id, partner_id=p.id, user_id=u.id, feedback_due_at=now + dt.timedelta(hours=3)))
            far = Lead(title="later", score=50)
            s.add(far)
            s.flush()
            s.add(Reservation(lead_id=far.id, partner_id=p.id, feedback_due_at=now + dt.timedelta(days=5)))
        with factory.begin() as s:
            mails = enqueue_feedback_reminders(s, cfg, now=now)
            assert [m.to for m in mails] == ["paul@ithaus.example"]
            assert enqueue_feedback_reminders(s, cfg, now=now + dt.timedelta(hours=1)) == [], "once a day"
            lead = s.get(Lead, lead.id)
            notices = enqueue_escalation_notice(s, cfg, lead, dist.id, "no reseller reserved it in 3 rounds")
            assert [m.to for m in notices] == ["dora@distri.example"]
        send_pending(factory, cfg)
        by_to = {m["To"]: m for m in sink.messages}
        text, html = parts(by_to["paul@ithaus.example"])
        tokens = [parse_qs(urlsplit(h).query)["token"][0] for h in links_of(html).hrefs if "/action?" in h]
        assert sorted(read_token(cfg, t).action for t in tokens) == ["contacted", "lost", "not_interested", "won"]
        _, html = parts(by_to["dora@distri.example"])
        assert "no reseller reserved it in 3 rounds" in html
    finally:
        sink.stop()


@pytest.mark.parametrize("field", ["to"])
def test_bad_address_is_refused_at_enqueue(db_url, field):
    from radar.notify.mailer import MailConfigError

    with get_sessionmaker(db_url).begin() as s, pytest.raises(MailConfigError):
        enqueue_email(s, "not-an-address", "x", "y")
