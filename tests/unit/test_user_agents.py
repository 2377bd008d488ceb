"""The short browser descriptions kept with each session, for its owner's list (ASVS 7.5.2)."""

from __future__ import annotations

import pytest

from coldcheck.web.agents import MAX_DESCRIPTION, describe


@pytest.mark.parametrize(
    ("header", "described"),
    [
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox on Linux",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-X910) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/25.0 Chrome/121.0.0.0 Safari/537.36",
            "Samsung Internet on Android",
        ),
        ("curl/8.5.0", "curl"),
        ("python-httpx/0.28.1", "python-httpx"),
        ("", "Unknown browser"),
        (None, "Unknown browser"),
        ("<script>alert(1)</script>", "Unknown browser"),
    ],
)
def test_a_browser_is_described_by_its_name_and_system(header: str | None, described: str) -> None:
    assert describe(header) == described


def test_a_description_is_short_whatever_the_header() -> None:
    assert len(describe("x" * 5000)) <= MAX_DESCRIPTION
    assert len(describe("Mozilla/5.0 " + "Android " * 500)) <= MAX_DESCRIPTION
