"""The always-on service: `radar run` starts the dashboard beside the scheduler and stops
both on Ctrl-C / SIGTERM."""

from __future__ import annotations

import logging
import signal
import subprocess
import threading

from radar.config import Config
from radar.processes import dashboard_command

log = logging.getLogger("radar.service")


def run_service(cfg: Config, with_dashboard: bool = True, stop: threading.Event | None = None) -> int:
    """Run until SIGTERM/SIGINT (or ``stop`` is set); return the exit code."""
    stop = stop or threading.Event()
    child: subprocess.Popen | None = None

    def _signal(signum, _frame):
        log.info("signal %s: shutting down", signal.Signals(signum).name)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _signal)
        signal.signal(signal.SIGINT, _signal)
    if with_dashboard:
        child = subprocess.Popen(dashboard_command(cfg))
        log.info("dashboard started (pid %s) on http://%s:%s", child.pid, cfg.settings.dashboard.address, cfg.settings.dashboard.port)
    try:
        while not stop.wait(1.0):
            if child is not None and child.poll() is not None:
                log.error("dashboard exited with %s; stopping", child.returncode)
                return 1
        return 0
    finally:
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
