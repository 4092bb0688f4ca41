"""Spiders: fetch and parse only. Each yields :class:`MentionItem` and follow-up Requests and
never opens the database. ``SPIDERS`` maps a source kind to its spider class as a
``"module:Class"`` string (imported on demand, so one broken spider cannot break the others)."""

from __future__ import annotations

import importlib

SPIDERS: dict[str, str] = {
    "feed": "radar.spiders.feed:FeedSpider",
    "forum": "radar.spiders.forum:ForumSpider",
    "reddit": "radar.spiders.reddit:RedditSpider",
    "hackernews": "radar.spiders.hackernews:HackerNewsSpider",
    "stackexchange": "radar.spiders.stackexchange:StackExchangeSpider",
    "discourse": "radar.spiders.discourse:DiscourseSpider",
    "mastodon": "radar.spiders.mastodon:MastodonSpider",
}


def spider_class(kind: str) -> type:
    """The spider class for a source kind. Raises ``KeyError`` naming the known kinds."""
    try:
        target = SPIDERS[kind]
    except KeyError:
        raise KeyError(f"no spider for source kind {kind!r}; known kinds: {', '.join(sorted(SPIDERS))}") from None
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)
