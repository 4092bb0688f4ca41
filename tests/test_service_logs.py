"""Structured logs and the service's settings."""

from __future__ import annotations

import io
import logging

import pytest

from radar.config import ConfigError, load_config
from radar.logs import event, setup_logging


def _cfg(tmp_path, radar_toml: str = "", sources_toml: str = ""):
    folder = tmp_path / "config"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "radar.toml").write_text(radar_toml)
    (folder / "sources.toml").write_text(sources_toml)
    return load_config(folder)


def test_one_line_per_event_with_key_values(tmp_path):
    cfg = _cfg(tmp_path)
    stream = io.StringIO()
    setup_logging(cfg, stream=stream)
    log = logging.getLogger("radar.service")
    event(log, "crawl.finished", source="hn ask", run=12, status="ok", error=None)
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        event(log, "crawl.error", logging.ERROR, source="x", exc_info=True)
    log.info('plain "message"')
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3
    assert "level=INFO logger=radar.service event=crawl.finished source=\"hn ask\" run=12 status=ok" in lines[0]
    assert "error=" not in lines[0]  # None fields are left out
    assert "event=crawl.error source=x exc=\"Traceback" in lines[1] and "ValueError: bad\\nthing" in lines[1]
    assert lines[2].endswith('msg="plain \\"message\\""')


def test_log_file_is_rotated(tmp_path):
    cfg = _cfg(tmp_path, '[logging]\nfile = "logs/radar.log"\nmax_bytes = 2000\nbackups = 2\n')
    setup_logging(cfg, stream=io.StringIO())
    log = logging.getLogger("radar.service")
    for i in range(100):
        event(log, "tick", n=i, pad="x" * 50)
    folder = cfg.data_dir / "logs"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["radar.log", "radar.log.1", "radar.log.2"]
    assert all(p.stat().st_size <= 2000 for p in folder.iterdir())
    assert "event=tick n=99" in (folder / "radar.log").read_text()
    setup_logging(_cfg(tmp_path / "other"), stream=io.StringIO())  # detach the file handler


def test_source_interval_below_60s_only_with_the_test_override(tmp_path, monkeypatch):
    sources = '[[sources]]\nname = "x"\nkind = "feed"\nurl = "http://127.0.0.1/x"\ninterval = "5s"\n'
    monkeypatch.delenv("RADAR_TEST_MIN_INTERVAL", raising=False)
    with pytest.raises(ConfigError) as err:
        _cfg(tmp_path, sources_toml=sources)
    assert "at least 60 seconds" in str(err.value)
    monkeypatch.setenv("RADAR_TEST_MIN_INTERVAL", "1")
    assert _cfg(tmp_path, sources_toml=sources).sources[0].interval_seconds == 5


def test_crawl_command_default_and_override(tmp_path, monkeypatch):
    import sys

    from radar.service import crawl_command

    cfg = _cfg(tmp_path)
    monkeypatch.delenv("RADAR_CRAWL_COMMAND", raising=False)
    assert crawl_command(cfg, "hn-ask") == [sys.executable, "-m", "radar.crawl", "--source", "hn-ask"]
    monkeypatch.setenv("RADAR_CRAWL_COMMAND", "{python} /x/fake.py --source {source}")
    assert crawl_command(cfg, "a b") == [sys.executable, "/x/fake.py", "--source", "a b"]
