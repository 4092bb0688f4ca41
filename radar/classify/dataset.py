"""Training and evaluation examples from the real posts in ``../shared/data/posts``.

Nothing here is copied into the repository: the posts are read from the shared data folder at
training time (several of its files may not be redistributed). Only our own hand labels —
``radar/classify/data/hand_labels.jsonl``, which names a file and a line number and carries no
text — ship with the package.

Labels per source (see README "Classifier"):

- ``reddit_stuttgart_de.labeled.jsonl``: its own hand labels (null = unsure, skipped).
- ``computer_forum_support_de.jsonl``: all support requests.
- ``germeval2017_db_feedback_de.jsonl``: our hand labels; every post that matched the candidate
  filter (a question mark or a request word) was read; the rest are taken as not requests.
- ``germeval2018_tweets_de``, ``germeval2021_comments_de``, ``hotel_review_sentences_de``: not requests
  (hard negatives: opinions, reviews).
- ``reddit_techsupport_en.jsonl``: our hand labels for all of r/buildapc and the "top" listings;
  the "new" listings of the help subreddits are taken as support requests, r/talesfromtechsupport
  as stories (not requests).
- ``softwarerecs_titles_en.jsonl``: recommendation requests (weak; intent from the phrasing) when the
  title itself reads as a request (a question mark or a request phrase: "looking for", "is there",
  "alternative to", ...). Bare noun-phrase titles ("Self-hosted wiki") are requests only by the site
  they were posted on; read alone they look like Hacker News link titles, so they are skipped.
- ``hn_titles_2016_en.jsonl``: our hand labels for ~330 "Ask HN" titles and for the ~2,450 other
  titles with a question mark or a request phrase (142 of them are requests); the remaining titles
  are taken as not requests; unlabelled "Ask HN" titles are skipped.
- ``../wire/reddit_json/bodies`` (``askreddit``): the posts in PRAW's recorded Reddit API responses
  (r/AskReddit listings, a few r/redditdev posts), all hand-labelled (7 requests, 286 not, 22
  unsure; opinion polls such as "What is the best opening scene of a TV show?" are not requests,
  "What is the best free browser game to play?" is). Cross-validated like the German set
  (``train.CV_SOURCE``) and a cross-source fold.
- ``germeval2018_tweets_de``/``germeval2021_comments_de``/``hotel_review_sentences_de``: posts with a
  question mark and a strong request phrase were read and hand-labelled (4 requests in 266).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HAND_LABELS = Path(__file__).parent / "data" / "hand_labels.jsonl"
log = logging.getLogger(__name__)

SOURCES = {
    "stuttgart": "reddit_stuttgart_de.labeled.jsonl",
    "computer_forum": "computer_forum_support_de.jsonl",
    "germeval2017": "germeval2017_db_feedback_de.jsonl",
    "germeval2018": "germeval2018_tweets_de.jsonl",
    "germeval2021": "germeval2021_comments_de.jsonl",
    "hotel": "hotel_review_sentences_de.jsonl",
    "techsupport": "reddit_techsupport_en.jsonl",
    "softwarerecs": "softwarerecs_titles_en.jsonl",
    "hn": "hn_titles_2016_en.jsonl",
    # the r/AskReddit listings (and a few r/redditdev posts) in PRAW's recorded API responses
    "askreddit": "../wire/reddit_json/bodies",
}
POST_FILES = {k: v for k, v in SOURCES.items() if not v.startswith("../")}
"""The sources that are files of ``posts/`` (the others are folders of recorded API responses)."""
SOURCE_LANG = {"stuttgart": None, "computer_forum": "de", "germeval2017": "de", "germeval2018": "de",
               "germeval2021": "de", "hotel": "de", "techsupport": "en", "softwarerecs": "en", "hn": "en",
               "askreddit": "en"}
_HELP_SUBS = {"techsupport", "24hoursupport", "pcgamingtechsupport", "Applehelp", "linux4noobs", "asktechnology"}
# the techsupport file holds each subreddit's "new" listing, then its "top" listing; the second
# block of a subreddit starts at these (1-based) lines and was hand-labelled
_TECHSUPPORT_TOP_FROM = 569


@dataclass
class Example:
    id: str
    title: str
    body: str
    label: int | None
    intent: str | None
    source: str
    lang: str | None
    line: int
    hand: bool = False

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "body": self.body, "label": self.label,
                "intent": self.intent or ("none" if self.label == 0 else None), "lang": self.lang}


def default_data_dir() -> Path:
    """``$RADAR_SHARED_DATA`` or ``<repo>/../shared/data``."""
    env = os.environ.get("RADAR_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def posts_dir(data_dir: str | Path | None = None) -> Path:
    return Path(data_dir or default_data_dir()) / "posts"


def available(data_dir: str | Path | None = None) -> bool:
    d = posts_dir(data_dir)
    return all((d / f).exists() for f in POST_FILES.values())


def hand_labels() -> dict[tuple[str, int | str], dict]:
    """Our hand labels keyed by (file, 1-based line) or, for the recorded API responses, (folder, post id)."""
    out = {}
    with HAND_LABELS.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            out[(r["file"], r["line"] if "line" in r else r["id"])] = r
    return out


def _read(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh, start=1):
            if line.strip():
                yield i, json.loads(line)


_HN_PREFIX = re.compile(r"^(Ask|Show|Tell|Launch) HN\s*[:\-–]\s*", re.IGNORECASE)


def strip_hn_prefix(title: str) -> str:
    """Drop "Ask HN:"/"Show HN:" so the model learns the request, not Hacker News' labels."""
    return _HN_PREFIX.sub("", title)


