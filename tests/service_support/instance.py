"""A throw-away instance for service tests: config folder with short intervals, sources pointing
at a :class:`PostServer`, the database synced, the test crawl command set."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from radar.config import load_config
from radar.db import session_scope
from radar.sync import sync_all

FAKE_CRAWL = Path(__file__).with_name("fake_crawl.py")
REPO = Path(__file__).resolve().parents[2]

SETTINGS = """
[scheduler]
jitter_seconds = 0
misfire_grace = "1h"
shutdown_grace = "{shutdown_grace}"
lock_timeout = "4s"
resync_interval = "1s"
classify_interval = "1s"
purge_interval = "2s"

[crawl]
crawl_timeout = "{crawl_timeout}"

[logging]
level = "DEBUG"
"""


def write_instance(folder: Path, db_url: str, sources: dict[str, tuple[str, str]], *, crawl_timeout: str = "60s",
                   shutdown_grace: str = "8s", extra: str = "") -> Path:
    """``sources``: name → (url, interval). Returns the config folder (synced into ``db_url``)."""
    cfg_dir = folder / "config"
    cfg_dir.mkdir(parents=True, exist_ok=True)
    (cfg_dir / "radar.toml").write_text(SETTINGS.format(crawl_timeout=crawl_timeout, shutdown_grace=shutdown_grace) + extra)
    write_sources(cfg_dir, sources)
    sync(cfg_dir, db_url)
    return cfg_dir


def write_sources(cfg_dir: Path, sources: dict[str, tuple[str, str]]) -> None:
    text = "".join(f'[[sources]]\nname = "{n}"\nkind = "feed"\nurl = "{u}"\ninterval = "{i}"\n\n' for n, (u, i) in sources.items())
    (cfg_dir / "sources.toml").write_text(text)


def sync(cfg_dir: Path, db_url: str) -> None:
    with session_scope(db_url) as s:
        sync_all(s, load_config(cfg_dir))


def service_env(cfg_dir: Path, db_url: str) -> dict[str, str]:
    """Environment for a `radar run` subprocess on this instance."""
    return {**os.environ, "RADAR_CONFIG": str(cfg_dir), "RADAR_DATABASE_URL": db_url,
            "RADAR_TEST_MIN_INTERVAL": "1", "RADAR_CRAWL_COMMAND": f"{sys.executable} {FAKE_CRAWL} --source {{source}}",
            "PYTHONPATH": str(REPO)}
