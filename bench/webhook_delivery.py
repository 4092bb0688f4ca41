"""Webhook delivery throughput: N events of M leads from the outbox to a local receiver, one
worker and two workers, on SQLite (and PostgreSQL when RADAR_BENCH_POSTGRES_URL is set).
Prints events per second. Run: .venv/bin/python bench/webhook_delivery.py"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from radar import migrate  # noqa: E402
from radar.config import Config, ExportSettings, RadarSettings  # noqa: E402
from radar.db import dispose_all, get_sessionmaker  # noqa: E402
from radar.export.webhooks import deliver_outbox  # noqa: E402
from radar.models import Lead, OutboxEvent  # noqa: E402
from tests.webhook_receiver import Receiver  # noqa: E402

EVENTS, LEADS = 1000, 100


def seed(factory) -> None:
    with factory.begin() as s:
        leads = [Lead(title=f"lead {i}", score=50) for i in range(LEADS)]
        s.add_all(leads)
        s.flush()
        for k in range(EVENTS // LEADS):
            for lead in leads:
                s.add(OutboxEvent(event_id=f"evt_{uuid.uuid4().hex}", event_type="lead.updated", lead_id=lead.id,
                                  payload={"lead_id": lead.id, "n": k, "text": "x" * 300}))


def run(url: str, workers: int) -> float:
    factory = get_sessionmaker(url)
    seed(factory)
    receiver = Receiver().start()
    cfg = Config(folder=Path("."), settings=RadarSettings(export=ExportSettings(webhook_url=receiver.url, webhook_secret="whsec_" + "QUJD" * 8)))
    start = time.perf_counter()
    threads = [threading.Thread(target=deliver_outbox, args=(factory, cfg)) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    while deliver_outbox(factory, cfg).pending:  # a worker may finish while the other holds a lead's next event
        pass
    elapsed = time.perf_counter() - start
    receiver.stop()
    assert len(receiver.accepted()) == EVENTS, len(receiver.accepted())
    return EVENTS / elapsed


def main() -> None:
    targets = []
    tmp = tempfile.mkdtemp()
    for w in (1, 2):
        path = Path(tmp) / f"bench{w}.db"
        migrate.upgrade(f"sqlite:///{path}")
        targets.append(("sqlite", w, f"sqlite:///{path}"))
    pg = os.environ.get("RADAR_BENCH_POSTGRES_URL")
    admin = None
    if pg:
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        for w in (1, 2):
            name = f"radar_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(pg).set(database=name).render_as_string(hide_password=False)
            migrate.upgrade(url)
            targets.append(("postgres", w, url))
    for engine, workers, url in targets:
        rate = run(url, workers)
        print(f"{engine:<9} {workers} worker(s): {EVENTS} events of {LEADS} leads delivered in order, {rate:,.0f} events/s")
    dispose_all()
    if admin is not None:
        for engine, _, url in targets:
            if engine == "postgres":
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
