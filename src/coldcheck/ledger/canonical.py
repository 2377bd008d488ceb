"""RFC 8785 (JSON Canonicalization Scheme) encoding of ledger values.

Ledger values are JSON objects whose keys are ASCII and whose numbers are integers (the format
forbids floats, see docs/ledger.md). For such values the JCS output equals what the standard
library's encoder produces with sorted keys, no whitespace and no ASCII escaping, which is about
five times faster than the general encoder; a property test (tests/unit/test_canonical.py)
checks that both agree. Anything outside that subset is handed to the ``rfc8785`` reference
implementation, or refused when the ledger format does not allow it.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from coldcheck.ledger.errors import EncodingError

_MAX_SAFE_INT = 2**53 - 1
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
)


def dumps(value: Any) -> bytes:
    """Encode ``value`` as RFC 8785 canonical JSON (UTF-8 bytes).

    Raises EncodingError for floats, non-string keys, non-ASCII keys, integers outside the
    I-JSON safe range and values JSON cannot hold.
    """
    _check(value)
    return _ENCODER.encode(value).encode("utf-8")


def reference_dumps(value: Any) -> bytes:
    """Encode with the general RFC 8785 implementation (used by tests and for comparison)."""
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise EncodingError(f"value cannot be canonicalised: {exc}") from exc


def loads(data: bytes) -> Any:
    """Decode canonical JSON bytes; raise EncodingError if they are not exactly canonical."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise EncodingError(f"not valid JSON: {exc}") from exc
    if dumps(value) != data:
        raise EncodingError("not in RFC 8785 canonical form")
    return value


def _check(value: Any) -> None:
    # Iterative walk: entries are small, but a hostile import must not blow the stack.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) or item is None or isinstance(item, bool):
            continue
        if isinstance(item, int):
            if not -_MAX_SAFE_INT <= item <= _MAX_SAFE_INT:
                raise EncodingError(f"integer {item} is outside the I-JSON safe range")
            continue
        if isinstance(item, dict):
            for key, sub in item.items():
                if not isinstance(key, str) or not key.isascii():
                    raise EncodingError(f"object key {key!r} is not an ASCII string")
                stack.append(sub)
            continue
        if isinstance(item, list | tuple):
            stack.extend(item)
            continue
        if isinstance(item, float):
            raise EncodingError("floats are not allowed in ledger values; use integers or strings")
        raise EncodingError(f"a {type(item).__name__} cannot be stored in the ledger")
