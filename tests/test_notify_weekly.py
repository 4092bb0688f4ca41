"""Weekly KPI reports per slice, with the inline chart, and the notify CLI, on both engines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from click.testing import CliRunner

from radar.cli import main
from radar.db import get_sessionmaker
from radar.models import Feedback, Lead, Offer, Partner, Reservation, User, utcnow
from radar.notify.mailer import send_pending
from radar.notify.weekly import compute_kpis, enqueue_weekly_reports, slice_partner_ids

from tests.smtp_sink import SmtpSink, parts
from tests.test_notify_mail import make_cfg


def seed_channel(s, now):
    """ACME → Distri AG → Reseller A, Reseller B; offers, reservations, feedback and outcomes."""
    day = dt.timedelta(days=1)
    maker = Partner(name="ACME", type="manufacturer")
    s.add(maker)
    s.flush()
    dist = Partner(name="Distri AG", type="distributor", parent_id=maker.id)
    s.add(dist)
    s.flush()
    a = Partner(name="Reseller A", type="reseller", parent_id=dist.id)
    b = Partner(name="Reseller B", type="reseller", parent_id=dist.id)
    s.add_all([a, b])
    s.flush()
    s.add_all([
        User(username="admin", role="admin", email="admin@acme.example"),
        User(username="mona", role="partner", partner_id=maker.id, email="mona@acme.example"),
        User(username="dora", role="partner", partner_id=dist.id, email="dora@distri.example"),
        User(username="anton", role="partner", partner_id=a.id, email="anton@a.example"),
        User(username="bert", role="partner", partner_id=b.id, email="bert@b.example"),
    ])

    def lead(partner, created, offered, reserved, feedback=None, outcome=None, closed=None, size=None):
        row = Lead(title="t", score=70, partner_id=partner.id, created_at=now - created * day,
                   stage=outcome or "MQL", status="closed" if outcome else "reserved",
                   deal_size=Decimal(size) if size else None, closed_at=now - closed * day if closed is not None else None)
        s.add(row)
        s.flush()
        offer = Offer(lead_id=row.id, partner_id=partner.id, status="reserved", offered_at=now - offered * day,
                      expires_at=now - offered * day + day)
        s.add(offer)
        s.flush()
        res = Reservation(lead_id=row.id, partner_id=partner.id, offer_id=offer.id, status="closed" if outcome else "active",
                          reserved_at=now - reserved * day, feedback_due_at=now - reserved * day + 7 * day)
        s.add(res)
        s.flush()
        if feedback is not None:
            s.add(Feedback(reservation_id=res.id, lead_id=row.id, partner_id=partner.id, outcome=outcome or "contacted",
                           deal_size=Decimal(size) if size else None, at=now - feedback * day))
        return row

    # Reseller A: won (reserved 3 days ago, won 2 days ago: 1 day, 10000), lost, and an old reservation
    # with feedback never given (due 13 days ago): compliance 2 of 3 over 30 days.
    lead(a, created=12, offered=4, reserved=3, feedback=2.5, outcome="won", closed=2, size="10000")
    lead(a, created=5, offered=5, reserved=4, feedback=1, outcome="lost", closed=1)
    lead(a, created=25, offered=21, reserved=20)
    # Reseller B: won after 3 days, 2000
    lead(b, created=6, offered=6, reserved=5, feedback=2, outcome="won", closed=2, size="2000")
    return maker, dist, a, b


def test_kpis_per_slice(db_url):
    factory = get_sessionmaker(db_url)
    now = utcnow()
    with factory.begin() as s:
        maker, dist, a, b = seed_channel(s, now)
    with factory() as s:
        users = {u.username: u for u in s.query(User)}
        assert slice_partner_ids(s, users["admin"]) is None
        assert slice_partner_ids(s, users["mona"]) is None
        assert sorted(slice_partner_ids(s, users["dora"])) == sorted([dist.id, a.id, b.id])
        assert slice_partner_ids(s, users["anton"]) == [a.id]
        since = now - dt.timedelta(days=7)
        ka = compute_kpis(s, a.id, since, now)
        assert (ka.leads, ka.won, ka.lost) == (2, 1, 1)
        assert ka.conversion_rate == 0.5 and round(ka.avg_deal_days, 2) == 1 and ka.avg_deal_size == 10000
        assert (ka.feedback_due, ka.feedback_on_time) == (3, 2)
        kd = compute_kpis(s, dist.id, since, now)
        assert (kd.leads, kd.won, kd.lost) == (3, 2, 1) and kd.avg_deal_size == 6000 and round(kd.avg_deal_days, 2) == 2
        assert (kd.feedback_due, kd.feedback_on_time) == (4, 3)
        kall = compute_kpis(s, None, since, now)
        assert kall.leads == 2 and kall.leads_label == "New leads"  # created in the week: 5 and 6 days ago
        assert (kall.won, kall.lost) == (2, 1) and kall.avg_deal_size == 6000
        assert len(kall.weekly) == 8 and sum(w[2] for w in kall.weekly) == 2


def test_weekly_report_mail_with_inline_chart(db_url, tmp_path):
    factory = get_sessionmaker(db_url)
    sink = SmtpSink().start()
    cfg = make_cfg(tmp_path, sink.port)
    now = utcnow()
    try:
        with factory.begin() as s:
            seed_channel(s, now)
        with factory.begin() as s:
            mails = enqueue_weekly_reports(s, cfg, now=now)
            assert sorted(m.to for m in mails) == sorted(["admin@acme.example", "mona@acme.example", "dora@distri.example",
                                                         "anton@a.example", "bert@b.example"])
            assert enqueue_weekly_reports(s, cfg, now=now + dt.timedelta(days=1)) == [], "one a week"
        assert send_pending(factory, cfg).sent == 5
        by_to = {m["To"]: m for m in sink.messages}
        msg = by_to["anton@a.example"]
        text, html = parts(msg)
        assert "Reseller A" in msg["Subject"]
        assert "Leads offered: 2" in text
        assert "Conversion rate (won of closed): 50 % (1 won, 1 lost)" in text
        assert "Average deal time (reserved to won): 1.0 days" in text and "Average deal size: 10,000.00" in text
        assert "Feedback compliance (reservations of the last 30 days): 67 % (2 of 3 on time)" in text
        assert 'src="cid:kpi-chart"' in html
        images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
        assert len(images) == 1
        assert images[0]["Content-ID"] == "<kpi-chart>"
        png = images[0].get_content()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and 2_000 < len(png) < 200_000
        related = [p for p in msg.walk() if p.get_content_type() == "multipart/related"]
        assert related and any(p.get_content_type() == "text/html" for p in related[0].iter_parts())
        dtext, _ = parts(by_to["dora@distri.example"])
        assert "2 won, 1 lost" in dtext and "Distri AG and its partners" in by_to["dora@distri.example"]["Subject"]
        assert "all partners" in by_to["admin@acme.example"]["Subject"]
    finally:
        sink.stop()


def test_notify_cli(db_url, config_dir, tmp_path):
    sink = SmtpSink().start()
    try:
        toml = config_dir / "radar.toml"
        toml.write_text(toml.read_text().replace("smtp_port = 25", f"smtp_port = {sink.port}"))
        runner = CliRunner()
        res = runner.invoke(main, ["notify", "test", "ops@example.com"])
        assert res.exit_code == 0, res.output
        assert "1 sent" in res.output and sink.messages[0]["To"] == "ops@example.com"
        with get_sessionmaker(db_url).begin() as s:
            seed_channel(s, utcnow())
        res = runner.invoke(main, ["notify", "weekly", "--dry-run"])
        assert res.exit_code == 0 and res.output.count("would queue") == 5
        assert len(sink.messages) == 1
        res = runner.invoke(main, ["notify", "weekly"])
        assert res.exit_code == 0 and "5 sent" in res.output, res.output
        res = runner.invoke(main, ["notify", "digest", "--dry-run"])
        assert res.exit_code == 0 and "nothing new" in res.output
        res = runner.invoke(main, ["notify", "send"])
        assert res.exit_code == 0 and "0 sent" in res.output
        assert len(sink.messages) == 6
    finally:
        sink.stop()
