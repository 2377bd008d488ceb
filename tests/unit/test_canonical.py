"""RFC 8785 (JCS) canonical JSON: the RFC's own examples, and the fast encoder against the
reference implementation.

``canonical.dumps`` is the ledger's encoder: it handles the float-free subset the ledger format
allows (ASCII keys, integers in the I-JSON range) and refuses everything else.
``canonical.reference_dumps`` is the general RFC 8785 implementation (the ``rfc8785`` package).
"""

from __future__ import annotations

import json
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coldcheck.ledger import canonical
from coldcheck.ledger.errors import EncodingError

MAX_SAFE = 2**53 - 1

# RFC 8785 §3.2.2: the sample object, as JSON text (whitespace and escapes as in the RFC).
RFC_SAMPLE = r"""{
  "numbers": [333333333.33333329, 1E30, 4.50,
              2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}"""
# ... and its canonical form, as printed in §3.2.2 (the euro sign as raw UTF-8).
RFC_SAMPLE_CANONICAL = (
    b'{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
    b'"string":"\xe2\x82\xac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
)
RFC_SAMPLE_WITHOUT_NUMBERS = (
    b'{"literals":[null,true,false],"string":"\xe2\x82\xac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
)

# RFC 8785 §3.2.3: property sorting by UTF-16 code units ...
RFC_SORTING = {
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\U0001f600": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis",
}
# ... and the UTF-8 bytes of its canonical form, as listed in §3.2.4.
RFC_SORTING_CANONICAL = bytes.fromhex(
    "7b 22 5c 72 22 3a 22 43 61 72 72 69 61 67 65 20 52 65 74 75 72 6e 22 2c 22 31 22 3a 22"
    "4f 6e 65 22 2c 22 c2 80 22 3a 22 43 6f 6e 74 72 6f 6c 22 2c 22 c3 b6 22 3a 22 4c 61 74"
    "69 6e 20 53 6d 61 6c 6c 20 4c 65 74 74 65 72 20 4f 20 57 69 74 68 20 44 69 61 65 72 65"
    "73 69 73 22 2c 22 e2 82 ac 22 3a 22 45 75 72 6f 20 53 69 67 6e 22 2c 22 f0 9f 98 80 22"
    "3a 22 45 6d 6f 6a 69 3a 20 47 72 69 6e 6e 69 6e 67 20 46 61 63 65 22 2c 22 ef ac b3 22"
    "3a 22 48 65 62 72 65 77 20 4c 65 74 74 65 72 20 44 61 6c 65 74 20 57 69 74 68 20 44 61"
    "67 65 73 68 22 7d"
)

# RFC 8785 Appendix B: IEEE 754 doubles (as hex bit patterns) and their JCS number form.
RFC_NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


def _double(bits: str) -> float:
    value: float = struct.unpack(">d", bytes.fromhex(bits))[0]
    return value


# -- the RFC's examples ------------------------------------------------------------------------


def test_rfc_sample_is_canonicalised_by_the_reference_and_refused_by_the_ledger() -> None:
    sample = json.loads(RFC_SAMPLE)

    assert canonical.reference_dumps(sample) == RFC_SAMPLE_CANONICAL
    with pytest.raises(EncodingError, match="floats are not allowed"):
        canonical.dumps(sample)


def test_rfc_sample_without_its_numbers_is_encoded_exactly_as_the_rfc_prints_it() -> None:
    sample = json.loads(RFC_SAMPLE)
    del sample["numbers"]

    assert canonical.dumps(sample) == RFC_SAMPLE_WITHOUT_NUMBERS
    assert canonical.reference_dumps(sample) == RFC_SAMPLE_WITHOUT_NUMBERS


def test_rfc_sorting_example_needs_the_reference_because_its_keys_are_not_ascii() -> None:
    assert canonical.reference_dumps(RFC_SORTING) == RFC_SORTING_CANONICAL
    with pytest.raises(EncodingError, match="not an ASCII string"):
        canonical.dumps(RFC_SORTING)


def test_ascii_keys_are_sorted_by_code_point_which_is_utf16_order_for_ascii() -> None:
    # The ledger's keys are ASCII, where UTF-16 order is plain code point order.
    keys = {"\r": 1, "1": 2, "A": 3, "_": 4, "a": 5, "\x7f": 6, "aa": 7, "": 8}

    encoded = canonical.dumps(keys)

    assert encoded == b'{"":8,"\\r":1,"1":2,"A":3,"_":4,"a":5,"aa":7,"\x7f":6}'
    assert encoded == canonical.reference_dumps(keys)


@pytest.mark.parametrize(("bits", "expected"), RFC_NUMBERS, ids=[b for b, _ in RFC_NUMBERS])
def test_rfc_numbers_belong_to_the_reference_and_are_refused_in_ledger_values(
    bits: str, expected: str
) -> None:
    number = _double(bits)

    assert canonical.reference_dumps(number) == expected.encode()
    with pytest.raises(EncodingError, match="floats are not allowed"):
        canonical.dumps({"rounds": number})


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_numbers_json_cannot_hold_are_refused_by_both_encoders(number: float) -> None:
    with pytest.raises(EncodingError):
        canonical.dumps([number])
    with pytest.raises(EncodingError):
        canonical.reference_dumps([number])


# -- strings -------------------------------------------------------------------------------------

_SHORT_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _rfc_escape(ch: str) -> str:
    """RFC 8785 §3.2.2.2: the five short escapes, \\u00xx (lowercase) for other controls."""
    if ch in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[ch]
    if ch in '"\\':
        return "\\" + ch
    if ord(ch) < 0x20:
        return f"\\u{ord(ch):04x}"
    return ch


