"""Device ids of the phones: a random id in a signed (HMAC-SHA256), httponly cookie.

``GET /live`` issues the cookie; a vote without a valid signature is refused. The key is the setting
``device_secret`` (``IR_DEVICE_SECRET``); unset, a random key per start (shared through Redis when several
processes serve ``/live``). Made-up or copied-and-edited ids fail the signature check.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

COOKIE = "ir_device"
MAX_AGE = 60 * 60 * 24 * 2
"""Two days: long enough for a conference, short enough not to follow anyone around."""
_FORMAT = re.compile(r"^([A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{22})$")


class DeviceKeys:
    def __init__(self, secret: str):
        self._key = secret.encode("utf-8")

    def _sign(self, device_id: str) -> str:
        digest = hmac.new(self._key, device_id.encode("ascii"), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self) -> str:
        """A new cookie value ``<id>.<signature>``."""
        device_id = secrets.token_urlsafe(18)
        return f"{device_id}.{self._sign(device_id)}"

    def verify(self, value: str | None) -> str | None:
        """The device id of a correctly signed cookie value, else None."""
        match = _FORMAT.match(value or "")
        if match is None:
            return None
        device_id, signature = match.groups()
        return device_id if hmac.compare_digest(signature, self._sign(device_id)) else None
