"""A local replay HTTP server for tests: real sockets on 127.0.0.1 (port 0), real HTTP, recorded
bodies from ``../shared/data/wire``.

Usage (the ``replay_server`` fixture in conftest.py gives a started server)::

    def test_feed(replay_server):
        replay_server.route("/feed.xml", Reply(body=wire("rss_atom/real_sites/narro.rss"),
                                                content_type="application/rss+xml", etag='"v1"'))
        replay_server.route("/api", Reply(status=500), Reply(body=b"{}"))  # 500, then 200 forever
        replay_server.route("/slow", Reply(delay=30))                       # hangs (until stop)
        replay_server.robots("User-agent: *\\nDisallow: /private\\n")
        url = replay_server.url("/feed.xml")
        ...
        assert replay_server.hits("/api") == 2
        assert replay_server.requests[0].headers["user-agent"].startswith("BusinessRadarBot")

A route is a path, optionally with its query string (``/search.json?q=x``); a request matches the
route with its exact path and query first, then the route with its path alone. Each route holds a
sequence of replies: every request takes the next one, and the last one repeats. A reply with an
``etag`` or ``last_modified`` answers 304 to a request carrying a matching ``If-None-Match`` /
``If-Modified-Since``. Unknown paths answer 404 (so robots.txt allows everything unless set).
"""

from __future__ import annotations

import email.utils
import gzip as gzip_module
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

WIRE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "wire"


def wire(relative: str) -> Path:
    """Path of a recorded response under ``../shared/data/wire`` (tests skip when it is absent)."""
    return WIRE / relative


@dataclass
class Reply:
    """One canned response.

    ``body``: bytes, str (UTF-8 encoded), a Path (read when served) or a dict/list (sent as JSON).
    ``delay``: seconds to wait before answering (a hung server: a large value; the wait ends when
    the server stops). ``trickle``: seconds between 1 KiB chunks of the body (a slow server).
    ``gzip``: send the body gzip-encoded with ``Content-Encoding: gzip``.
    """

    status: int = 200
    body: bytes | str | Path | dict | list = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    trickle: float = 0.0
    gzip: bool = False

    def payload(self) -> bytes:
        body = self.body
        if isinstance(body, Path):
            return body.read_bytes()
        if isinstance(body, (dict, list)):
            return json.dumps(body).encode()
        if isinstance(body, str):
            return body.encode("utf-8")
        return body

    def guessed_type(self) -> str:
        if self.content_type:
            return self.content_type
        if isinstance(self.body, (dict, list)):
            return "application/json"
        name = str(self.body) if isinstance(self.body, Path) else ""
        for suffix, ctype in ((".json", "application/json"), (".rss", "application/rss+xml"), (".atom", "application/atom+xml"),
                              (".xml", "application/xml"), (".html", "text/html; charset=utf-8"), (".txt", "text/plain")):
            if name.endswith(suffix):
                return ctype
        return "application/octet-stream" if self.status == 200 and name else "text/html; charset=utf-8"


@dataclass
class RecordedRequest:
    method: str
    path: str  # path with query
    headers: dict[str, str]  # lower-case names
    at: float

    @property
    def route_path(self) -> str:
        return urlsplit(self.path).path


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.0"

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve()

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._serve()

    def _serve(self, head: bool = False) -> None:
        replay: ReplayServer = self.server.replay
        headers = {k.lower(): v for k, v in self.headers.items()}
        replay._log(RecordedRequest(self.command, self.path, headers, time.time()))
        reply = replay._next_reply(self.path)
        if reply is None:
            reply = Reply(status=404, body=b"not found", content_type="text/plain")
        if reply.delay and replay._stopping.wait(reply.delay):
            return  # server stopping: drop the connection
        if self._not_modified(reply, headers):
            self.send_response(304)
            if reply.etag:
                self.send_header("ETag", reply.etag)
            if reply.last_modified:
                self.send_header("Last-Modified", reply.last_modified)
            self.end_headers()
            return
        payload = reply.payload()
        if reply.gzip:
            payload = gzip_module.compress(payload)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.guessed_type())
            self.send_header("Content-Length", str(len(payload)))
            if reply.gzip:
                self.send_header("Content-Encoding", "gzip")
            if reply.etag:
                self.send_header("ETag", reply.etag)
            if reply.last_modified:
                self.send_header("Last-Modified", reply.last_modified)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if head:
                return
            if reply.trickle:
                for start in range(0, len(payload), 1024):
                    if replay._stopping.wait(reply.trickle):
                        return
                    self.wfile.write(payload[start:start + 1024])
                    self.wfile.flush()
            else:
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeouts, size limits): that is what some tests want

    @staticmethod
    def _not_modified(reply: Reply, headers: dict[str, str]) -> bool:
        if reply.status != 200:
            return False
        inm = headers.get("if-none-match")
        if reply.etag and inm:
            return reply.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = headers.get("if-modified-since")
        if reply.last_modified and ims:
            try:
                return email.utils.parsedate_to_datetime(ims) >= email.utils.parsedate_to_datetime(reply.last_modified)
            except (TypeError, ValueError):
                return False
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    replay: "ReplayServer"


class ReplayServer:
    """The server. ``start()``/``stop()`` or use it as a context manager."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._routes: dict[str, list[Reply]] = {}
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.requests: list[RecordedRequest] = []
        self._httpd = _Server((host, 0), _Handler)
        self._httpd.replay = self
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "ReplayServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> "ReplayServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses
    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # ------------------------------------------------------------------ routes
    def route(self, path: str, *replies: Reply, **reply_fields: Any) -> "ReplayServer":
        """Set the replies of ``path`` (replacing earlier ones). ``route(p, status=500)`` is
        short for ``route(p, Reply(status=500))``. Returns the server, for chaining."""
        if reply_fields:
            if replies:
                raise TypeError("give Reply objects or Reply fields, not both")
            replies = (Reply(**reply_fields),)
        if not replies:
            raise TypeError("a route needs at least one reply")
        with self._lock:
            self._routes[path] = list(replies)
            self._served[path] = 0
        return self

    def file(self, path: str, source: Path | str, **reply_fields: Any) -> "ReplayServer":
        """Serve a recorded file (a Path, or a path relative to ``../shared/data/wire``)."""
        source = Path(source) if isinstance(source, Path) or Path(str(source)).is_absolute() else wire(str(source))
        return self.route(path, Reply(body=source, **reply_fields))

    def robots(self, text: str) -> "ReplayServer":
        return self.route("/robots.txt", Reply(body=text, content_type="text/plain"))

    def redirect(self, path: str, to: str, status: int = 302) -> "ReplayServer":
        return self.route(path, Reply(status=status, headers={"Location": to}, body=b""))

    def _next_reply(self, raw_path: str) -> Reply | None:
        with self._lock:
            key = raw_path if raw_path in self._routes else urlsplit(raw_path).path
            replies = self._routes.get(key)
            if not replies:
                return None
            index = min(self._served[key], len(replies) - 1)
            self._served[key] += 1
            return replies[index]

    # ------------------------------------------------------------------ request log
    def _log(self, rec: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(rec)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        """Requests whose path (without query) is ``path``, or whose path+query is ``path``."""
        with self._lock:
            return [r for r in self.requests if r.path == path or r.route_path == path]

    def hits(self, path: str) -> int:
        return len(self.requests_for(path))

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()
