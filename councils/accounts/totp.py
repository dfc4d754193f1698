"""Time-based one-time codes (RFC 6238) for the optional second factor."""

from __future__ import annotations

import hashlib

import pyotp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.cache import cache

from councils.accounts.models import User

# A code stays usable for this long after its 30-second step, so a clock a
# little behind still works, and is remembered that long to refuse replays.
VALID_WINDOW = 1
REPLAY_SECONDS = 120


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(*, user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=settings.COUNCILS_SITE_NAME)


def qr_svg(uri: str) -> str:
    """An inline SVG of the QR code, so no image is fetched from anywhere."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg: str = image.to_string(encoding="unicode")
    return svg


def _clean(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


def verify(*, secret: str, code: str, user_key: str) -> bool:
    """Accept a current code once: a code already used is refused, so a watched code cannot be replayed."""
    code = _clean(code)
    if not secret or len(code) != 6 or not pyotp.TOTP(secret).verify(code, valid_window=VALID_WINDOW):
        return False
    key = "totp-used:" + hashlib.sha256(f"{user_key}:{code}".encode()).hexdigest()[:40]
    return bool(cache.add(key, True, REPLAY_SECONDS))


def verify_user(*, user: User, code: str) -> bool:
    return user.has_totp and verify(secret=user.totp_secret, code=code, user_key=str(user.uuid))
