"""Language detection on the real German and English posts in ../shared/data/posts: accuracy and
time per text of the ingest detector (stop words, then langdetect's n-gram profiles scored as
naive Bayes) beside the detector it replaced (stop words, then langdetect's own random-sampling
detector, n_trial 3), plain ``langdetect.detect`` and the classifier's own detector (function
words, then German-vs-English n-grams; ``radar.classify.text.detect_language``), on the same texts.

Truth: the file's language (all rows of a ``*_de`` file are German, of a ``*_en`` file English),
and the hand label ``lang`` in reddit_stuttgart_de.labeled.jsonl. ``None`` (too little text to
say, no hint) counts as wrong.

    .venv/bin/python bench/language.py [--limit 3000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
POSTS = ROOT.parent / "shared" / "data" / "posts"

#: file → (language, field with the text); language None: per-row hand label ``lang``
SETS = {
    "computer_forum_support_de.jsonl": ("de", "text"),
    "germeval2017_db_feedback_de.jsonl": ("de", "body"),
    "germeval2018_tweets_de.jsonl": ("de", "body"),
    "germeval2021_comments_de.jsonl": ("de", "body"),
    "hotel_review_sentences_de.jsonl": ("de", "body"),
    "reddit_stuttgart_de.labeled.jsonl": (None, "title+body"),
    "reddit_techsupport_en.jsonl": ("en", "body"),
    "softwarerecs_titles_en.jsonl": ("en", "title"),
    "hn_titles_2016_en.jsonl": ("en", "title"),
}


def load_posts(limit: int | None = None) -> dict[str, list[tuple[str, str]]]:
    """``{file: [(text, true language), ...]}`` (first ``limit`` rows of each file)."""
    out = {}
    for name, (lang, field) in SETS.items():
        path = POSTS / name
        if not path.exists():
            continue
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if field == "title+body":
                text = f"{row.get('title') or ''}\n{row.get('body') or ''}"
            else:
                text = row.get(field) or ""
            truth = lang or row.get("lang")
            if truth in ("de", "en"):
                rows.append((text, truth))
            if limit and len(rows) >= limit:
                break
        out[name] = rows
    return out


def previous_detector(text: str, hint: str | None = None) -> str | None:
    """The detector before this change: the same stop-word count, then langdetect (seeded,
    n_trial 3) on the first 600 characters."""
    from langdetect import DetectorFactory, detector_factory
    from langdetect.lang_detect_exception import LangDetectException

    from radar.textproc import _DE_WORDS, _EN_WORDS, _WORD, normalise_language

    hint = normalise_language(hint)
    sample = text[:2000]
    words = _WORD.findall(sample.lower())
    de = sum(1 for w in words if w in _DE_WORDS)
    en = sum(1 for w in words if w in _EN_WORDS)
    if de >= 3 and de >= 3 * max(en, 1) or de >= 2 and en == 0 and len(words) <= 12:
        return "de"
    if en >= 3 and en >= 3 * max(de, 1) or en >= 2 and de == 0 and len(words) <= 12:
        return "en"
    if sum(1 for ch in sample if ch.isalpha()) < 12:
        return hint or (("de" if de > en else "en") if de != en else None)
    DetectorFactory.seed = 0
    try:
        detector_factory.init_factory()
        detector = detector_factory._factory.create()
        detector.n_trial = 3
        detector.append(sample[:600])
        ranked = detector.get_probabilities()
    except LangDetectException:
        return hint
    if not ranked:
        return hint
    best = ranked[0]
    lang = best.lang if best.lang in ("de", "en") else "other"
    if best.prob >= 0.9 and (len(words) >= 6 or not hint):
        return lang
    if hint:
        return hint
    if de != en and lang == "other":
        return "de" if de > en else "en"
    return lang


def plain_langdetect(text: str) -> str | None:
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        lang = detect(text)
    except LangDetectException:
        return None
    return lang if lang in ("de", "en") else "other"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=3000, help="rows per file (default 3000)")
    args = parser.parse_args()
    posts = load_posts(args.limit)
    if not posts:
        print(f"skipped: {POSTS} not found")
        return 0
    from radar.classify.text import detect_language as classifier_detector
    from radar.textproc import detect_language

    detectors = {"ingest (stop words + n-gram NB)": detect_language, "before (stop words + langdetect)": previous_detector,
                 "langdetect.detect alone": plain_langdetect,
                 "classifier (function words + de/en n-grams)": classifier_detector}
    for fn in detectors.values():  # load the profiles before timing
        fn("Das ist ein kurzer Satz zum Laden der Profile")
        fn("Profile laden bitte sofort")
    print(f"{'file':36s} {'texts':>6s}  " + "  ".join(f"{name:>34s}" for name in detectors))
    totals = {name: [0, 0, 0.0] for name in detectors}
    for name, rows in posts.items():
        cells = []
        for label, fn in detectors.items():
            t = time.process_time()
            right = sum(1 for text, truth in rows if fn(text) == truth)
            spent = time.process_time() - t
            totals[label][0] += right
            totals[label][1] += len(rows)
            totals[label][2] += spent
            cells.append(f"{right / len(rows):7.1%} {spent / len(rows) * 1000:7.3f} ms/text")
        print(f"{name:36s} {len(rows):6d}  " + "  ".join(f"{c:>34s}" for c in cells))
    print(f"{'all':36s} {sum(len(r) for r in posts.values()):6d}  " + "  ".join(
        f"{right / n:7.1%} {spent / n * 1000:7.3f} ms/text".rjust(34) for right, n, spent in totals.values()))
    print("(accuracy, then CPU time per text)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
