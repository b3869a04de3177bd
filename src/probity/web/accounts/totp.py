"""TOTP devices (django-otp): enrolment, the otpauth URI, and codes from a secret."""

from __future__ import annotations

import base64
import io
import time
from typing import Any

from django_otp.oath import TOTP

__all__ = ["device_secret", "otpauth_qr_svg", "totp_code", "totp_device_reset",
           "totp_device_pending", "confirmed_device_exists"]


def device_secret(device: Any) -> str:
    """The device's key in the base32 form an authenticator app takes by hand."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The 6-digit code for a base32 secret at time `at` (now by default)."""
    padded = secret.strip().upper() + "=" * (-len(secret.strip()) % 8)
    totp = TOTP(base64.b32decode(padded), step=30, t0=0, digits=6)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def confirmed_device_exists(*, user: Any) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_pending(*, user: Any) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    """The user's unconfirmed enrolment device (created on first call, same key after)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def totp_device_reset(*, user: Any, name: str = "authenticator") -> Any:
    """Replace every TOTP device of the user with one new, confirmed device (demo set-up or an
    administrator's reset after a lost phone; the user must then be given the new secret)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=name, confirmed=True)


def otpauth_qr_svg(uri: str) -> str:
    """An SVG QR code of the otpauth URI, as a data: URI for an <img> (no inline markup)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")
