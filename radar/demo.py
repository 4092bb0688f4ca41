"""`radar demo`: a first look without internet or accounts.

A replay HTTP server on 127.0.0.1 serves real recorded content (``tests/fixtures``): real posts as
RSS 2.0 feeds (new ones "arrive" every few seconds) and the recorded API responses of Hacker News,
Discourse, Mastodon and Reddit. A separate demo instance (its own folder, database and config, its
sources' ``base_url`` pointing at the replay server) with demo partners and users runs the real
service: scheduler, crawl subprocesses, periodic jobs, dashboard.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import threading
import time
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
DEMO_POSTS = FIXTURES / "demo"
WIRE = FIXTURES / "wire"

FEEDS = {
    # feed name: (file, language)
    "computerhilfe": ("computer_forum_support_de.jsonl", "de"),
    "techsupport": ("reddit_techsupport_en.sample.jsonl", "en"),
    "softwarerecs": ("softwarerecs_titles_en.sample.jsonl", "en"),
}
FIRST_BATCH = 12       # posts in a feed at start
ARRIVAL_SECONDS = 20   # then one more post per feed this often

# kind → (path prefix on the replay server, [(substring of the request path, fixture file)]); first match wins
RECORDED = {
    "hackernews": ("/hn", [("", "hackernews/algolia_search__query_url_medium_ssh__extracted_from_shazow_communal.json")]),
    "discourse": ("/discourse", [("/t/", "discourse/topic.json"), ("search", "discourse/search.json"),
                                 ("/c/", "discourse/category_latest_topics.json"), ("", "discourse/latest.json")]),
    "mastodon": ("/mastodon", [("", "mastodon/statuses.json")]),
    "reddit": ("/reddit", [("", "reddit/reddit_search.json_q_url__extracted_from_shazow_communal.json")]),
}

DEMO_USERS = [
    # username, password, role, partner
    ("admin", "demo-admin", "admin", None),
    ("berater", "demo-berater", "consultant", None),
    ("marketing", "demo-marketing", "marketing", None),
    ("nordit", "demo-partner", "partner", "NordIT Systemhaus GmbH"),
]


def load_posts(name: str) -> list[dict[str, Any]]:
    """A feed's posts as ``{id, title, text, link}``, in file order."""
    file, _ = FEEDS[name]
    posts = []
    for i, line in enumerate((DEMO_POSTS / file).read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            continue
        row = json.loads(line)
        text = (row.get("text") or row.get("body") or "").strip()
        title = (row.get("title") or text.split(". ")[0].split("? ")[0])[:110].strip()
        ident = str(row.get("id") or row.get("idx") or i)
        posts.append({"id": f"{name}-{ident}".replace(":", "-"), "title": title or f"Post {i}",
                      "text": text or row.get("title", ""), "link": row.get("link")})
    return posts


def rss(name: str, posts: list[dict[str, Any]], base: str, now: dt.datetime) -> bytes:
    """An RSS 2.0 document with ``posts`` (newest first), published a minute apart up to ``now``."""
    items = []
    for i, post in enumerate(reversed(posts)):
        link = post["link"] or f"{base}/posts/{post['id']}"
        when = email.utils.format_datetime(now - dt.timedelta(minutes=i))
        items.append(
            f"<item><title>{escape(post['title'])}</title><link>{escape(link)}</link>"
            f"<guid isPermaLink=\"false\">{escape(post['id'])}</guid><pubDate>{when}</pubDate>"
            f"<description>{escape(post['text'])}</description></item>")
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Demo: {name}</title>'
            f"<link>{base}/feeds/{name}.xml</link><description>Real posts replayed for the Business Radar demo</description>"
            + "".join(items) + "</channel></rss>").encode("utf-8")


class ReplayServer:
    """The demo's local web: ``/feeds/<name>.xml`` and the recorded API responses under
    ``/hn``, ``/discourse``, ``/mastodon``, ``/reddit``; ``/robots.txt`` allows everything."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.started = time.monotonic()
        self.posts = {name: load_posts(name) for name in FEEDS}
        self.hits: dict[str, int] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                status, ctype, body = outer.respond(self.path)
                outer.hits[self.path.split("?")[0]] = outer.hits.get(self.path.split("?")[0], 0) + 1
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="demo-replay", daemon=True)

    def start(self) -> "ReplayServer":
        self.thread.start()
        return self

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def visible(self, name: str) -> list[dict[str, Any]]:
        """The posts a feed shows now: a first batch, then one more every ARRIVAL_SECONDS."""
        n = FIRST_BATCH + int((time.monotonic() - self.started) // ARRIVAL_SECONDS)
        return self.posts[name][:n]

    def respond(self, raw_path: str) -> tuple[int, str, bytes]:
        path = raw_path.split("?")[0]
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nAllow: /\n"
        if path.startswith("/feeds/") and path.endswith(".xml"):
            name = path.removeprefix("/feeds/").removesuffix(".xml")
            if name in self.posts:
                return 200, "application/rss+xml; charset=utf-8", rss(name, self.visible(name), self.url, dt.datetime.now(dt.timezone.utc))
        if path.startswith("/posts/"):
            return 200, "text/html; charset=utf-8", b"<html><body>Demo post; the feed carries its text.</body></html>"
        for prefix, rules in RECORDED.values():
            if path == prefix or path.startswith(prefix + "/"):
                for needle, file in rules:
                    if needle in path and (WIRE / file).exists():
                        return 200, "application/json; charset=utf-8", (WIRE / file).read_bytes()
        return 404, "text/plain", b"not found"


# --------------------------------------------------------------------------- the demo instance
RADAR_TOML = """# The demo instance (written by `radar demo`; rewritten at every start).
[general]
instance_name = "Business Radar (demo)"
public_url = "http://{address}:{port}"

