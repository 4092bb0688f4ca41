"""Classifier speed: model load time and posts/s on one core.

Posts: real posts from ../shared/data/posts (a mix of every source: tweets, forum posts,
reddit posts with bodies, titles), classified with the bundled model and the shipped personas.
Throughput is measured as CPU time of this process (one core; the machine may be shared), and
wall time is printed beside it.

Run: .venv/bin/python bench/classify.py [N]
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def posts(n: int) -> list[tuple[str, str]]:
    from radar.classify import dataset

    if not dataset.available():
        sys.exit(f"shared data not found in {dataset.posts_dir()}")
    rows = []
    for fname in dataset.POST_FILES.values():
        with open(dataset.posts_dir() / fname, encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                rows.append((r.get("title") or "", r.get("body") or r.get("text") or ""))
    random.Random(1).shuffle(rows)
    return (rows * (n // len(rows) + 1))[:n]


def cold_load_seconds(runs: int = 3) -> tuple[float, float]:
    """Median wall and CPU seconds of ``import radar.classify`` + ``Classifier.load("bundled")``
    in ``runs`` new processes (CPU time moves far less than wall time on a shared machine)."""
    code = ("import time; t=time.perf_counter(); c=time.process_time(); from radar.classify import Classifier; "
            "Classifier.load('bundled'); print(time.perf_counter()-t, time.process_time()-c)")
    walls, cpus = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
        wall, cpu = out.stdout.strip().splitlines()[-1].split()
        walls.append(float(wall))
        cpus.append(float(cpu))
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    t = time.perf_counter()
    from radar.classify import Classifier
    from radar.config import load_config
    imports = time.perf_counter() - t
    cfg = load_config(ROOT / "config")
    t, c = time.perf_counter(), time.process_time()
    clf = Classifier.load("bundled", personas=cfg.personas, settings=cfg.settings.classifier)
    load, load_cpu = time.perf_counter() - t, time.process_time() - c
    items = posts(n)
    avg_chars = sum(len(a) + len(b) for a, b in items) / len(items)
    clf.classify_many(items[:500])  # warm up
    c0, w0 = time.process_time(), time.perf_counter()
    res = clf.classify_many(items)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    cold, cold_cpu = cold_load_seconds()
    print(f"model load (Classifier.load, in-process): {load:.2f} s ({load_cpu:.2f} s CPU)   (imports before it: {imports:.2f} s)")
    print(f"cold start in a new process (import + load, median of 3): {cold:.2f} s ({cold_cpu:.2f} s CPU)")
    print(f"classified {len(res)} real posts (mean {avg_chars:.0f} chars) in {cpu:.1f} s CPU / {wall:.1f} s wall")
    print(f"throughput: {len(res) / cpu:,.0f} posts/s per CPU second (one core), {len(res) / wall:,.0f} posts/s wall")
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
