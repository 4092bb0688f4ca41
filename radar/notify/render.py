"""Composing e-mails: one :class:`Mail` with a plain-text and an HTML part.

Text from the web is hostile: every value that goes into HTML passes :func:`esc`, and links from
posts are only made clickable when they are http(s) (:func:`safe_href`). Templates are plain
Python so that escaping is visible at every call site; the HTML uses inline styles, as mail
clients ignore style sheets.
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

BUTTON_STYLE = ("display:inline-block;padding:6px 12px;margin:2px 4px 2px 0;border-radius:4px;"
                "background:#1f6feb;color:#ffffff;text-decoration:none;font-size:13px")


@dataclass
class Mail:
    """A composed e-mail, ready for :func:`radar.notify.mailer.enqueue_email`."""

    to: str
    subject: str
    text: str
    html: str
    kind: str = "notice"
    user_id: int | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)


def esc(value: Any) -> str:
    """HTML-escape anything (quotes too, so it is safe inside attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def safe_href(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) address, else None (no javascript:, data:, ...)."""
    if not url:
        return None
    parts = urlsplit(str(url).strip())
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return str(url).strip()
    return None


def one_line(text: str | None, width: int = 300) -> str:
    """Whitespace collapsed and shortened to ``width`` characters (for snippets)."""
    flat = " ".join((text or "").split())
    return textwrap.shorten(flat, width=width, placeholder=" …") if flat else ""


def link(url: str | None, label: str) -> str:
    href = safe_href(url)
    return f'<a href="{esc(href)}">{esc(label)}</a>' if href else esc(label)


def button(url: str, label: str) -> str:
    return f'<a href="{esc(url)}" style="{BUTTON_STYLE}">{esc(label)}</a>'


def page(title: str, body_html: str, footer: str) -> str:
    """The HTML document around a mail body."""
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title></head>"
        "<body style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1f2328;max-width:680px\">"
        f"<h2 style=\"font-size:18px\">{esc(title)}</h2>{body_html}"
        f"<p style=\"color:#656d76;font-size:12px;margin-top:24px\">{esc(footer)}</p></body></html>\n"
    )


def footer_text(instance: str, why: str) -> str:
    return f"{instance} · {why}"
