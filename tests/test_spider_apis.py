"""The five API spiders together: registered for their kinds, and every default source of
these kinds in config/sources.toml builds a first request on the real service (the settings keys
the spiders read are the keys SourceConfig defines)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from apikit import start_requests
from radar.config import SourceConfig, load_config
from radar.spiders import spider_class
from radar.sync import _SOURCE_COMMON

ROOT = Path(__file__).resolve().parents[1]
API_KINDS = {
    "reddit": "RedditSpider",
    "hackernews": "HackerNewsSpider",
    "stackexchange": "StackExchangeSpider",
    "discourse": "DiscourseSpider",
    "mastodon": "MastodonSpider",
}
HOSTS = {
    "reddit": "www.reddit.com",
    "hackernews": "hn.algolia.com",
    "stackexchange": "api.stackexchange.com",
}


@pytest.mark.parametrize("kind", sorted(API_KINDS))
def test_kind_is_registered(kind):
    cls = spider_class(kind)
    assert cls.__name__ == API_KINDS[kind] and cls.name == kind


def default_api_sources() -> list[SourceConfig]:
    return [s for s in load_config(ROOT / "config").sources if s.kind in API_KINDS]


def test_defaults_cover_every_api_kind():
    assert {s.kind for s in default_api_sources()} == set(API_KINDS)


@pytest.mark.parametrize("sc", default_api_sources(), ids=lambda s: s.name)
def test_default_source_builds_its_first_request(sc):
    settings = sc.model_dump(exclude=_SOURCE_COMMON)
    spider = spider_class(sc.kind)(source={"name": sc.name, "kind": sc.kind, "settings": settings, "cursor": {}})
    requests = start_requests(spider)
    assert len(requests) == 1, spider.errors
    url = urlsplit(requests[0].url)
    assert url.scheme == "https"
    if sc.kind in HOSTS:
        assert url.netloc == HOSTS[sc.kind]
    else:
        assert requests[0].url.startswith(sc.base_url)
    query = parse_qs(url.query, keep_blank_values=True)
    if sc.kind == "reddit" and sc.client_id:
        assert url.path == "/api/v1/access_token"
    elif sc.kind == "reddit":
        assert url.path == f"/r/{sc.subreddit}/{'search' if sc.query else 'new'}.json"
    elif sc.kind == "hackernews":
        assert query["tags"] == [sc.tags or "story"]
    elif sc.kind == "stackexchange":
        assert query["site"] == [sc.site] and query["filter"] == ["withbody"]
    elif sc.kind == "discourse":
        assert url.path == (f"/c/{sc.category}/l/latest.json" if sc.category else "/latest.json")
    elif sc.kind == "mastodon":
        assert url.path == f"/api/v1/timelines/tag/{sc.tag}"


def test_spiders_read_only_keys_sourceconfig_defines():
    """Every settings key a spider reads is a SourceConfig field, so a user can set it."""
    import re

    fields = set(SourceConfig.model_fields)
    for kind in API_KINDS:
        module = spider_class(kind).__module__
        text = Path(__import__(module, fromlist=["x"]).__file__).read_text(encoding="utf-8")
        keys = set(re.findall(r'self\.setting\("(\w+)"', text)) | set(re.findall(r'self\.source_settings\.get\("(\w+)"', text))
        assert keys, kind
        assert keys <= fields, f"{kind} reads {sorted(keys - fields)} which SourceConfig does not define"
