"""A tiny HTTP server on 127.0.0.1 (port 0) answering the test crawl: ``/<name>`` gives the JSON
set with :meth:`PostServer.set`; ``hang=True`` never answers (until the server stops)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class PostServer:
    def __init__(self) -> None:
        self.routes: dict[str, dict] = {}
        self.hits: dict[str, int] = {}
        self._release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                name = self.path.strip("/")
                outer.hits[name] = outer.hits.get(name, 0) + 1
                route = outer.routes.get(name)
                if route is None:
                    self.send_error(404)
                    return
                if route.get("hang"):
                    outer._release.wait()
                    return
                body = json.dumps(route).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def set(self, name: str, posts: int = 0, delay: float = 0.0, crash: bool = False, hang: bool = False, prefix: str = "") -> list[dict]:
        items = [{"id": f"{prefix}{name}-{i}", "title": f"Post {i} of {name}", "body": f"Body {i} of {name} " + "x" * 200}
                 for i in range(posts)]
        self.routes[name] = {"posts": items, "delay": delay, "crash": crash, "hang": hang}
        return items

    def close(self) -> None:
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
