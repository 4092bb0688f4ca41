"""Dashboard benchmark: fill a database with 1,000,000 mentions (with classifications and
opportunities) and 50,000 leads (with offers and reservations), then time the Today page's
queries and the partner pick list. Target: under 300 ms each.

    .venv/bin/python bench/dashboard.py                      # SQLite in bench/out/dashboard.db
    .venv/bin/python bench/dashboard.py postgresql+psycopg://postgres@127.0.0.1:5432/radar_bench
    .venv/bin/python bench/dashboard.py --mentions 100000 --leads 5000   # a quick run

The database is emptied and refilled (bulk: executemany on SQLite, COPY on PostgreSQL); the
PostgreSQL database is created when missing. Prints one line per query: median and worst of
``--repeat`` runs, each in a fresh session (the dashboard's caches are not involved).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.progress import Progress  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from radar import migrate  # noqa: E402
from radar.db import get_engine, get_sessionmaker  # noqa: E402
from radar.models import Base  # noqa: E402

WORDS = ("buchhaltung datev steuerberater software empfehlung suche hilfe drucker netzwerk server "
         "backup cloud router firewall lizenz angebot preis erfahrung vergleich anbieter support "
         "accounting printer network recommend looking for help with anyone tried versus which best").split()
PERSONAS = ["kmu-buchhaltung", "it-service-dach", "handwerk-digital", "praxis-it"]
INTENTS = ["recommendation", "supplier", "support", "experience", "comparison"]
DAYS = 180
NOW = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)  # stored naive UTC


def _ts(d: dt.datetime, sqlite: bool):
    return d.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else d


def _bulk(conn, table: str, columns: list[str], rows, sqlite: bool, progress: Progress, total: int) -> None:
    task = progress.add_task(f"{table:<15}", total=total)
    raw = conn.connection.dbapi_connection
    if sqlite:
        cur = raw.cursor()
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == 20000:
                cur.executemany(sql, batch)
                progress.advance(task, len(batch))
                batch = []
        if batch:
            cur.executemany(sql, batch)
            progress.advance(task, len(batch))
        return
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for i, row in enumerate(rows, 1):
            copy.write_row(row)
            if i % 20000 == 0:
                progress.advance(task, 20000)
        progress.update(task, completed=total)


def fill(url: str, n_mentions: int, n_leads: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    sqlite = url.startswith("sqlite")
    if sqlite:
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        u = make_url(url)
        admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
            c.execute(text(f'CREATE DATABASE "{u.database}"'))
        admin.dispose()
    migrate.upgrade(url)
    eng = get_engine(url)
    ts = lambda d: _ts(d, sqlite)  # noqa: E731
    js = lambda v: json.dumps(v)  # noqa: E731
    n_sources, n_partners = 40, 30
    n_opps = int(n_mentions * 0.3)
    t0 = time.perf_counter()
    with eng.begin() as conn, Progress() as progress:
        if sqlite:
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
        _bulk(conn, "sources", ["id", "name", "kind", "settings", "interval_seconds", "enabled", "cursor", "error_streak", "items_total", "created_at"],
              ((i, f"source-{i}", "feed", "{}", 1800, True, "{}", 0, 0, ts(NOW)) for i in range(1, n_sources + 1)), sqlite, progress, n_sources)
        _bulk(conn, "personas", ["id", "name", "title", "definition", "active", "updated_at"],
              ((i, p, p, "{}", True, ts(NOW)) for i, p in enumerate(PERSONAS, 1)), sqlite, progress, len(PERSONAS))
        _bulk(conn, "partners", ["id", "name", "type", "level", "level_weight", "certifications", "skills", "regions", "capacity_per_week", "active", "points", "created_at"],
              ((i, f"partner-{i}", "reseller", "standard", 1.0, "[]", '["datev"]', '["DE"]', 5, True, 0, ts(NOW)) for i in range(1, n_partners + 1)), sqlite, progress, n_partners)
        _bulk(conn, "users", ["id", "username", "display_name", "email", "password_hash", "role", "partner_id", "active", "notify_channel", "notify_cadence", "notify_min_temperature", "created_at"],
              ((i, f"partner-user-{i}", f"P{i}", "", "", "partner", i, True, "email", "daily", "warm", ts(NOW)) for i in range(1, n_partners + 1)), sqlite, progress, n_partners)

        # mentions spread over DAYS days, newest last; every third-ish becomes an opportunity
        published = sorted(NOW - dt.timedelta(seconds=rnd.randrange(DAYS * 86400)) for _ in range(n_mentions))
        opp_ids = set(rnd.sample(range(1, n_mentions + 1), n_opps))
        scores = {i: round(min(100.0, max(0.0, rnd.gauss(45, 20))), 1) for i in range(1, n_mentions + 1)}

        def mentions():
            for i in range(1, n_mentions + 1):
                words = rnd.choices(WORDS, k=30)
                title, body = " ".join(words[:7]).capitalize() + "?", " ".join(words)
                p = published[i - 1]
                yield (i, 1 + i % n_sources, f"ext-{i}", f"https://forum.example/t/{i}", f"https://forum.example/t/{i}", title, body,
                       f"user{i % 5000}", "de" if i % 4 else "en", ts(p), ts(p), hashlib.sha1(str(i).encode()).hexdigest(), "{}", ts(p))

        _bulk(conn, "mentions", ["id", "source_id", "external_id", "url", "canonical_url", "title", "body", "author", "language",
                                 "published_at", "fetched_at", "content_hash", "extra", "classified_at"], mentions(), sqlite, progress, n_mentions)

        def temp(s):
            return "hot" if s >= 70 else "warm" if s >= 45 else "cold"

        expl = js({"summary": "Asks for a recommendation", "evidence": ["suche", "empfehlung"]})
        fit = js({PERSONAS[0]: {"fit": 0.5, "criteria": {"Thema": {"points": 100, "max": 100}}}})

        def classifications():
            for i in range(1, n_mentions + 1):
                s = scores[i]
                yield (i, i, "bench-1", "de" if i % 4 else "en", i in opp_ids, 0.8 if i in opp_ids else 0.2, INTENTS[i % 5] if i in opp_ids else "none",
                       30.0, s, temp(s), PERSONAS[i % 4], fit, expl, ts(published[i - 1]))

        _bulk(conn, "classifications", ["id", "mention_id", "model_version", "language", "is_request", "request_probability", "intent", "urgency",
                                        "score", "temperature", "best_persona", "persona_fit", "explanation", "created_at"],
              classifications(), sqlite, progress, n_mentions)

        opp_list = sorted(opp_ids)
        statuses = ["new"] * 6 + ["seen"] * 2 + ["dismissed", "contacted"]
        lead_opps = set(rnd.sample(opp_list, n_leads))

        def opportunities():
            for oid, mid in enumerate(opp_list, 1):
                p = published[mid - 1]
                status = "lead" if mid in lead_opps else rnd.choice(statuses)
                yield (oid, mid, 1 + mid % n_sources, status, scores[mid], temp(scores[mid]), INTENTS[mid % 5], PERSONAS[mid % 4],
                       "de" if mid % 4 else "en", ts(p), ts(p), ts(p))

        _bulk(conn, "opportunities", ["id", "mention_id", "source_id", "status", "score", "temperature", "intent", "persona", "language",
                                      "published_at", "created_at", "updated_at"], opportunities(), sqlite, progress, n_opps)

        # leads: older ones closed, recent ones offered to 3 partners; about 60 % reserved
        opp_of_mention = {mid: oid for oid, mid in enumerate(opp_list, 1)}
        leads, offers, reservations = [], [], []
        for lid, mid in enumerate(sorted(lead_opps), 1):
            p = published[mid - 1] + dt.timedelta(hours=2)
            age = (NOW - p).days
            partners = rnd.sample(range(1, n_partners + 1), 3)
            reserved = rnd.random() < 0.6 or age > 20
            if not reserved:
                status, stage, partner, deal = ("offered" if age < 2 else "escalated"), "MQL", None, None
            else:
                partner = partners[0]
                stage = rnd.choice(["MQL", "SAL", "SQL", "won", "lost"]) if age > 14 else rnd.choice(["MQL", "SAL"])
                status = "closed" if stage in ("won", "lost") else "reserved"
                deal = round(rnd.uniform(500, 20000), 2) if stage == "won" else None
            leads.append((lid, opp_of_mention[mid], mid, stage, status, "Lead title", "Summary", scores[mid], temp(scores[mid]), INTENTS[mid % 5],
                          PERSONAS[mid % 4], "de", "DE", '["datev"]', "{}", "{}", "{}", partner, deal, ts(p) if stage in ("won", "lost") else None, ts(p), ts(p)))
            for k, pid in enumerate(partners):
                if reserved:
                    ost = "reserved" if pid == partner else "withdrawn"
                else:
                    ost = "open" if age < 2 else "expired"
                offers.append((len(offers) + 1, lid, pid, 1, ost, 0.5, ts(p), ts(p + dt.timedelta(days=1))))
            if reserved:
                rst = "active" if status == "reserved" else "closed"
                reservations.append((len(reservations) + 1, lid, partner, partner, len(offers) - 2 + partners.index(partner), rst, ts(p), ts(p + dt.timedelta(days=7))))
        _bulk(conn, "leads", ["id", "opportunity_id", "mention_id", "stage", "status", "title", "summary", "score", "temperature", "intent", "persona",
                              "language", "region", "skills", "origin", "contact", "qualification", "partner_id", "deal_size", "closed_at", "created_at", "updated_at"],
              iter(leads), sqlite, progress, len(leads))
        _bulk(conn, "offers", ["id", "lead_id", "partner_id", "round", "status", "match_score", "offered_at", "expires_at"], iter(offers), sqlite, progress, len(offers))
        _bulk(conn, "reservations", ["id", "lead_id", "partner_id", "user_id", "offer_id", "status", "reserved_at", "feedback_due_at"],
              iter(reservations), sqlite, progress, len(reservations))
        if not sqlite:
            for t in ("sources", "personas", "partners", "users", "mentions", "classifications", "opportunities", "leads", "offers", "reservations"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}))")
    with eng.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    print(f"filled {n_mentions:,} mentions, {n_opps:,} opportunities, {len(leads):,} leads, {len(offers):,} offers, "
          f"{len(reservations):,} reservations in {time.perf_counter() - t0:.0f} s")


def _time(label: str, fn, repeat: int, url: str, results: list) -> None:
    factory = get_sessionmaker(url)
    times = []
    for _ in range(repeat):
        with factory() as s:
            t = time.perf_counter()
            out = fn(s)
            times.append((time.perf_counter() - t) * 1000)
    med, worst = statistics.median(times), max(times)
    flag = "OK " if worst < 300 else "SLOW"
    print(f"{flag} {label:<48} median {med:7.1f} ms   worst {worst:7.1f} ms   ({out})")
    results.append((label, med, worst))


def measure(url: str, repeat: int) -> list:
    from radar.queries import InboxFilter, inbox, inbox_filter_options, opportunity_detail

    now = NOW.replace(tzinfo=dt.timezone.utc)
    day = InboxFilter(since=now - dt.timedelta(days=1), until=now + dt.timedelta(minutes=1))
    week = InboxFilter(since=now - dt.timedelta(days=7), until=now + dt.timedelta(minutes=1))
    results: list = []
    _time("Today: filter options", lambda s: len(inbox_filter_options(s)["sources"]), repeat, url, results)
    _time("Today: last 24 h, page 1", lambda s: inbox(s, day, page=1).total, repeat, url, results)
    _time("Today: last 7 days, page 10", lambda s: len(inbox(s, week, page=10).rows), repeat, url, results)
    _time("Today: 7 days, persona+language+hot filter", lambda s: inbox(s, InboxFilter(
        since=week.since, until=week.until, personas=(PERSONAS[1],), languages=("de",), temperatures=("hot",)), page=1).total, repeat, url, results)
    _time("Today: 7 days, one source, all statuses", lambda s: inbox(s, InboxFilter(
        since=week.since, until=week.until, statuses=(), sources=("source-3",)), page=1).total, repeat, url, results)

    month = InboxFilter(since=now - dt.timedelta(days=30), until=now + dt.timedelta(minutes=1), statuses=())
    _time("Today: 30 days, all statuses, page 1", lambda s: inbox(s, month, page=1).total, repeat, url, results)

    def detail(s):
        first = inbox(s, day, page=1).rows[0]["id"]
        return opportunity_detail(s, first)["score"]

    _time("Today: page 1 + detail view", detail, repeat, url, results)
    try:
        from radar.leads import pick_list  # the leads part's pick list, once it has landed
    except ImportError:
        pick_list = None
    if pick_list is not None:
        from radar.models import User

        def picks(s):
            user = s.get(User, 7)
            return len(pick_list(s, user))

        _time("Pick list (partner with open offers)", picks, repeat, url, results)
    else:
        print("pick list: radar.leads.pick_list is not installed yet; not measured")
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("url", nargs="?", default=f"sqlite:///{ROOT / 'bench' / 'out' / 'dashboard.db'}")
    ap.add_argument("--mentions", type=int, default=1_000_000)
    ap.add_argument("--leads", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--reuse", action="store_true", help="measure an already filled database")
    args = ap.parse_args()
    if not args.reuse:
        fill(args.url, args.mentions, args.leads)
    results = measure(args.url, args.repeat)
    slow = [r for r in results if r[2] >= 300]
    print("all under 300 ms" if not slow else f"{len(slow)} queries at or over 300 ms")
    sys.exit(1 if slow else 0)


assert Base  # the schema comes from the migrations, the models describe it
if __name__ == "__main__":
    main()
