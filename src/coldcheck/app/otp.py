"""Second-factor codes, as pure functions: TOTP (RFC 6238) and single-use recovery codes.

- TOTP: HMAC-SHA-1, 6 digits, a new code every 30 seconds, the code of the step before and
  after also accepted (a phone's clock a little off, a code typed as it changes). The secret is
  160 bits (RFC 4226's recommendation) from the OS's CSPRNG, in unpadded base32 (32
  characters), the form authenticator apps take. pyotp computes and compares the codes (in
  constant time); which step a code matched is returned, so the caller can refuse a code whose
  step is not newer than the last one accepted (a replay).
- Recovery codes: 10 per account, each 120 random bits from the OS's CSPRNG, written as 24
  base32 characters in groups of 4 (``ABCD-EFGH-...``). They are shown once and stored only as
  SHA-256: a fast hash suffices, since 120 random bits cannot be found by guessing (ASVS
  6.5.2). Typed with or without the dashes and spaces, in either case.

Nothing here reads the clock, the store or the environment: times come in as arguments.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from datetime import datetime

import pyotp
from pyotp.exceptions import OTPVerificationError

TOTP_DIGITS = 6
TOTP_PERIOD = 30  # seconds per step
TOTP_WINDOW = 1  # steps accepted either side of the current one
SECRET_BYTES = 20  # 160 bits
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_BYTES = 15  # 120 bits: 24 base32 characters
ISSUER = "coldcheck"

_DIGITS = re.compile(r"[0-9]{6}", re.ASCII)
_SEPARATORS = re.compile(r"[\s\-]+")
_BASE32 = re.compile(r"[A-Z2-7]{24}", re.ASCII)


def _base32(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def grouped(text: str, separator: str = " ", size: int = 4) -> str:
    """``text`` in groups of ``size`` characters, for reading and typing."""
    return separator.join(text[i : i + size] for i in range(0, len(text), size))


# -- TOTP ------------------------------------------------------------------------------------


def new_secret() -> str:
    """A new TOTP secret: 160 bits from the OS's CSPRNG, as 32 base32 characters."""
    return _base32(secrets.token_bytes(SECRET_BYTES))


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD)


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app reads from the QR code."""
    return _totp(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def step_at(moment: datetime) -> int:
    """The RFC 6238 time step of ``moment`` (Unix time // 30)."""
    return int(moment.timestamp()) // TOTP_PERIOD


def code_at(secret: str, moment: datetime) -> str:
    """The code an authenticator app shows at ``moment`` (for tests and demonstrations)."""
    return _totp(secret).at(moment)


def totp_code(typed: str) -> str | None:
    """The 6 digits of a typed TOTP code (``123 456`` and ``123-456`` too), or None when it is
    not one (it may be a recovery code)."""
    compact = _SEPARATORS.sub("", typed)
    return compact if _DIGITS.fullmatch(compact) else None


def matching_step(secret: str, code: str, moment: datetime) -> int | None:
    """The time step within the window around ``moment`` whose code is ``code``, or None."""
    try:
        return _totp(secret).verify_and_get_timecode(
            code, for_time=moment, valid_window=TOTP_WINDOW
        )
    except OTPVerificationError:
        return None


# -- recovery codes --------------------------------------------------------------------------


def new_recovery_codes() -> list[str]:
    """RECOVERY_CODE_COUNT new codes, each 120 bits from the OS's CSPRNG, as shown to people."""
    return [
        grouped(_base32(secrets.token_bytes(RECOVERY_CODE_BYTES)), "-")
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def recovery_code(typed: str) -> str | None:
    """A typed recovery code in its stored form (24 base32 capitals, no separators), or None
    when it cannot be one."""
    compact = _SEPARATORS.sub("", typed).upper()
    return compact if _BASE32.fullmatch(compact) else None


def recovery_hash(code: str) -> str:
    """What the store keeps of a recovery code: SHA-256 hex of its stored form."""
    normal = recovery_code(code)
    if normal is None:
        raise ValueError("not a recovery code")
    return hashlib.sha256(normal.encode("ascii")).hexdigest()
