"""Ingest throughput: mentions per second through parse → clean → language → canonical URL →
fingerprints → dedupe/group → store, beside the rate of feedparser parsing the same bytes
alone, in one run.

Recorded feeds: ../shared/data/wire/rss_atom/real_sites. Each round gives every entry a fresh
id and URL (as a new day's feed would), so every mention is really stored; its text changes by
one word, so from the second round on every mention is a near-duplicate of the round before and
the grouping path runs too.

The two sides alternate round by round (parse-only, pipeline, parse-only, ...) so that load
from other processes on the machine hits both alike; the figures are medians over the rounds.

- parse-only: ``radar.spiders.feed.feedparser_parse`` on each feed's bytes — the very call the
  feed spider makes (same headers, HTML sanitising off) — and nothing else.
- pipeline: ``parse_feed_entries`` (that same call, plus turning entries into item fields),
  ``MentionItem``, ``prepare_item`` (clean, language, canonical URL, content hash, SimHash) and
  ``MentionStore.add`` with a commit whenever the batch is due and at the end of the round —
  what ``PreparePipeline`` and ``StorePipeline`` do in a crawl, without Scrapy's engine and
  without the network.

Rates are entries (parse-only) or mentions (pipeline) per second of wall-clock time and, in
brackets, per second of this process's CPU time (which load from other processes inflates
less).

    .venv/bin/python bench/ingest.py [--rounds 15] [--batch 50] [--db sqlite:///tmp/bench.db]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FEEDS = ROOT.parent / "shared" / "data" / "wire" / "rss_atom" / "real_sites"
CONTENT_TYPE = "application/xml"


def main() -> int:
    from radar.pipelines import STORE_BATCH_SIZE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=STORE_BATCH_SIZE,
                        help=f"mentions per transaction (default {STORE_BATCH_SIZE}, as in a crawl; 1: one transaction each)")
    parser.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    if not FEEDS.is_dir():
        print(f"skipped: {FEEDS} not found")
        return 0

    from radar import migrate
    from radar.db import get_engine, get_sessionmaker
    from radar.models import Source
    from radar.pipelines import InvalidItem, MentionStore, prepare_item
    from radar.spiders.feed import feedparser_parse, parse_feed_entries
    from radar.spiders.items import MentionItem
    from radar.textproc import ngram_language

    feeds = [(f"https://bench.example/{p.name}", p.read_bytes()) for p in sorted(FEEDS.glob("*")) if p.is_file()]
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    migrate.upgrade(url)
    with get_sessionmaker(url).begin() as s:
        src = Source(name=f"bench-{time.time_ns()}", kind="feed", settings={})
        s.add(src)
        s.flush()
        source_id = src.id
    store = MentionStore(get_engine(url), source_id, batch_size=args.batch).open()

    # warm-up, not timed: imports, the language profiles, compiled statements
    for feed_url, body in feeds:
        feedparser_parse(body, feed_url, CONTENT_TYPE)
    prepare_item(MentionItem(source="bench", external_id="w", title="Warm-up", body="Bitte ignorieren, danke"))
    ngram_language("Warm-up Sprachprofile")  # loads langdetect's profiles once per process (≈0.7 s)

    parse_rates, parse_cpu_rates, pipe_rates, pipe_cpu_rates, ratios = [], [], [], [], []
    counts = {"new": 0, "grouped": 0, "duplicate": 0, "failed": 0, "invalid": 0}
    per_round = 0
    loads = [os.getloadavg()[0]]
    for r in range(args.rounds):
        t, c = time.perf_counter(), time.process_time()
        entries = 0
        for feed_url, body in feeds:
            entries += len(feedparser_parse(body, feed_url, CONTENT_TYPE).entries)
        parse_wall, parse_cpu = time.perf_counter() - t, time.process_time() - c

        t, c = time.perf_counter(), time.process_time()
        seen = 0
        for feed_url, body in feeds:
            _info, items = parse_feed_entries(body, feed_url, CONTENT_TYPE)
            for fields in items:
                seen += 1
                fields["external_id"] = f"{r}:{fields['external_id']}"
                fields["url"] = f"{fields['url'] or 'https://bench.example/x'}?round={r}"
                fields["body"] = f"{fields['body']} (round {r})"
                try:
                    item = prepare_item(MentionItem(source="bench", **fields))
                except InvalidItem:
                    counts["invalid"] += 1
                    continue
                store.add(item)
                if store.due():
                    _count(store.flush(), counts)
        _count(store.flush(), counts)
        pipe_wall, pipe_cpu = time.perf_counter() - t, time.process_time() - c

        per_round = entries
        parse_rates.append(entries / parse_wall)
        parse_cpu_rates.append(entries / parse_cpu)
        pipe_rates.append(seen / pipe_wall)
        pipe_cpu_rates.append(seen / pipe_cpu)
        ratios.append(parse_wall / pipe_wall * seen / entries)
        loads.append(os.getloadavg()[0])
    store.close()

    # feedparser with its default options (HTML sanitising and URI resolution on), for reference
    t = time.perf_counter()
    default_entries = 0
    for feed_url, body in feeds:
        import feedparser

        default_entries += len(feedparser.parse(body, response_headers={"content-location": feed_url, "content-type": CONTENT_TYPE}).entries)
    default_rate = default_entries / (time.perf_counter() - t)

    med = statistics.median
    pipe, parse, ratio = med(pipe_rates), med(parse_rates), med(ratios)
    print(f"feeds: {len(feeds)} recorded feeds, {per_round} entries per round, {args.rounds} rounds (medians of rounds)")
    print(f"feedparser parse only          : {parse:8.0f} entries/s   ({med(parse_cpu_rates):.0f}/s of CPU time; "
          f"feedparser with default options: {default_rate:.0f}/s)")
    print(f"parse+clean+lang+dedupe+store  : {pipe:8.0f} mentions/s  ({med(pipe_cpu_rates):.0f}/s of CPU time; "
          f"{counts['new']} stored, {counts['grouped']} of them grouped, {counts['duplicate']} duplicate, "
          f"{counts['failed'] + counts['invalid']} failed)")
    print(f"ratio pipeline / parse-only    : {ratio:8.2f}  (CPU time: {med(pipe_cpu_rates) / med(parse_cpu_rates):.2f}; "
          f"rounds {min(ratios):.2f}–{max(ratios):.2f})")
    print(f"store                          : {url.split(':')[0]}, {args.batch} mention(s) per transaction")
    print(f"load average (1 min) / cores   : {min(loads):.1f}–{max(loads):.1f} / {os.cpu_count()}")
    print(f"target ratio >= 0.5            : {'met' if ratio >= 0.5 else 'MISSED'}")
    print(f"target >= 500 mentions/s       : {'met' if pipe >= 500 else 'MISSED'}")
    return 0


def _count(settled, counts) -> None:
    for _item, result in settled:
        if result.status == "new":
            counts["new"] += 1
            counts["grouped"] += result.group_id is not None
        else:
            counts[result.status] += 1


if __name__ == "__main__":
    sys.exit(main())
