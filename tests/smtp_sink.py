"""A real local SMTP server for tests (aiosmtpd on 127.0.0.1, ephemeral port) that keeps the
parsed messages."""

from __future__ import annotations

import email
import threading
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller


class _Controller(Controller):
    def _trigger_server(self):
        if self.port == 0:  # learn the ephemeral port before the readiness probe
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpSink:
    """``answer(n)`` may return an SMTP reply (e.g. "451 try later") for the n-th DATA, else 250."""

    def __init__(self, port: int = 0, answer: Callable[[int], str | None] | None = None):
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.answer = answer
        self._n = 0
        self._lock = threading.Lock()
        self.controller = _Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self._n += 1
            reply = self.answer(self._n) if self.answer else None
            if reply:
                return reply
            self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content, policy=default))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def start(self) -> "SmtpSink":
        self.controller.start()
        return self

    @property
    def port(self) -> int:
        return self.controller.port

    def stop(self) -> None:
        self.controller.stop()


def parts(msg: EmailMessage) -> tuple[str, str]:
    """(plain text, HTML) of a message."""
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    return (text.get_content() if text else ""), (html.get_content() if html else "")