[scheduler]
jitter_seconds = 3
misfire_grace = "5m"
shutdown_grace = "15s"
classify_interval = "10s"
escalation_interval = "20s"
export_interval = "30s"
resync_interval = "10s"

[crawl]
download_delay = 0
autothrottle = false
crawl_timeout = "2m"
max_pages = 2

[leads]
auto_lead_min_score = 55
offer_min_score = 30

[notify]
enabled = false

[dashboard]
address = "{address}"
port = {port}

[logging]
file = "radar.log"
"""

PERSONAS_TOML = """# Demo persona: small firms that need IT help.
[[personas]]
name = "it-help-small-business"
title = "Small firm looking for IT help"
languages = ["de", "en"]

[[personas.criteria]]
name = "IT need"
type = "keywords"
values = [
  { terms = ["virus", "trojan", "trojaner", "windows", "treiber", "driver", "wlan", "wifi", "netzwerk", "network", "server", "backup"], points = 60 },
  { terms = ["software", "erp", "crm", "database", "datenbank", "app"], points = 40 },
]

[[personas.criteria]]
name = "asks for help"
type = "keywords"
values = [
  { terms = ["hilfe", "help", "recommend", "empfehlen", "was nun", "any ideas", "what should i"], points = 40 },
]
"""

PARTNERS_TOML = """# Demo partners: a distributor with two resellers and an agency.
[[partners]]
name = "Demo Distribution AG"
type = "distributor"
level = "gold"
level_weight = 1.5
regions = ["DE", "AT", "CH"]
skills = ["it-support", "software", "security"]
capacity_per_week = 20

[[partners]]
name = "NordIT Systemhaus GmbH"
type = "reseller"
parent = "Demo Distribution AG"
level = "silver"
regions = ["DE"]
skills = ["it-support", "security", "network"]
certifications = ["Microsoft Partner"]
capacity_per_week = 5
users = [{ username = "nordit", email = "vertrieb@nordit.example", display_name = "NordIT Vertrieb" }]

[[partners]]
name = "Alpen Software Consulting"
type = "reseller"
parent = "Demo Distribution AG"
regions = ["AT", "CH"]
skills = ["software", "erp", "database"]
capacity_per_week = 3

[[partners]]
name = "Bright Web Agency"
type = "agency"
regions = ["DE", "EN"]
skills = ["web", "software"]
capacity_per_week = 4
"""


def sources_toml(base: str, available: dict[str, bool]) -> str:
    parts = ["# Demo sources: every base_url points at the local replay server.\n"]
    for name, (_, lang) in FEEDS.items():
        parts.append(f'[[sources]]\nname = "demo-{name}"\nkind = "feed"\nbase_url = "{base}"\nurl = "/feeds/{name}.xml"\n'
                     f'interval = "1m"\nlanguage = "{lang}"\nnote = "real posts replayed as RSS"\n\n')
    extra = {
        "hackernews": 'kind = "hackernews"\ntags = "story"\nquery = "ssh"\n',
        "discourse": 'kind = "discourse"\n',
        "mastodon": 'kind = "mastodon"\ntag = "followerpower"\n',
        "reddit": 'kind = "reddit"\nsubreddit = "smallbusiness"\nquery = "url"\n',
    }
    for kind, (prefix, _) in RECORDED.items():
        if available.get(kind):
            parts.append(f'[[sources]]\nname = "demo-{kind}"\n{extra[kind]}base_url = "{base}{prefix}"\ninterval = "2m"\n'
                         f'note = "recorded {kind} responses"\n\n')
    return "".join(parts)


def write_instance(folder: Path, replay_url: str, address: str, port: int) -> Path:
    """Write (or rewrite) the demo's config folder; returns it."""
    cfg_dir = folder / "config"
    cfg_dir.mkdir(parents=True, exist_ok=True)
    available = {kind: all((WIRE / f).exists() for _, f in rules[:1]) for kind, (_, rules) in RECORDED.items()}
    (cfg_dir / "radar.toml").write_text(RADAR_TOML.format(address=address, port=port), encoding="utf-8")
    (cfg_dir / "sources.toml").write_text(sources_toml(replay_url, available), encoding="utf-8")
    (cfg_dir / "personas.toml").write_text(PERSONAS_TOML, encoding="utf-8")
    (cfg_dir / "partners.toml").write_text(PARTNERS_TOML, encoding="utf-8")
    return cfg_dir


def prepare(folder: Path, replay_url: str, address: str = "127.0.0.1", port: int = 8501):
    """Config, schema, sources/personas/partners and demo users; returns the loaded Config."""
    from sqlalchemy import select

    from radar import migrate
    from radar.auth import create_user, set_password
    from radar.config import load_config
    from radar.db import session_scope
    from radar.models import User
    from radar.sync import sync_all

    cfg = load_config(write_instance(folder, replay_url, address, port))
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(cfg.database_url)
    with session_scope(cfg.database_url) as s:
        sync_all(s, cfg)
        for username, password, role, partner in DEMO_USERS:
            if s.scalar(select(User).where(User.username == username)) is None:
                create_user(s, username, password, role, partner=partner)
            else:
                set_password(s, username, password)
    return cfg
