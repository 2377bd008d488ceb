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
from collections.abc import Callable
from typing import Any

import rfc8785

from coldcheck.ledger.errors import EncodingError

_MAX_SAFE_INT = 2**53 - 1
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
)


def _one_shot_encoder() -> Callable[[Any], str]:
    """``_ENCODER.encode``, minus the per-call setup: the C encoder that ``encode`` would build
    on every call (same arguments), built once. Falls back to ``_ENCODER.encode`` where the C
    accelerator is missing. Circular values need no check here: ``_check`` has walked the value."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return _ENCODER.encode
    encode = make(
        None,  # markers: no circular check (see above)
        _ENCODER.default,
        json.encoder.encode_basestring,  # what JSONEncoder uses when ensure_ascii is False
        None,  # indent
        _ENCODER.key_separator,
        _ENCODER.item_separator,
        _ENCODER.sort_keys,
        _ENCODER.skipkeys,
        _ENCODER.allow_nan,
    )

    def one_shot(value: Any) -> str:
        return "".join(encode(value, 0))

    return one_shot


_ENCODE = _one_shot_encoder()


def dumps(value: Any) -> bytes:
    """Encode ``value`` as RFC 8785 canonical JSON (UTF-8 bytes).

    Raises EncodingError for floats, non-string keys, non-ASCII keys, integers outside the
    I-JSON safe range and values JSON cannot hold.
    """
    _check(value)
    try:
        return _ENCODE(value).encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate, e.g. undecodable bytes from argv
        raise EncodingError("text must be valid Unicode (it holds a lone surrogate)") from exc


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


_LEAVES = frozenset({str, bool, type(None)})


def _check(value: Any) -> None:
    # Iterative walk: entries are small, but a hostile import must not blow the stack.
    # Exact built-in types take the fast branches; anything else (subclasses such as StrEnum,
    # floats, foreign objects) goes through ``_check_other``, which applies the same rules.
    stack = [value]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind in _LEAVES:
            continue
        if kind is int:
            if not -_MAX_SAFE_INT <= item <= _MAX_SAFE_INT:
                raise EncodingError(f"integer {item} is outside the I-JSON safe range")
        elif kind is dict:
            for key, sub in item.items():
                if type(key) is not str or not key.isascii():
                    _check_key(key)
                if type(sub) is not str:
                    push(sub)
        elif kind is list or kind is tuple:
            extend(item)
        else:
            _check_other(item, stack)


def _check_key(key: Any) -> None:
    if not isinstance(key, str) or not key.isascii():
        raise EncodingError(f"object key {key!r} is not an ASCII string")


def _check_other(item: Any, stack: list[Any]) -> None:
    if isinstance(item, str) or item is None or isinstance(item, bool):
        return
    if isinstance(item, int):
        if not -_MAX_SAFE_INT <= item <= _MAX_SAFE_INT:
            raise EncodingError(f"integer {item} is outside the I-JSON safe range")
        return
    if isinstance(item, dict):
        for key, sub in item.items():
            _check_key(key)
            stack.append(sub)
        return
    if isinstance(item, list | tuple):
        stack.extend(item)
        return
    if isinstance(item, float):
        raise EncodingError("floats are not allowed in ledger values; use integers or strings")
    raise EncodingError(f"a {type(item).__name__} cannot be stored in the ledger")