_REQUEST_FORM = re.compile(
    r"\?|^(looking|searching|seeking|need|needed|want|wanted|is there|are there|which|what|how|where|any|anything|"
    r"recommend|recommendation|suggest|suggestion|alternative|best|good|free|cheap|simple|easy|lightweight)\b"
    r"|\b(looking for|searching for|alternative to|alternatives to|recommend|suggest|is there|"
    r"similar to|like [A-Z]|instead of|replacement for|need|want|wanted|for windows|for linux|for mac|for android|"
    r"vs|versus|or|compared to|comparison)\b",
    re.IGNORECASE)


def reads_as_request(title: str) -> bool:
    """Whether a bare title carries a request form of its own (used for the weak softwarerecs labels)."""
    return bool(_REQUEST_FORM.search(title))


def _softwarerecs_intent(title: str) -> str:
    t = title.lower()
    if re.search(r"\bvs\.?\b|\bversus\b|\bcompared to\b", t):
        return "comparison"
    if re.match(r"(how|is it possible|can i|why)\b", t):
        return "support"
    return "recommendation"


def reddit_posts(folder: Path) -> Iterator[tuple[str, str, str, str]]:
    """``(id, subreddit, title, body)`` of every Reddit post (``kind: t3``) in the recorded API
    responses in ``folder`` (listings, search results, comment pages; a response kept as a JSON
    string inside JSON is read too), each post once, in file-name order."""
    seen: set[str] = set()

    def walk(x):
        if isinstance(x, dict):
            d = x.get("data")
            if x.get("kind") == "t3" and isinstance(d, dict) and "title" in d:
                pid = str(d.get("id") or d["title"])
                if pid not in seen:
                    seen.add(pid)
                    yield pid, str(d.get("subreddit") or ""), d["title"] or "", d.get("selftext") or ""
            for v in x.values():
                yield from walk(v)
        elif isinstance(x, list):
            for v in x:
                yield from walk(v)
        elif isinstance(x, str) and x.startswith("{") and '"kind"' in x[:200]:
            try:
                yield from walk(json.loads(x))
            except ValueError:
                return

    for f in sorted(folder.glob("*.json")):
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except ValueError as exc:  # (UnicodeDecodeError is one too)
            log.warning("training data: skipped %s, it is not JSON (%s); its posts are not trained on", f, exc)
            continue
        yield from walk(data)


def load_source(source: str, data_dir: str | Path | None = None, labels: dict | None = None) -> list[Example]:
    """All usable examples of one source, with labels as described in the module docstring."""
    fname = SOURCES[source]
    path = posts_dir(data_dir) / fname
    labels = hand_labels() if labels is None else labels
    lang = SOURCE_LANG[source]
    out: list[Example] = []
    if source == "askreddit":  # hand-labelled, every post; null = unsure
        if not path.is_dir():
            return out  # the recorded responses are optional: without them these posts are left out
        for n, (pid, _sub, title, body) in enumerate(reddit_posts(path), start=1):
            hl = labels.get((fname, pid))
            if hl is not None and hl["label"] is not None:
                out.append(Example(f"askreddit:{pid}", title, body, hl["label"], hl["intent"], source, lang, n, True))
        return out
    for line, r in _read(path):
        hl = labels.get((fname, line))
        title, body = r.get("title") or "", r.get("body") or r.get("text") or ""
        ex_id = str(r.get("id", f"{source}:{line}"))
        if source == "stuttgart":
            if r.get("label") is None:
                continue
            out.append(Example(ex_id, title, body, int(r["label"]), r.get("intent"), source, r.get("lang"), line, True))
            continue
        if hl is not None:
            if hl["label"] is None:
                continue
            if source == "hn":
                title = strip_hn_prefix(title)
            out.append(Example(ex_id, title, body, hl["label"], hl["intent"], source, lang, line, True))
            continue
        if source == "computer_forum":
            out.append(Example(ex_id, "", body, 1, "support", source, lang, line))
        elif source in ("germeval2017", "germeval2018", "germeval2021", "hotel"):
            out.append(Example(ex_id, "", body, 0, "none", source, lang, line))
        elif source == "techsupport":
            sub = r.get("subreddit")
            if sub == "talesfromtechsupport":
                out.append(Example(ex_id, "", body, 0, "none", source, lang, line))
            elif sub in _HELP_SUBS and line < _TECHSUPPORT_TOP_FROM and len(body.strip()) > 25 and "/resolved" not in body:
                out.append(Example(ex_id, "", body, 1, "support", source, lang, line))
        elif source == "softwarerecs":
            if not reads_as_request(title):
                continue  # a bare noun phrase: a request only by where it was posted
            out.append(Example(ex_id, title, "", 1, _softwarerecs_intent(title), source, lang, line))
        elif source == "hn":
            if title.startswith("Ask HN"):
                continue  # unlabelled Ask HN: unsure
            out.append(Example(ex_id, strip_hn_prefix(title), "", 0, "none", source, lang, line))
    return out


def load_all(data_dir: str | Path | None = None, sources: list[str] | None = None) -> list[Example]:
    labels = hand_labels()
    out: list[Example] = []
    for s in sources or list(SOURCES):
        out.extend(load_source(s, data_dir, labels))
    return out
