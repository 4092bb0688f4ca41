"""Structured logs: one line per event, ``key=value`` pairs, to stderr and optionally a rotating file.

A line looks like::

    2026-05-04T09:12:03.412Z level=INFO logger=radar.service event=crawl.finished source=hn-ask run=812 pid=4711 status=ok items_new=7 seconds=3.2

Log an event with :func:`event`; plain ``log.info("text")`` calls still come out as one line
(``msg="text"``). Values with spaces, quotes or ``=`` are double-quoted; newlines (tracebacks) are
escaped so that every event stays on one line and ``grep source=hn-ask`` finds all of a source.
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
from typing import Any

from radar.config import Config

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
_HANDLER_MARK = "_radar_handler"


def _quote(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    if text == "" or any(c in text for c in ' "=\n\r\t'):
        text = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'
    return text


class KeyValueFormatter(logging.Formatter):
    """``<UTC time> level=… logger=… event=… k=v … msg="…"`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        ts = dt.datetime.fromtimestamp(record.created, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        parts = [ts, f"level={record.levelname}", f"logger={record.name}"]
        fields = {k: v for k, v in vars(record).items() if k not in _RESERVED and not k.startswith("_")}
        event_name = fields.pop("event", None)
        if event_name:
            parts.append(f"event={_quote(event_name)}")
        for key, value in fields.items():
            if value is not None:
                parts.append(f"{key}={_quote(value)}")
        message = record.getMessage()
        if message and message != event_name:
            parts.append(f"msg={_quote(message)}")
        if record.exc_info:
            parts.append(f"exc={_quote(self.formatException(record.exc_info))}")
        return " ".join(parts)


def event(logger: logging.Logger, name: str, level: int = logging.INFO, message: str = "", exc_info: Any = None, **fields: Any) -> None:
    """Log one event: ``event(log, "crawl.started", source="hn-ask", pid=4711)``."""
    clean = {k if k not in _RESERVED else f"{k}_": v for k, v in fields.items()}
    logger.log(level, message or name, extra={"event": name, **clean}, exc_info=exc_info)


def setup_logging(cfg: Config, stream: Any = None) -> None:
    """Send ``radar.*`` (and APScheduler's) records as key=value lines to stderr and, when
    ``[logging] file`` is set, to that file under data_dir, rotated at ``max_bytes`` keeping ``backups``."""
    settings = cfg.settings.logging
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
            handler.close()
    formatter = KeyValueFormatter()
    handlers: list[logging.Handler] = [logging.StreamHandler(stream)]
    if settings.file:
        from pathlib import Path

        path = Path(settings.file).expanduser()
        path = path if path.is_absolute() else cfg.data_dir / path
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(path, maxBytes=settings.max_bytes, backupCount=settings.backups, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
        setattr(handler, _HANDLER_MARK, True)
        root.addHandler(handler)
    root.setLevel(settings.level)
    # APScheduler logs every job start at INFO; our own events say more.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(settings.level)))
