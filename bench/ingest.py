"""Ingest throughput: mentions per second through parse → clean → language → canonical URL →
dedupe/group → store (SQLite, one transaction per mention), beside the rate of feedparser
parsing the same bytes alone, in one run.

Recorded feeds: ../shared/data/wire/rss_atom/real_sites. Each round gives every entry a fresh
id and URL (as a new day's feed would), so every mention is really stored.

    .venv/bin/python bench/ingest.py [--rounds 20] [--db sqlite:///tmp/bench.db]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FEEDS = ROOT.parent / "shared" / "data" / "wire" / "rss_atom" / "real_sites"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    if not FEEDS.is_dir():
        print(f"skipped: {FEEDS} not found")
        return 0

    import feedparser

    from radar import migrate
    from radar.db import get_engine, get_sessionmaker
    from radar.models import Source
    from radar.pipelines import MentionStore, prepare_item
    from radar.spiders.feed import parse_feed_entries
    from radar.spiders.items import MentionItem

    feeds = [(p.name, p.read_bytes()) for p in sorted(FEEDS.glob("*")) if p.is_file()]
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    migrate.upgrade(url)
    with get_sessionmaker(url).begin() as s:
        src = Source(name="bench", kind="feed", settings={})
        s.add(src)
        s.flush()
        source_id = src.id

    # Parse-only and the whole pipeline alternate round by round, so load from other processes
    # on the machine hits both alike. Parse-only is feedparser on the same bytes with the options
    # the feed spider uses; feedparser's defaults (HTML sanitising on) are timed for reference.
    store = MentionStore(get_engine(url), source_id).open()
    entries = stored = failed = seen = 0
    parse_time = default_time = elapsed = 0.0
    default_entries = 0
    for r in range(args.rounds):
        t = time.perf_counter()
        for _name, body in feeds:
            entries += len(feedparser.parse(body, response_headers={"content-type": "application/xml"},
                                            sanitize_html=False, resolve_relative_uris=False).entries)
        parse_time += time.perf_counter() - t
        if r % 5 == 0:
            t = time.perf_counter()
            for _name, body in feeds:
                default_entries += len(feedparser.parse(body, response_headers={"content-type": "application/xml"}).entries)
            default_time += time.perf_counter() - t
        t = time.perf_counter()
        for name, body in feeds:
            _info, items = parse_feed_entries(body, f"https://bench.example/{name}", "application/xml")
            for fields in items:
                seen += 1
                fields["external_id"] = f"{r}:{fields['external_id']}"
                fields["url"] = f"{fields['url'] or 'https://bench.example/x'}?round={r}"
                fields["body"] = f"{fields['body']} (round {r})"
                try:
                    item = prepare_item(MentionItem(source="bench", **fields))
                except ValueError:
                    failed += 1
                    continue
                if store.store(item).status == "new":
                    stored += 1
        elapsed += time.perf_counter() - t
    store.close()
    parse_rate = entries / parse_time
    default_parse_rate = default_entries / default_time
    pipe_rate = seen / elapsed
    print(f"feeds: {len(feeds)} recorded feeds x {args.rounds} rounds, {entries // args.rounds} entries per round")
    print(f"feedparser parse only          : {parse_rate:8.0f} entries/s  (as the spider calls it; {default_parse_rate:.0f}/s with feedparser's default sanitising)")
    print(f"parse+clean+lang+dedupe+store  : {pipe_rate:8.0f} mentions/s  ({stored} stored, {seen - stored - failed} grouped/duplicate, {failed} invalid)")
    print(f"ratio pipeline / parse-only    : {pipe_rate / parse_rate:8.2f}  (target >= 0.50)")
    print(f"database                       : {url.split('://')[0]}")
    import os

    print(f"load average (1 min) / cores   : {os.getloadavg()[0]:.1f} / {os.cpu_count()}")
    print(f"target ratio >= 0.5            : {'met' if pipe_rate >= 0.5 * parse_rate else 'MISSED'}")
    print(f"target >= 500 mentions/s       : {'met' if pipe_rate >= 500 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
