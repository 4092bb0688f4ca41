"""Crawl isolation for the always-on service, measured: Scrapy's CrawlerRunner on the Twisted
reactor with APScheduler's TwistedScheduler ("in-process") against one subprocess per crawl
under our real service (`radar run`, "subprocess").

    .venv/bin/python bench/service.py                 # all three experiments, default sizes
    .venv/bin/python bench/service.py --crawls 312    # memory over a simulated day (see below)
    .venv/bin/python bench/service.py --only hung

1. memory: N crawls of 8 sources (3 pages x 25 posts each, local server), intervals compressed to
   1 s. N = 312 is one day of the default config/sources.toml (5 sources every 30 min, 3 hourly).
   Reports the scheduler process's RSS at the start and after every N/12 crawls ("2 simulated
   hours"), and the subprocess engine's largest crawl process.
2. hung: one source's server never answers (crawl timeout 5 s); a second source is crawled every
   second; then a crawl stuck in its parser (a callback spinning the CPU for 10 s). Reports how
   long the hung crawl took to end and how many crawls of the other source completed meanwhile.
3. sigterm: SIGTERM 3 s into a crawl of a slow server (2 s a page); time to exit and exit code.

Figures go to bench/README.md; the choice is explained in README "The service".
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY = sys.executable
SOURCES = [f"s{i}" for i in range(8)]


# --------------------------------------------------------------------------- helpers
def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


class Server:
    """``/<src>/page/<n>`` JSON (25 posts); sources named ``hang*`` never answer; ``slow*`` take
    2 s a page (10 pages)."""

    def __init__(self) -> None:
        release = self.release = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                parts = self.path.strip("/").split("/")
                src, page = parts[0], int(parts[-1]) if parts[-1].isdigit() else 1
                if src.startswith("hang"):
                    release.wait()
                    return
                if src.startswith("slow"):
                    time.sleep(2)
                posts = [{"id": f"{src}-{page}-{i}", "title": f"Post {i}", "body": "Wer kann ein ERP empfehlen? " * 40} for i in range(25)]
                body = json.dumps({"posts": posts}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()


# --------------------------------------------------------------------------- in-process engine
def inprocess_child(args: argparse.Namespace) -> None:
    """TwistedScheduler + CrawlerRunner in this process. Prints JSON lines."""
    import warnings

    warnings.filterwarnings("ignore", message=".*stop_async.*")
    from scrapy.utils.reactor import install_reactor

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")  # before apscheduler's twisted module
    from apscheduler.schedulers.twisted import TwistedScheduler
    from scrapy.crawler import CrawlerRunner
    from twisted.internet import reactor

    sys.path.insert(0, str(HERE))
    from crawl_spider import SETTINGS, ListingSpider

    class SpinSpider(ListingSpider):
        def parse(self, response, page):
            end = time.monotonic() + 10
            while time.monotonic() < end:  # a parser stuck on a pathological page
                pass
            yield from super().parse(response, page)

    runner = CrawlerRunner(SETTINGS)
    sched = TwistedScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    running: dict[str, object] = {}
    state = {"done": 0, "t0": time.monotonic()}
    sources = args.sources.split(",")

    def emit(**kw):
        print(json.dumps({"t": round(time.monotonic() - state["t0"], 2), **kw}), flush=True)

    def start_crawl(src: str) -> None:  # reactor thread
        if src in running or state.get("stopping"):
            return
        spider = SpinSpider if src.startswith("spin") else ListingSpider
        crawler = runner.create_crawler(spider)
        started = time.monotonic()
        d = runner.crawl(crawler, base=args.url, source=src, pages=args.pages)
        running[src] = crawler
        if args.timeout:
            timer = reactor.callLater(args.timeout, lambda: crawler.stop() if src in running else None)
        emit(event="started", source=src)

        def done(result):
            running.pop(src, None)
            if args.timeout and timer.active():
                timer.cancel()
            state["done"] += 1
            emit(event="finished", source=src, seconds=round(time.monotonic() - started, 2), failed=isinstance(result, Exception))
            if args.crawls and state["done"] % max(1, args.crawls // 12) == 0:
                emit(event="sample", crawls=state["done"], rss_mb=round(rss_mb(os.getpid()), 1))
            if args.crawls and state["done"] >= args.crawls:
                state["stopping"] = True
                sched.shutdown(wait=False)
                reactor.callLater(0, reactor.stop)

        d.addBoth(done)

    def job(src: str) -> None:  # a pool thread: hand the work to the reactor, never wait on it
        reactor.callFromThread(start_crawl, src)

    def on_term(signum, frame):
        emit(event="sigterm", running=list(running))
        state["stopping"] = True

        def stop_all():
            sched.shutdown(wait=False)
            ds = [c.stop() for c in running.values()]
            from twisted.internet.defer import DeferredList

            DeferredList([d for d in ds if d is not None]).addBoth(lambda _: reactor.stop())
            if not ds:
                reactor.stop()

        reactor.callFromThread(stop_all)

    signal.signal(signal.SIGTERM, on_term)
    for src in sources:
        sched.add_job(job, "interval", seconds=args.interval, args=[src], id=src, next_run_time=None)
    for i, src in enumerate(sources):
        sched.modify_job(src, next_run_time=__import__("datetime").datetime.now(__import__("datetime").timezone.utc))
    emit(event="sample", crawls=0, rss_mb=round(rss_mb(os.getpid()), 1))
    sched.start()
    reactor.run(installSignalHandlers=False)
    emit(event="exit", crawls=state["done"], rss_mb=round(rss_mb(os.getpid()), 1))


def run_inprocess(url: str, sources: list[str], *, crawls: int = 0, interval: float = 1.0, timeout: float = 0,
                  pages: int = 3, duration: float = 0, sigterm_after: float = 0) -> dict:
    cmd = [PY, __file__, "_inprocess", "--url", url, "--sources", ",".join(sources), "--crawls", str(crawls),
           "--interval", str(interval), "--timeout", str(timeout), "--pages", str(pages)]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    lines: list[dict] = []
    threading.Thread(target=lambda: [lines.append(json.loads(x)) for x in proc.stdout], daemon=True).start()
    term_at = None
    try:
        while proc.poll() is None:
            time.sleep(0.1)
            elapsed = time.monotonic() - t0
            if sigterm_after and term_at is None and any(x.get("event") == "started" for x in lines):
                first = next(x for x in lines if x.get("event") == "started")
                if elapsed > first["t"] + sigterm_after:
                    term_at = time.monotonic()
                    proc.send_signal(signal.SIGTERM)
            if duration and elapsed > duration and term_at is None:
                term_at = time.monotonic()
                proc.send_signal(signal.SIGTERM)
            if term_at and time.monotonic() - term_at > 60:
                proc.kill()
    finally:
        if proc.poll() is None:
            proc.kill()
    time.sleep(0.2)
    return {"lines": lines, "exit_code": proc.returncode, "wall": time.monotonic() - t0,
            "exit_seconds": (time.monotonic() - term_at) if term_at else None}


# --------------------------------------------------------------------------- subprocess engine (our service)
def run_service(url: str, sources: dict[str, str], *, crawls: int = 0, timeout: str = "10m", duration: float = 0,
                sigterm_after: float = 0, spin: bool = False, grace: str = "30s") -> dict:
    from radar import migrate
    from radar.config import load_config
    from radar.db import dispose_all, session_scope
    from radar.sync import sync_all

    tmp = Path(tempfile.mkdtemp(prefix="bench-service-"))
    cfg_dir = tmp / "config"
    cfg_dir.mkdir()
    (cfg_dir / "radar.toml").write_text(
        f'[scheduler]\njitter_seconds = 0\nmax_parallel_crawls = 2\nshutdown_grace = "{grace}"\n'
        f'[crawl]\ncrawl_timeout = "{timeout}"\n[logging]\nlevel = "INFO"\n')
    (cfg_dir / "sources.toml").write_text("".join(
        f'[[sources]]\nname = "{n}"\nkind = "feed"\nurl = "{url}/{n}"\ninterval = "{iv}"\n\n' for n, iv in sources.items()))
    env = {**os.environ, "RADAR_CONFIG": str(cfg_dir), "RADAR_TEST_MIN_INTERVAL": "1", "BENCH_URL": url,
           "RADAR_CRAWL_COMMAND": f"{PY} {HERE / 'crawl_spider.py'} --source {{source}}",
           "RADAR_DATABASE_URL": f"sqlite:///{tmp / 'radar.db'}"}
    if spin:
        env["RADAR_CRAWL_COMMAND"] = f"{PY} {HERE / 'spin_crawl.py'} --source {{source}}"
    os.environ["RADAR_TEST_MIN_INTERVAL"] = "1"
    migrate.upgrade(env["RADAR_DATABASE_URL"])
    with session_scope(env["RADAR_DATABASE_URL"]) as s:
        sync_all(s, load_config(cfg_dir))
    dispose_all()
    t0 = time.monotonic()
    proc = subprocess.Popen([PY, "-m", "radar", "run", "--no-dashboard"], env=env, stderr=subprocess.PIPE, text=True, cwd=REPO)
    events: list[tuple[float, str]] = []
    threading.Thread(target=lambda: [events.append((time.monotonic() - t0, x.rstrip())) for x in proc.stderr], daemon=True).start()
    samples, child_peak, term_at, next_sample = [], 0.0, None, 0
    step = max(1, crawls // 12) if crawls else 0
    try:
        while proc.poll() is None:
            time.sleep(0.1)
            for c in children(proc.pid):
                child_peak = max(child_peak, rss_mb(c) + sum(rss_mb(g) for g in children(c)))
            done = sum("event=crawl.finished" in e for _, e in events)
            if crawls and done >= next_sample:
                samples.append({"crawls": done, "rss_mb": round(rss_mb(proc.pid), 1)})
                next_sample += step
            elapsed = time.monotonic() - t0
            started = [t for t, e in events if "event=crawl.started" in e]
            if term_at is None and ((crawls and done >= crawls) or (duration and elapsed > duration)
                                    or (sigterm_after and started and elapsed > started[0] + sigterm_after)):
                term_at = time.monotonic()
                proc.send_signal(signal.SIGTERM)
            if term_at and time.monotonic() - term_at > 90:
                proc.kill()
    finally:
        if proc.poll() is None:
            proc.kill()
    time.sleep(0.2)
    return {"events": events, "samples": samples, "child_peak_mb": round(child_peak, 1), "exit_code": proc.returncode,
            "exit_seconds": (time.monotonic() - term_at) if term_at else None, "wall": time.monotonic() - t0}


def kv(line: str) -> dict[str, str]:
    import shlex

    out = {}
    for part in shlex.split(line.split(" ", 1)[1] if " " in line else line):
        k, _, v = part.partition("=")
        out[k] = v
    return out


# --------------------------------------------------------------------------- experiments
def memory(server: Server, n: int) -> dict:
    ip = run_inprocess(server.url, SOURCES, crawls=n, interval=1.0)
    ip_samples = [x for x in ip["lines"] if x.get("event") == "sample"]
    sp = run_service(server.url, {s: "1s" for s in SOURCES}, crawls=n)
    return {
        "in-process": {"rss_mb": [x["rss_mb"] for x in ip_samples], "crawls": ip_samples[-1]["crawls"], "wall_s": round(ip["wall"], 1)},
        "subprocess": {"rss_mb": [x["rss_mb"] for x in sp["samples"]], "crawls": sp["samples"][-1]["crawls"] if sp["samples"] else 0,
                       "largest_crawl_process_mb": sp["child_peak_mb"], "wall_s": round(sp["wall"], 1)},
    }


def hung(server: Server) -> dict:
    res: dict = {}
    ip = run_inprocess(server.url, ["hang", "ok"], interval=1.0, timeout=5, duration=25)
    fin = [x for x in ip["lines"] if x.get("event") == "finished"]
    hang_end = next((x for x in fin if x["source"] == "hang"), None)
    res["in-process hung server"] = {
        "hung crawl ended after s": hang_end["seconds"] if hang_end else "did not end within 25 s",
        "other source crawls in 25 s": sum(x["source"] == "ok" for x in fin)}
    ip = run_inprocess(server.url, ["spin", "ok"], interval=1.0, timeout=5, duration=25, pages=1)
    fin = [x for x in ip["lines"] if x.get("event") == "finished"]
    spin_end = next((x for x in fin if x["source"] == "spin"), None)
    ok_times = [x["t"] for x in fin if x["source"] == "ok"]
    gaps = [b - a for a, b in zip(ok_times, ok_times[1:])]
    res["in-process stuck parser"] = {
        "stuck crawl ended after s": spin_end["seconds"] if spin_end else "did not end",
        "other source crawls in 25 s": len(ok_times), "longest gap between other crawls s": round(max(gaps), 1) if gaps else None}
    for name, spin in (("subprocess hung server", False), ("subprocess stuck parser", True)):
        src = "spin" if spin else "hang"
        sp = run_service(server.url, {src: "1s", "ok": "1s"}, timeout="5s", duration=25, spin=spin, grace="10s")
        fins = [(t, kv(e)) for t, e in sp["events"] if "event=crawl.finished" in e]
        stuck = [f for _, f in fins if f.get("source") == src]
        ok = [t for t, f in fins if f.get("source") == "ok"]
        gaps = [b - a for a, b in zip(ok, ok[1:])]
        res[name] = {"stuck crawl ended after s": float(stuck[0]["seconds"]) if stuck else "did not end",
                     "status": stuck[0].get("status") if stuck else None,
                     "other source crawls in 25 s": len(ok), "longest gap between other crawls s": round(max(gaps), 1) if gaps else None}
    return res


def sigterm(server: Server) -> dict:
    ip = run_inprocess(server.url, ["slow"], interval=3600, pages=10, sigterm_after=3)
    sp = run_service(server.url, {"slow": "1h"}, sigterm_after=3)
    return {"in-process": {"exit_s": round(ip["exit_seconds"], 1), "exit_code": ip["exit_code"]},
            "subprocess": {"exit_s": round(sp["exit_seconds"], 1), "exit_code": sp["exit_code"]}}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_inprocess":
        p = argparse.ArgumentParser()
        p.add_argument("_inprocess")
        for a, t in (("--url", str), ("--sources", str), ("--crawls", int), ("--interval", float), ("--timeout", float), ("--pages", int)):
            p.add_argument(a, type=t)
        inprocess_child(p.parse_args())
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--crawls", type=int, default=96, help="crawls for the memory experiment (312 = one day of the default config)")
    p.add_argument("--only", choices=["memory", "hung", "sigterm"])
    args = p.parse_args()
    server = Server()
    results = {}
    try:
        if args.only in (None, "memory"):
            results["memory"] = memory(server, args.crawls)
            print("memory:", json.dumps(results["memory"], indent=1), flush=True)
        if args.only in (None, "hung"):
            results["hung"] = hung(server)
            print("hung:", json.dumps(results["hung"], indent=1), flush=True)
        if args.only in (None, "sigterm"):
            results["sigterm"] = sigterm(server)
            print("sigterm:", json.dumps(results["sigterm"], indent=1), flush=True)
    finally:
        server.close()


if __name__ == "__main__":
    main()
