"""The race: many partners reserve the same leads at the same moment, each through its own
connection. The database decides; each lead ends with exactly one active reservation and every
loser is told "already reserved by another partner"."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, insert, select, update

from radar.db import get_sessionmaker
from radar.leads import AlreadyReserved, add_partner, create_lead, reserve_lead
from radar.models import Lead, Offer, OutboxEvent, Reservation

import leadkit


def _setup(db_url, n_partners, n_leads, tag=""):
    """Partners and offered leads. Leads come from create_lead; the offers to all partners are
    inserted in one statement (what offer_lead writes, without its matching) to keep setup quick."""
    cfg = leadkit.settings(offer_group_size=n_partners)
    factory = get_sessionmaker(db_url)
    with factory.begin() as s:
        partners = [add_partner(s, f"R{tag}{i:02d}", "reseller", capacity_per_week=10_000).id for i in range(n_partners)]
        leads = []
        for _ in range(n_leads):
            opp = leadkit.opportunity(s)
            leads.append(create_lead(s, opp.id, "test", cfg, now=leadkit.T0).id)
        s.execute(update(Lead).where(Lead.id.in_(leads)).values(status="offered"))
        s.execute(insert(Offer), [{"lead_id": lead, "partner_id": p, "round": 1, "status": "open", "match_score": 1.0,
                                   "offered_at": leadkit.T0, "expires_at": leadkit.T0 + dt.timedelta(days=1)}
                                  for lead in leads for p in partners])
    return cfg, partners, leads


def _race(db_url, n_partners=20, n_leads=200, tag="", all_lockstep=False):
    cfg, partners, leads = _setup(db_url, n_partners, n_leads, tag)
    factory = get_sessionmaker(db_url)
    barrier = threading.Barrier(n_partners)
    wins: list[tuple[int, int]] = []
    refusals = Counter()
    in_database = Counter()
    other: list[str] = []
    lock = threading.Lock()

    def worker(partner_id: int, seed: int) -> None:
        order = leads[:]
        if seed % 2 and not all_lockstep:  # half go in lockstep (head-on collisions), half in their own order
            random.Random(seed).shuffle(order)
        mine_won, mine_refused, mine_other, mine_db = [], 0, [], 0
        with factory() as s:
            barrier.wait()
            for lead_id in order:
                try:
                    reserve_lead(s, lead_id, partner_id, cfg=cfg, now=leadkit.T0)
                    s.commit()
                    mine_won.append((lead_id, partner_id))
                except AlreadyReserved as exc:
                    s.rollback()
                    assert str(exc) == "already reserved by another partner"
                    mine_refused += 1
                    mine_db += exc.by_database
                except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
                    s.rollback()
                    mine_other.append(f"{type(exc).__name__}: {exc}")
        with lock:
            wins.extend(mine_won)
            refusals[partner_id] += mine_refused
            in_database[partner_id] += mine_db
            other.extend(mine_other)

    threads = [threading.Thread(target=worker, args=(pid, i)) for i, pid in enumerate(partners)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(240)
    elapsed = time.perf_counter() - started
    assert not any(t.is_alive() for t in threads), "a reserving thread hung"
    assert other == [], other[:5]
    # every lead won exactly once, every other attempt refused with AlreadyReserved
    assert sorted(lead for lead, _ in wins) == sorted(leads)
    assert sum(refusals.values()) == n_partners * n_leads - n_leads
    with factory() as s:
        per_lead = dict(s.execute(select(Reservation.lead_id, func.count()).where(Reservation.status == "active", Reservation.lead_id.in_(leads))
                                  .group_by(Reservation.lead_id)).all())
        assert per_lead == {lead: 1 for lead in leads}
        assert s.scalar(select(func.count()).select_from(Reservation).where(Reservation.lead_id.in_(leads))) == n_leads  # no stray rows
        owner = dict(s.execute(select(Reservation.lead_id, Reservation.partner_id).where(Reservation.lead_id.in_(leads))).all())
        assert owner == dict(wins)
        mine = Offer.lead_id.in_(leads)
        assert s.scalar(select(func.count()).select_from(Offer).where(mine, Offer.status == "reserved")) == n_leads
        assert s.scalar(select(func.count()).select_from(Offer).where(mine, Offer.status == "open")) == 0
        assert s.scalar(select(func.count()).select_from(OutboxEvent).where(
            OutboxEvent.event_type == "lead.reserved", OutboxEvent.lead_id.in_(leads))) == n_leads
    return elapsed, sum(in_database.values())


def test_twenty_partners_race_for_two_hundred_leads(db_url):
    elapsed, head_on = _race(db_url, 20, 200)
    print(f"\n{db_url.split(':')[0]}: 20 threads x 200 leads in {elapsed:.1f}s; {head_on} refusals by the unique index itself")
    # the lockstep threads collide inside the database, not only in the up-front read
    assert head_on > 0


@pytest.mark.slow
def test_race_all_threads_head_on(db_url):
    """The harshest variant: all 20 threads walk the leads in the same order, so every lead is
    fought over by everyone at once."""
    elapsed, head_on = _race(db_url, 20, 100, all_lockstep=True)
    print(f"\n{db_url.split(':')[0]}: 20 threads head-on x 100 leads in {elapsed:.1f}s; {head_on} refusals by the unique index")
    assert head_on > 0
