"""Figures of `radar evaluate` on held-out real posts (evaluation split: one post in five of every
source, never trained on; and the held-out source, never trained on at all), per language, written to bench/out/ (not committed: the posts may not be
redistributed). The German hand-labelled set's cross-validated figures are stored in
radar/classify/model/request_model.metrics.json (see README "Classifier").

Run: .venv/bin/python bench/classify_eval.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from radar.classify import dataset, train

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    _tr, ev, held = train.split(dataset.load_all())
    files = {}
    for lang, sources in (("de", {"germeval2017", "germeval2018", "germeval2021", "hotel", "computer_forum"}),
                          ("en", {"techsupport", "softwarerecs", "hn", "askreddit"})):
        rows = [e.to_json() for e in ev if e.source in sources and e.label in (0, 1)]
        path = out / f"evaluation_split_{lang}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        files[lang] = path
    if held:  # the held-out source (train.TEST_SOURCES): never trained on
        path = out / "held_out_source.jsonl"
        path.write_text("".join(json.dumps(e.to_json(), ensure_ascii=False) + "\n" for e in held if e.label in (0, 1)),
                        encoding="utf-8")
        files["held_out"] = path
    for lang, path in files.items():
        print(f"== radar evaluate {path.relative_to(ROOT)}")
        subprocess.run([sys.executable, "-m", "radar", "--config", str(ROOT / "config"), "evaluate", str(path),
                        "--model", "bundled", "--plot", str(out / f"pr_{lang}.png"), "--bootstrap", "500"], check=True, cwd=ROOT)
    metrics = json.loads((ROOT / "radar/classify/model/request_model.metrics.json").read_text())
    print("== stored figures (request_model.metrics.json)")
    print(train.summary(metrics))


if __name__ == "__main__":
    main()
