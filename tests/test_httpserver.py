"""The replay server itself: sequences, conditional GET, hangs, robots, request log."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

import pytest

from httpserver import Reply, wire


def _get(url: str, headers: dict | None = None, timeout: float = 5):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_sequence_then_last_repeats(replay_server):
    replay_server.route("/api", Reply(status=500), Reply(status=429, headers={"Retry-After": "1"}), Reply(body={"ok": 1}))
    codes = [_get(replay_server.url("/api"))[0] for _ in range(4)]
    assert codes == [500, 429, 200, 200]
    assert replay_server.hits("/api") == 4


def test_query_route_beats_path_route(replay_server):
    replay_server.route("/s", body=b"plain").route("/s?page=2", body=b"second")
    assert _get(replay_server.url("/s?page=2"))[2] == b"second"
    assert _get(replay_server.url("/s?page=3"))[2] == b"plain"


def test_conditional_get_answers_304(replay_server):
    replay_server.route("/f", body=b"x", etag='"v1"', last_modified="Mon, 24 Nov 2025 10:00:00 GMT")
    status, headers, _ = _get(replay_server.url("/f"))
    assert status == 200 and headers["ETag"] == '"v1"'
    assert _get(replay_server.url("/f"), {"If-None-Match": '"v1"'})[0] == 304
    assert _get(replay_server.url("/f"), {"If-None-Match": '"v0"'})[0] == 200
    assert _get(replay_server.url("/f"), {"If-Modified-Since": "Mon, 24 Nov 2025 10:00:00 GMT"})[0] == 304
    assert replay_server.requests_for("/f")[1].headers["if-none-match"] == '"v1"'


def test_unknown_path_404_and_robots(replay_server):
    assert _get(replay_server.url("/nothing"))[0] == 404
    replay_server.robots("User-agent: *\nDisallow: /private\n")
    assert b"Disallow" in _get(replay_server.url("/robots.txt"))[2]


def test_hanging_reply_times_out_client(replay_server):
    replay_server.route("/hang", delay=60)
    with pytest.raises((socket.timeout, TimeoutError, urllib.error.URLError)):
        _get(replay_server.url("/hang"), timeout=0.5)


def test_wire_file_served_byte_for_byte(replay_server):
    path = wire("rss_atom/real_sites/narro.rss")
    if not path.exists():
        pytest.skip("../shared/data/wire is not available")
    replay_server.file("/narro.rss", path)
    status, headers, body = _get(replay_server.url("/narro.rss"))
    assert status == 200 and body == path.read_bytes() and headers["Content-Type"] == "application/rss+xml"
