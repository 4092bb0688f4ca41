"""The one item type every spider yields."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class MentionItem:
    """One public post as a spider saw it, before cleaning.

    ``body`` is raw: ``body_format`` says whether it is HTML, Markdown or plain text; the clean
    pipeline turns it into plain text with paragraphs. ``published_at`` is timezone-aware UTC.
    ``extra`` carries kind-specific facts worth keeping (``kind``: post/comment, ``score``,
    ``tags``, ``parent_id``, ``site``…), never profile data about the author.

    The pipelines fill the last three fields (spiders leave them alone): ``canonical_url``,
    ``content_hash`` and the SimHash ``simhash`` of the cleaned text.
    """

    source: str | None = None
    external_id: str | None = None
    url: str | None = None
    title: str = ""
    body: str = ""
    body_format: str = "html"
    author: str | None = None
    published_at: dt.datetime | None = None
    language: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    canonical_url: str = ""
    content_hash: str = ""
    simhash: int | None = None
