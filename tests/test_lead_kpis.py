"""KPIs per partner and subtree, and the incentive points behind them."""

from __future__ import annotations

import datetime as dt

import pytest

from radar.leads import decline_offer, give_feedback, kpis, reserve_lead
from radar.leads.kpis import kpi_for

import leadkit
from leadkit import T0

H, D = dt.timedelta(hours=1), dt.timedelta(days=1)


def test_kpis_per_partner_and_subtree(session):
    h = leadkit.hierarchy(session)
    p = h["p"]
    cfg = leadkit.settings(points_fast_reservation=5, points_timely_feedback=3, fast_reservation_within="1h")
    l1 = leadkit.offered_lead(session, [p["nord"]], cfg)
    reserve_lead(session, l1.id, p["nord"].id, cfg=cfg, now=T0 + 30 * dt.timedelta(minutes=1))  # fast: +5
    give_feedback(session, l1.id, p["nord"].id, "contacted", now=T0 + 2 * D, cfg=cfg)  # on time: +3
    give_feedback(session, l1.id, p["nord"].id, "won", deal_size=10000, now=T0 + 10 * D, cfg=cfg)  # late: 0
    l2 = leadkit.offered_lead(session, [p["sued"]], cfg)
    reserve_lead(session, l2.id, p["sued"].id, cfg=cfg, now=T0 + 3 * H)  # slow, and never reports
    l3 = leadkit.offered_lead(session, [p["nord"]], cfg)
    decline_offer(session, l3.id, p["nord"].id, "no capacity", now=T0 + H)
    l4 = leadkit.offered_lead(session, [p["nord"]], cfg)
    reserve_lead(session, l4.id, p["nord"].id, cfg=cfg, now=T0 + H)  # exactly 1 h: +5
    give_feedback(session, l4.id, p["nord"].id, "lost", reason="price", now=T0 + 5 * D, cfg=cfg)  # +3
    now = T0 + 20 * D

    rows = {r["partner"]: r for r in kpis(session, since=T0 - D, now=now, cfg=cfg)}
    nord = rows["Nord"]["own"]
    assert (nord["offered"], nord["reserved"], nord["declined"]) == (3, 2, 1)
    assert nord["time_to_reserve_hours"] == pytest.approx(0.75)
    assert (nord["won"], nord["lost"], nord["closed"], nord["conversion_rate"]) == (1, 1, 2, 0.5)
    assert nord["avg_deal_time_days"] == pytest.approx((10 * D - 30 * dt.timedelta(minutes=1)) / D, abs=0.01)
    assert nord["avg_deal_size"] == 10000 and nord["revenue"] == 10000
    assert (nord["feedback_due"], nord["feedback_on_time"], nord["feedback_compliance"]) == (2, 2, 1.0)
    assert nord["points_earned"] == 16 and rows["Nord"]["points"] == 16
    sued = rows["Sued"]["own"]
    assert (sued["reserved"], sued["time_to_reserve_hours"], sued["feedback_due"], sued["feedback_compliance"]) == (1, 3.0, 1, 0.0)
    assert sued["conversion_rate"] is None
    distri = rows["Distri"]
    assert distri["own"]["offered"] == 0
    assert (distri["subtree"]["offered"], distri["subtree"]["reserved"], distri["subtree"]["won"]) == (4, 3, 1)
    assert distri["subtree"]["feedback_compliance"] == pytest.approx(2 / 3, abs=1e-4)
    assert rows["ACME"]["subtree"]["points_earned"] == 16 and rows["ACME"]["depth"] == 0 and distri["depth"] == 1
    assert rows["Wien"]["subtree"]["offered"] == 0

    # one partner's subtree only; a window that excludes everything
    only = kpis(session, "Distri", since=T0 - D, now=now, cfg=cfg)
    assert [r["partner"] for r in only] == ["Distri", "Nord", "Sued"]
    assert kpi_for(session, "Nord", since=now, now=now + D, cfg=cfg)["own"]["offered"] == 0
