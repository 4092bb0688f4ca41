"""Dates as forums and feeds write them, to aware UTC."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from zoneinfo import ZoneInfo

_GERMAN_MONTHS = {
    "januar": "January", "jänner": "January", "jan.": "Jan", "februar": "February", "feb.": "Feb",
    "märz": "March", "mär.": "Mar", "mär": "Mar", "maerz": "March", "april": "April", "apr.": "Apr",
    "mai": "May", "juni": "June", "jun.": "Jun", "juli": "July", "jul.": "Jul", "august": "August",
    "aug.": "Aug", "september": "September", "sept.": "Sep", "sep.": "Sep", "oktober": "October",
    "okt.": "Oct", "okt": "Oct", "november": "November", "nov.": "Nov", "dezember": "December",
    "dez.": "Dec", "dez": "Dec",
}
_RELATIVE_DAYS = {"heute": 0, "today": 0, "gestern": 1, "yesterday": 1, "vorgestern": 2}
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_AGO = re.compile(r"(?:vor\s+)?(\d+)\s*(sekunden?|minuten?|stunden?|tagen?|seconds?|minutes?|hours?|days?|min|std|h|d)\b(?:\s+ago)?", re.I)
_RFC822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")
_AGO_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "t": 86400}


def _to_utc(value: dt.datetime, tz: str) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(dt.timezone.utc)


def parse_date(value: str | None, tz: str = "UTC", now: dt.datetime | None = None) -> dt.datetime | None:
    """Aware UTC from the many ways a page writes a time; ``None`` when it is not a date.

    Example: ``parse_date("24.11.2025, 13:47", "Europe/Berlin")`` → 2025-11-24 12:47 UTC.
    """
    if not value:
        return None
    text = " ".join(str(value).split())
    if not text:
        return None
    now = now or dt.datetime.now(dt.timezone.utc)
    try:
        return _to_utc(dt.datetime.fromisoformat(text.replace("Z", "+00:00")), tz)
    except ValueError:
        pass
    if _RFC822.match(text):
        try:
            return _to_utc(email.utils.parsedate_to_datetime(text), tz)
        except (TypeError, ValueError, IndexError):
            pass
    lower = text.lower()
    for word, days in _RELATIVE_DAYS.items():
        if word in lower:
            local_now = now.astimezone(ZoneInfo(tz))
            day = (local_now - dt.timedelta(days=days)).date()
            m = _TIME.search(lower)
            t = dt.time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)) if m else dt.time(0, 0)
            return _to_utc(dt.datetime.combine(day, t), tz)
    m = _AGO.search(lower)
    if m and ("vor" in lower or "ago" in lower):
        seconds = int(m.group(1)) * _AGO_UNITS.get(m.group(2)[0].lower(), 60)
        return now - dt.timedelta(seconds=seconds)
    for german, english in _GERMAN_MONTHS.items():
        if german in lower:
            lower = re.sub(rf"(?<![a-zäöü]){re.escape(german)}(?![a-zäöü])", english, lower)
    lower = re.sub(r"\b(um|uhr|am|at|on)\b", " ", lower)
    from dateutil import parser as dateparser

    try:
        parsed = dateparser.parse(lower, dayfirst=True, fuzzy=True)
    except (ValueError, OverflowError, TypeError):
        return None
    return _to_utc(parsed, tz)
