"""Standard Webhooks signatures (https://www.standardwebhooks.com/, spec "Signature scheme").

The signed content is ``"{webhook-id}.{webhook-timestamp}.{body}"``; the signature is
``v1,<base64 HMAC-SHA256>``. A secret ``whsec_<base64>`` is base64-decoded to its key bytes,
any other secret is used as its UTF-8 bytes. The ``webhook-signature`` header may carry several
space-separated signatures (key rotation); one valid ``v1`` signature is enough.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time

DEFAULT_TOLERANCE = 5 * 60  # seconds a timestamp may differ from now (replay protection)


class SignatureError(Exception):
    """A webhook signature does not verify; ``str()`` says why."""


def secret_bytes(secret: str) -> bytes:
    """The HMAC key of ``secret``: ``whsec_`` + base64 is decoded, anything else is UTF-8.

    Example: ``secret_bytes("whsec_c2VjcmV0") == b"secret"``
    """
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except (binascii.Error, ValueError):
            raise SignatureError("the secret starts with 'whsec_' but the rest is not valid base64") from None
    return secret.encode("utf-8")


def sign(secret: str, msg_id: str, timestamp: int | str, body: bytes) -> str:
    """The ``webhook-signature`` header value for one message.

    Example: ``sign("whsec_...", "evt_1", 1700000000, b'{"type":"lead.created"}')`` -> ``"v1,..."``
    """
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def verify(secret: str, msg_id: str, timestamp: int | str, body: bytes, signature_header: str,
           tolerance: float | None = DEFAULT_TOLERANCE, now: float | None = None) -> None:
    """Raise :class:`SignatureError` unless ``signature_header`` holds a valid ``v1`` signature
    and (when ``tolerance`` is not None) the timestamp is within ``tolerance`` seconds of now.

    Example: ``verify(secret, headers["webhook-id"], headers["webhook-timestamp"], body, headers["webhook-signature"])``
    """
    try:
        ts = int(str(timestamp).strip())
    except ValueError:
        raise SignatureError(f"webhook-timestamp {timestamp!r} is not an integer (seconds since 1970)") from None
    if tolerance is not None:
        current = time.time() if now is None else now
        if abs(current - ts) > tolerance:
            raise SignatureError(f"webhook-timestamp {ts} is more than {tolerance:.0f}s away from now ({current:.0f}); "
                                 "a replayed or delayed message, or a wrong clock")
    expected = sign(secret, msg_id, ts, body).split(",", 1)[1]
    versions = []
    for part in signature_header.split():
        version, _, value = part.partition(",")
        versions.append(version)
        if version == "v1" and hmac.compare_digest(value.encode(), expected.encode()):
            return
    if "v1" not in versions:
        raise SignatureError("no 'v1,<base64>' signature in the webhook-signature header")
    raise SignatureError("signature does not match: check the secret, and that the body is verified byte for byte as received")
