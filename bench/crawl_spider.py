"""The crawl both engines run in bench/service.py: a Scrapy spider over a local JSON listing
(``$BENCH_URL/<source>/page/<n>``, 25 posts a page, ``pages`` pages), nothing stored.

Run as a subprocess crawl (what the service starts per source)::

    BENCH_URL=http://127.0.0.1:8000 python bench/crawl_spider.py --source a

prints one JSON summary line and exits 0, like ``python -m radar.crawl``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import scrapy

SETTINGS = {
    "LOG_LEVEL": "WARNING",
    "ROBOTSTXT_OBEY": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
    "DOWNLOAD_TIMEOUT": 30,  # [crawl] download_timeout default
    "RETRY_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "EXTENSIONS": {"scrapy.extensions.telnet.TelnetConsole": None},
}


class ListingSpider(scrapy.Spider):
    name = "bench-listing"

    def __init__(self, base: str = "", source: str = "", pages: int = 3, counter: list | None = None, **kw):
        super().__init__(**kw)
        self.base, self.source, self.pages = base, source, int(pages)
        self.counter = counter if counter is not None else [0]

    async def start(self):
        yield scrapy.Request(f"{self.base}/{self.source}/page/1", cb_kwargs={"page": 1})

    def parse(self, response, page):
        data = json.loads(response.text)
        for post in data["posts"]:
            self.counter[0] += 1
            yield {"id": post["id"], "title": post["title"], "body": post["body"]}
        if page < self.pages and data["posts"]:
            yield scrapy.Request(f"{self.base}/{self.source}/page/{page + 1}", cb_kwargs={"page": page + 1})


def main() -> int:
    from scrapy.crawler import CrawlerProcess

    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    counter = [0]
    process = CrawlerProcess(SETTINGS)
    process.crawl(ListingSpider, base=os.environ["BENCH_URL"], source=args.source, counter=counter)
    process.start()
    print(json.dumps({"source": args.source, "status": "ok", "items_new": counter[0]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
