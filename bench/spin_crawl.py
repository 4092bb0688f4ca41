"""A subprocess crawl stuck in its parser (for bench/service.py): for sources named ``spin*`` the
callback spins the CPU for 10 s, like a pathological page would; other sources crawl normally."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crawl_spider import SETTINGS, ListingSpider  # noqa: E402


class SpinSpider(ListingSpider):
    def parse(self, response, page):
        end = time.monotonic() + 10
        while time.monotonic() < end:
            pass
        yield from super().parse(response, page)


if __name__ == "__main__":
    import argparse

    from scrapy.crawler import CrawlerProcess

    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    counter = [0]
    process = CrawlerProcess(SETTINGS)
    spider = SpinSpider if args.source.startswith("spin") else ListingSpider
    process.crawl(spider, base=os.environ["BENCH_URL"], source=args.source, pages=1, counter=counter)
    process.start()
    print(json.dumps({"source": args.source, "status": "ok", "items_new": counter[0]}))
