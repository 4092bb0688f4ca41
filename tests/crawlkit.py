"""Helpers for crawl tests: a config folder whose sources point at the replay server, with
politeness turned down to test speed (no delays, short timeouts, tiny backoff).

    cfg = make_config(tmp_path, db_url, [{"name": "f", "kind": "feed", "url": server.url("/feed.xml")}])
    result = run_crawl(cfg, "f")
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from radar.config import Config, load_config

FAST_CRAWL = {
    "contact_url": "https://radar.test/bot",
    "download_delay": 0.0,
    "autothrottle": False,
    "download_timeout": 3.0,
    "retry_times": 2,
    "retry_backoff": 0.05,
    "max_retry_after": 5.0,
    "crawl_timeout": "60s",
    "concurrent_requests_per_domain": 4,
}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def write_config(folder: Path, db_url: str, sources: list[dict[str, Any]], crawl: dict[str, Any] | None = None,
                 retention_days: int | None = None) -> Path:
    """Write radar.toml and sources.toml into ``folder`` (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = {**FAST_CRAWL, **(crawl or {})}
    lines = ["[general]", 'data_dir = "data"', "", "[database]", f"url = {_toml_value(db_url)}", "", "[crawl]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in settings.items()]
    if retention_days is not None:
        lines += ["", "[retention]", f"days = {retention_days}"]
    (folder / "radar.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = []
    for src in sources:
        src = {"interval": "15m", **src}
        out.append("[[sources]]")
        out += [f"{k} = {_toml_value(v)}" for k, v in src.items()]
        out.append("")
    (folder / "sources.toml").write_text("\n".join(out), encoding="utf-8")
    return folder


def make_config(tmp_path: Path, db_url: str, sources: list[dict[str, Any]], crawl: dict[str, Any] | None = None, **kw: Any) -> Config:
    """A loaded :class:`Config` for these sources (see :func:`write_config`)."""
    return load_config(write_config(tmp_path / "config", db_url, sources, crawl, **kw))
