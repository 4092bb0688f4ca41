"""A small phpBB-style German computer-help forum served by the replay server, built from real
posts (../shared/data/posts/computer_forum_support_de.jsonl, CC BY-SA 3.0, Zeller & Padó 2013)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from httpserver import Reply, ReplayServer

POSTS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "posts" / "computer_forum_support_de.jsonl"
PER_PAGE = 5

SELECTORS = {
    "thread_link": "ul.topiclist a.topictitle::attr(href)",
    "title": "h2.topic-title::text",
    "body": "div.postbody div.content",
    "author": "xpath://p[@class='author']//a[@class='username']/text()",
    "date": "p.author time",
    "next_page": "li.next a",
}


def load_posts() -> list[dict]:
    return [json.loads(line) for line in POSTS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _title(text: str) -> str:
    words = text.replace("Hallo", "").split()
    return " ".join(words[:7]).strip(" ,.!") or "Frage"


def listing_page(threads: list[tuple[int, str]], page: int, pages: int) -> str:
    items = "\n".join(
        f'<li class="row"><dl><dt><a href="./viewtopic.php?t={tid}&amp;sid=0123abcd" class="topictitle">{html.escape(title)}</a>'
        f'</dt><dd class="posts">3</dd></dl></li>' for tid, title in threads
    )
    nxt = f'<li class="next"><a href="./viewforum.php?f=7&amp;start={page * PER_PAGE}" rel="next">Nächste</a></li>' if page < pages else ""
    return (f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Hardware-Hilfe - Seite {page}</title>'
            f'<script>var x = "<a class=topictitle href=/nope>";</script></head><body><div class="forumbg"><ul class="topiclist">{items}</ul></div>'
            f'<div class="pagination"><ul>{nxt}</ul></div></body></html>')


def thread_page(tid: int, title: str, text: str, author: str, iso: str) -> str:
    cut = text.find(" ", len(text) // 2)
    paras = [text[:cut], text[cut + 1:]] if cut > 0 else [text]
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paras if p)
    return (f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<style>.content {{ color: red }}</style></head><body>'
            f'<h2 class="topic-title">{html.escape(title)}</h2>'
            f'<div id="p{tid}" class="post"><div class="postbody">'
            f'<p class="author">von <a class="username" href="./memberlist.php?u={tid}">{html.escape(author)}</a> » '
            f'<time datetime="{iso}">{iso[8:10]}.{iso[5:7]}.{iso[:4]}</time></p>'
            f'<div class="content">{body}<script>track()</script></div></div></div>'
            f'<div class="post reply"><div class="postbody"><div class="content"><p>Antwort: Treiber neu installieren.</p></div></div></div>'
            f'</body></html>')


def serve_forum(server: ReplayServer, count: int = 12) -> list[dict]:
    """Routes for listing pages and ``count`` threads; returns the expected mentions."""
    posts = load_posts()[:count]
    threads = []
    for i, post in enumerate(posts):
        tid = 1000 + i
        title = _title(post["text"])
        iso = f"2025-11-{(i % 28) + 1:02d}T{8 + i % 10:02d}:15:00+00:00"
        author = f"nutzer{i}"
        server.route(f"/forum/viewtopic.php?t={tid}&sid=0123abcd", Reply(body=thread_page(tid, title, post["text"], author, iso), content_type="text/html; charset=utf-8"))
        threads.append({"tid": tid, "title": title, "text": post["text"], "author": author, "published": iso})
    pages = (len(threads) + PER_PAGE - 1) // PER_PAGE
    for page in range(1, pages + 1):
        chunk = [(t["tid"], t["title"]) for t in threads[(page - 1) * PER_PAGE: page * PER_PAGE]]
        body = listing_page(chunk, page, pages)
        path = "/forum/viewforum.php?f=7" + ("" if page == 1 else f"&start={(page - 1) * PER_PAGE}")
        server.route(path, Reply(body=body, content_type="text/html; charset=utf-8"))
    return threads