@pytest.mark.parametrize("code", [*range(0x20), 0x22, 0x2F, 0x5C, 0x7F, 0x80, 0x2028, 0xFFFF])
def test_each_special_character_is_escaped_as_rfc_8785_requires(code: int) -> None:
    text = f"a{chr(code)}b"

    encoded = canonical.dumps(text)

    assert encoded == f'"a{_rfc_escape(chr(code))}b"'.encode()
    assert encoded == canonical.reference_dumps(text)


def test_astral_characters_are_written_as_raw_utf8_not_surrogate_escapes() -> None:
    assert canonical.dumps({"note": "\U0001f52b"}) == b'{"note":"\xf0\x9f\x94\xab"}'


@pytest.mark.parametrize("value", ["\ud800", {"name": "Jack \udcff Colt"}, ["\udfff"]])
def test_a_lone_surrogate_is_refused_as_an_encoding_error(value: object) -> None:
    # What Python makes of undecodable bytes on a command line: it must be refused with the
    # ledger's error, not escape as a UnicodeEncodeError traceback.
    with pytest.raises(EncodingError, match="lone surrogate"):
        canonical.dumps(value)


# -- what the ledger refuses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param(MAX_SAFE + 1, "outside the I-JSON safe range", id="above-2^53-1"),
        pytest.param(-MAX_SAFE - 1, "outside the I-JSON safe range", id="below-minus-2^53-1"),
        pytest.param({"n": [2**64]}, "outside the I-JSON safe range", id="nested-big-int"),
        pytest.param({1: "one"}, "not an ASCII string", id="integer-key"),
        pytest.param({"caf\u00e9": 1}, "not an ASCII string", id="non-ascii-key"),
        pytest.param({"b": b"bytes"}, "a bytes cannot be stored", id="bytes"),
        pytest.param([{1, 2}], "a set cannot be stored", id="set"),
    ],
)
def test_values_outside_the_ledger_subset_are_refused(value: object, reason: str) -> None:
    with pytest.raises(EncodingError, match=reason):
        canonical.dumps(value)


def test_the_largest_safe_integers_are_accepted() -> None:
    assert canonical.dumps([MAX_SAFE, -MAX_SAFE, 0]) == b"[9007199254740991,-9007199254740991,0]"


# -- the fast encoder agrees with the reference ------------------------------------------------

_ASCII_KEYS = st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=6)
_STRINGS = st.text() | st.text(alphabet=st.characters(max_codepoint=0x2F), max_size=6)
_SCALARS = (
    st.none() | st.booleans() | st.integers(min_value=-MAX_SAFE, max_value=MAX_SAFE) | _STRINGS
)
JSON_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_ASCII_KEYS, inner, max_size=5),
    max_leaves=40,
)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_the_ledger_encoder_matches_the_rfc_8785_reference(value: Any) -> None:
    assert canonical.dumps(value) == canonical.reference_dumps(value)


@settings(max_examples=100, deadline=None)
@given(JSON_VALUES)
def test_canonical_bytes_read_back_to_the_same_value(value: Any) -> None:
    assert canonical.loads(canonical.dumps(value)) == value


@settings(max_examples=100, deadline=None)
@given(JSON_VALUES)
def test_any_other_spelling_of_a_value_is_refused_by_loads(value: Any) -> None:
    spaced = json.dumps(value, ensure_ascii=False, separators=(", ", ": ")).encode()
    pretty = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode()
    for other in (spaced, pretty, canonical.dumps(value) + b"\n"):
        if other != canonical.dumps(value):
            with pytest.raises(EncodingError):
                canonical.loads(other)


# -- loads accepts only the canonical bytes --------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b'{"a": 1}', id="space-after-colon"),
        pytest.param(b'{"a":1, "b":2}', id="space-after-comma"),
        pytest.param(b' {"a":1}', id="leading-space"),
        pytest.param(b'{"a":1}\n', id="trailing-newline"),
        pytest.param(b'{\n  "a": 1\n}', id="pretty-printed"),
        pytest.param(b'{"b":1,"a":2}', id="unsorted-keys"),
        pytest.param(b'{"a":{"y":1,"x":2}}', id="unsorted-nested-keys"),
        pytest.param(b'{"a":1,"a":1}', id="duplicate-key"),
        pytest.param(b'"\\u00e9"', id="escaped-non-ascii"),
        pytest.param(b'"\\u001F"', id="uppercase-hex-escape"),
        pytest.param(b'"\\u000a"', id="long-form-of-a-short-escape"),
        pytest.param(b'"\\/"', id="escaped-solidus"),
        pytest.param(b"1.0", id="float"),
        pytest.param(b"1e2", id="exponent"),
        pytest.param(b"-0", id="minus-zero"),
        pytest.param(b"9007199254740992", id="unsafe-integer"),
        pytest.param(b"NaN", id="nan"),
        pytest.param(b"\xef\xbb\xbf{}", id="byte-order-mark"),
        pytest.param(b'"\xff"', id="invalid-utf8"),
        pytest.param(b'"\\ud800"', id="escaped-lone-surrogate"),
        pytest.param(b"", id="empty"),
        pytest.param(b'{"a":1', id="truncated"),
    ],
)
def test_loads_refuses_bytes_that_are_not_exactly_canonical(data: bytes) -> None:
    with pytest.raises(EncodingError):
        canonical.loads(data)


def test_loads_returns_the_value_of_canonical_bytes() -> None:
    data = b'{"attest":["P01"],"seq":7,"time":"2026-01-31T09:30:00.000000Z","x":null}'

    assert canonical.loads(data) == {
        "attest": ["P01"],
        "seq": 7,
        "time": "2026-01-31T09:30:00.000000Z",
        "x": None,
    }
