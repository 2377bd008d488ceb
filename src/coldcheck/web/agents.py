"""A short description of the browser behind a request ("Firefox on Android"), kept with the
session at sign-in so that its owner can tell their sessions apart (ASVS 7.5.2).

Only the description is kept, never the whole User-Agent header: it is enough to recognise
one's phone or laptop, and it is less of a fingerprint. The header is whatever the client says,
so the description is a hint, never evidence.
"""

from __future__ import annotations

import re

MAX_DESCRIPTION = 60

# First match wins: several browsers also name the engines they are built on.
_BROWSERS = (
    ("SamsungBrowser/", "Samsung Internet"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("FxiOS/", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)
_PRODUCT = re.compile(r"[A-Za-z][A-Za-z0-9._-]{0,39}")  # a program's name: "curl", "python-httpx"


def describe(user_agent: str | None) -> str:
    """The browser and its system (Chrome on Android, Safari on iPhone), a program's name
    (curl), or Unknown browser."""
    text = (user_agent or "").strip()
    browser = next((name for mark, name in _BROWSERS if mark in text), None)
    system = next((name for mark, name in _SYSTEMS if mark in text), None)
    if browser is None and not text.startswith("Mozilla/"):
        product = _PRODUCT.match(text)
        browser = product.group(0) if product else None
    if browser is None:
        browser = "Unknown browser"
    described = f"{browser} on {system}" if system else browser
    return described[:MAX_DESCRIPTION]
