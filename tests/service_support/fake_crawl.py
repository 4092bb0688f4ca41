"""A stand-in crawl process for the service tests (a real process, run as
``python tests/service_support/fake_crawl.py --source NAME``), shaped like ``python -m radar.crawl``:

- records a CrawlRun (pid = its own pid) and commits each stored mention on its own;
- fetches the source's ``url`` with plain HTTP and no timeout, so a hung server hangs it;
- the JSON answer ``{"posts": [{"id", "title", "body"}...], "delay": s, "crash": bool}`` drives it:
  ``crash`` kills the process (SIGKILL, like the OOM killer) after the run row is written, without closing it;
- SIGTERM works like Scrapy's: the current post is finished and committed, the run closed as
  ``aborted``, exit 0; a crawl blocked on a hung server keeps waiting (until SIGKILL);
- prints one JSON summary line at the end; exit 0 ok, 1 failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import sys
import time
import urllib.request

from sqlalchemy import select

from radar.db import session_scope
from radar.models import CrawlRun, Mention, Source, utcnow

stopping = False


def _term(_signum, _frame):
    global stopping
    stopping = True


def main() -> int:
    signal.signal(signal.SIGTERM, _term)
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    url = os.environ["RADAR_DATABASE_URL"]
    with session_scope(url) as s:
        src = s.scalar(select(Source).where(Source.name == args.source))
        run = CrawlRun(source_id=src.id, pid=os.getpid(), status="running")
        s.add(run)
        s.flush()
        run_id, source_id, feed = run.id, src.id, src.settings["url"]
    try:
        with urllib.request.urlopen(feed) as resp:
            data = json.loads(resp.read())
    except Exception as exc:  # noqa: BLE001
        with session_scope(url) as s:
            run = s.get(CrawlRun, run_id)
            run.status, run.finished_at, run.errors = "failed", utcnow(), [str(exc)]
            src = s.get(Source, source_id)
            src.last_run_at, src.last_status, src.last_error = utcnow(), "failed", str(exc)
            src.error_streak += 1
        print(json.dumps({"source": args.source, "run_id": run_id, "status": "failed"}))
        return 1
    if data.get("crash"):
        os.kill(os.getpid(), signal.SIGKILL)
    stored = 0
    for post in data.get("posts", []):
        if stopping:
            break
        with session_scope(url) as s:
            exists = s.scalar(select(Mention.id).where(Mention.source_id == source_id, Mention.external_id == str(post["id"])))
            if exists is None:
                s.add(Mention(source_id=source_id, external_id=str(post["id"]), url=f"{feed}#{post['id']}",
                              canonical_url=f"{feed}#{post['id']}", title=post["title"], body=post["body"],
                              content_hash=hashlib.sha256(post["body"].encode()).hexdigest()))
                stored += 1
                s.get(CrawlRun, run_id).items_new = stored
        time.sleep(float(data.get("delay", 0)))
    status = "aborted" if stopping else "ok"
    with session_scope(url) as s:
        run = s.get(CrawlRun, run_id)
        run.status, run.finished_at, run.items_new, run.pages = status, utcnow(), stored, 1
        src = s.get(Source, source_id)
        src.last_run_at, src.last_status, src.last_error = utcnow(), status, None
        src.items_total += stored
        if status == "ok":
            src.error_streak = 0
    print(json.dumps({"source": args.source, "run_id": run_id, "status": status, "items_new": stored}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
