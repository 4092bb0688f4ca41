"""The Sources page (admin): health of every source, enable/disable, check now."""

from __future__ import annotations

import datetime as dt

import pytest
from dashboard_seed import login, seed_users, texts
from sqlalchemy import select

from radar.db import get_sessionmaker
from radar.models import CrawlRun, Source, utcnow

pytestmark = pytest.mark.usefixtures("config_dir")


@pytest.fixture
def sources(db_url):
    now = utcnow()
    with get_sessionmaker(db_url).begin() as s:
        seed_users(s)
        ok = Source(name="forum-de", kind="feed", settings={}, interval_seconds=1800, last_run_at=now - dt.timedelta(minutes=10),
                    last_status="ok", items_total=120)
        bad = Source(name="reddit-x", kind="reddit", settings={}, interval_seconds=3600, last_run_at=now - dt.timedelta(hours=2),
                     last_status="failed", error_streak=3, last_error="HTTP 429 <b>Too Many Requests</b>")
        s.add_all([ok, bad])
        s.flush()
        s.add_all([
            CrawlRun(source_id=ok.id, started_at=now - dt.timedelta(hours=3), finished_at=now - dt.timedelta(hours=3), status="ok", items_new=7),
            CrawlRun(source_id=ok.id, started_at=now - dt.timedelta(minutes=10), finished_at=now - dt.timedelta(minutes=9), status="ok", items_new=4, pages=2),
            CrawlRun(source_id=bad.id, started_at=now - dt.timedelta(hours=2), status="failed", errors=["HTTP 429"]),
        ])


def test_health_table(sources):
    at = login("ada")
    at.switch_page("app_pages/sources.py").run()
    assert not at.exception
    df = at.dataframe[0].value.set_index("name")
    assert df.loc["forum-de", "last_run_new"] == 4 and df.loc["forum-de", "new_24h"] == 11
    assert df.loc["reddit-x", "error_streak"] == 3 and "429" in df.loc["reddit-x", "last_error"]
    assert df.loc["forum-de", "next_run_at"] is not None and bool(df.loc["forum-de", "next_run_estimated"])
    assert "The service has never run here" in at.warning[0].value
    assert {"escalate"} <= set(at.dataframe[-1].value["name"])  # the service's periodic jobs
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Failing"] == "1" and metrics["New items (24 h)"] == "11"


def test_disable_and_enable(sources, db_url):
    at = login("ada")
    at.switch_page("app_pages/sources.py").run()
    at.selectbox(key="sources_pick").select("reddit-x").run()
    at.button(key="sources_disable").click().run()
    assert not at.exception and "reddit-x disabled" in texts(at)
    with get_sessionmaker(db_url).begin() as s:
        assert s.scalars(select(Source.enabled).where(Source.name == "reddit-x")).one() is False
    at.button(key="sources_enable").click().run()
    with get_sessionmaker(db_url).begin() as s:
        assert s.scalars(select(Source.enabled).where(Source.name == "reddit-x")).one() is True


@pytest.fixture
def feed_server():
    """A local HTTP server with a real recorded Atom feed (GitHub releases of gulp, 10 entries)."""
    import functools
    import http.server
    import threading
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "wire" / "rss_atom" / "real_sites"
    if not (folder / "gulp-atom.atom").exists():
        pytest.skip(f"recorded feeds not found in {folder} (../shared/data is not shipped)")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_check_now_runs_sources_check(sources, feed_server, db_url):
    with get_sessionmaker(db_url).begin() as s:
        s.scalars(select(Source).where(Source.name == "forum-de")).one().settings = {"url": f"{feed_server}/gulp-atom.atom"}
    at = login("ada")
    at.switch_page("app_pages/sources.py").run()
    at.button(key="sources_check").click().run(timeout=180)
    assert not at.exception
    assert "finished with exit code 0" in texts(at), texts(at)
    out = "\n".join(c.value for c in at.code)
    assert "forum-de: 10 items, 10 would be stored" in out


def test_only_admin_sees_sources(sources):
    at = login("carl")  # a consultant's navigation has no Sources page at all
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/sources.py")
