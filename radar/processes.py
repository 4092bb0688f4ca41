"""Child processes the service starts (the dashboard)."""

from __future__ import annotations

import sys
from pathlib import Path

from radar.config import Config

DASHBOARD_APP = Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py"


def dashboard_command(cfg: Config, port: int | None = None) -> list[str]:
    """argv that runs the Streamlit dashboard with this instance's config."""
    return [
        sys.executable, "-m", "streamlit", "run", str(DASHBOARD_APP),
        "--server.address", cfg.settings.dashboard.address,
        "--server.port", str(port or cfg.settings.dashboard.port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--client.toolbarMode", "viewer",  # no developer menu ("Deploy", "Rerun") for users
    ]
