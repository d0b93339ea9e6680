"""The address the hall scans: ``IR_PUBLIC_URL``, else this machine's LAN address; and its QR code.

Never taken from the request's ``Host`` header (forgeable, and every distinct value would be another cached
QR code). A loopback address cannot be reached from a phone: the console and the big screen then warn.
"""

from __future__ import annotations

import io
import ipaddress
import socket
from dataclasses import dataclass
from functools import cache, lru_cache

SETTING = "IR_PUBLIC_URL"


@dataclass(frozen=True)
class AudienceAddress:
    url: str
    """Full URL of the audience page, e.g. ``http://192.168.1.20:8501/integration/live``."""
    loopback: bool
    """True when phones cannot reach it (127.0.0.1, localhost)."""


@cache
def lan_address() -> str:
    """The address other machines reach this one at (no packet is sent); loopback if there is no network."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only selects the outgoing interface
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def audience_address(public_url: str | None, port: int, base_path: str) -> AudienceAddress:
    """From the configured public URL (which already contains any base path), else LAN address and port."""
    if public_url:
        host = public_url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
        return AudienceAddress(f"{public_url}/live", _is_loopback(host))
    host = lan_address()
    return AudienceAddress(f"http://{host}:{port}{base_path}/live", _is_loopback(host))


@lru_cache(maxsize=8)
def qr_svg(url: str) -> bytes:
    """QR code (SVG) of ``url``; a handful of URLs at most (configured or derived), so a small cache."""
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=10, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue()
