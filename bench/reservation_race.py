"""Reservation race: N threads (own connections) reserve the same M leads at once.

Prints time, attempts per second and any error other than AlreadyReserved, for:

* sqlite-default   – radar.db's engine: pysqlite opens the transaction at the first write,
                     so the reservation INSERT takes the write lock (waiting up to the 30 s
                     busy timeout); earlier reads hold no snapshot.
* sqlite-immediate – every transaction starts with BEGIN IMMEDIATE (write lock up front).
* sqlite-deferred  – every transaction starts with a plain BEGIN at its first statement, so the
                     reads before the INSERT pin a snapshot: the write then fails at once with
                     "database is locked" when another writer committed meanwhile (no waiting).
* postgresql       – when RADAR_TEST_POSTGRES_URL is set (a scratch database is made and dropped).

Usage: .venv/bin/python bench/reservation_race.py [threads] [leads]
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, event, insert, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import leadkit  # noqa: E402
from radar import migrate  # noqa: E402
from radar.db import _sqlite_pragmas, make_engine  # noqa: E402
from radar.leads import AlreadyReserved, add_partner, create_lead, reserve_lead  # noqa: E402
from radar.models import Lead, Offer  # noqa: E402


def sqlite_engine(url: str, mode: str):
    if mode == "default":
        return make_engine(url)
    eng = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    event.listen(eng, "connect", _sqlite_pragmas)

    @event.listens_for(eng, "connect")
    def _no_driver_txn(dbapi_conn, _rec):
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself

    @event.listens_for(eng, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "immediate" else "BEGIN")

    return eng


def run(engine, n_threads: int, n_leads: int) -> dict:
    factory = sessionmaker(engine, expire_on_commit=False)
    cfg = leadkit.settings(offer_group_size=n_threads)
    with factory.begin() as s:
        partners = [add_partner(s, f"B{uuid.uuid4().hex[:8]}", "reseller", capacity_per_week=10**6).id for _ in range(n_threads)]
        leads = [create_lead(s, leadkit.opportunity(s).id, "bench", cfg, now=leadkit.T0).id for _ in range(n_leads)]
        s.execute(update(Lead).where(Lead.id.in_(leads)).values(status="offered"))
        s.execute(insert(Offer), [{"lead_id": lead, "partner_id": p, "round": 1, "status": "open", "offered_at": leadkit.T0,
                                   "expires_at": leadkit.T0 + leadkit.dt.timedelta(days=1)} for lead in leads for p in partners])
    barrier = threading.Barrier(n_threads)
    won, refused, errors = Counter(), Counter(), Counter()

    def worker(i: int, pid: int) -> None:
        order = leads[:]
        if i % 2:
            random.Random(i).shuffle(order)
        with factory() as s:
            barrier.wait()
            for lead in order:
                try:
                    reserve_lead(s, lead, pid, cfg=cfg, now=leadkit.T0)
                    s.commit()
                    won[pid] += 1
                except AlreadyReserved:
                    s.rollback()
                    refused[pid] += 1
                except Exception as exc:  # noqa: BLE001 - counted and shown
                    s.rollback()
                    errors[f"{type(exc).__name__}: {str(exc).splitlines()[0][:60]}"] += 1

    threads = [threading.Thread(target=worker, args=(i, pid)) for i, pid in enumerate(partners)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    attempts = n_threads * n_leads
    with engine.connect() as c:
        doubles = c.execute(text("SELECT count(*) FROM (SELECT lead_id FROM reservations WHERE status = 'active' "
                                 "GROUP BY lead_id HAVING count(*) > 1) d")).scalar()
    return {"seconds": elapsed, "attempts/s": attempts / elapsed, "won": sum(won.values()), "refused": sum(refused.values()),
            "errors": dict(errors), "leads with two reservations": doubles}


def main() -> None:
    n_threads = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    n_leads = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    print(f"{n_threads} threads x {n_leads} leads, half in lockstep, half shuffled; cpus: {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    for mode in ("default", "immediate", "deferred"):
        with tempfile.TemporaryDirectory() as d:
            url = f"sqlite:///{d}/bench.db"
            migrate.upgrade(url)
            eng = sqlite_engine(url, mode)
            res = run(eng, n_threads, n_leads)
            eng.dispose()
        print(f"sqlite-{mode:9}  {res['seconds']:6.1f} s  {res['attempts/s']:7.0f} attempts/s  won {res['won']}  "
              f"refused {res['refused']}  doubles {res['leads with two reservations']}  errors {res['errors'] or 0}")
    base = os.environ.get("RADAR_TEST_POSTGRES_URL")
    if base:
        name = f"radar_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
        try:
            migrate.upgrade(url)
            eng = make_engine(url)
            res = run(eng, n_threads, n_leads)
            eng.dispose()
            print(f"postgresql        {res['seconds']:6.1f} s  {res['attempts/s']:7.0f} attempts/s  won {res['won']}  "
                  f"refused {res['refused']}  doubles {res['leads with two reservations']}  errors {res['errors'] or 0}")
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
