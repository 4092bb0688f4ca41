"""The mail queue and what goes into it, against a real local SMTP server, on both engines."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from radar.config import Config, GeneralSettings, NotifySettings, RadarSettings
from radar.db import get_sessionmaker
from radar.models import EmailMessage, Mention, Opportunity, Source, User, utcnow
from radar.notify.digest import enqueue_consultant_digests
from radar.notify.mailer import enqueue_email, send_pending

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


def test_bad_address_is_refused_at_enqueue(db_url):
    from radar.notify.mailer import MailConfigError

    with get_sessionmaker(db_url).begin() as s, pytest.raises(MailConfigError):
        enqueue_email(s, "not-an-address", "x", "y")
