"""Ledger entries: the body, the signed record, and their hashes (docs/ledger.md §2-§4).

An *entry body* is what happened; a *record* is the body plus the signatures of the people
who attest it. The record's canonical bytes are the Merkle leaf and what the hash chain
commits to:

    record bytes   = JCS({"entry": body, "sigs": [...]})
    entry hash     = SHA-256("coldcheck/entry/v1" || 0x00 || record bytes)   (the chain)
    leaf hash      = SHA-256(0x00 || record bytes)                          (RFC 6962)
    attestation    = Ed25519(personal key, "coldcheck/attest/v1" || 0x00 || JCS(body))
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from coldcheck.ledger import canonical
from coldcheck.ledger.errors import EncodingError

FORMAT = "coldcheck/1"
ENTRY_DOMAIN = b"coldcheck/entry/v1\x00"
ATTEST_DOMAIN = b"coldcheck/attest/v1\x00"
GENESIS_PREV = "0" * 64

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_TYPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{6})Z"
)
_BODY_KEYS = {
    "format",
    "seq",
    "production",
    "time",
    "actor",
    "node",
    "type",
    "schema",
    "payload",
    "prev",
    "attest",
}
_OPTIONAL_KEYS = {"corrects"}


def format_time(moment: datetime) -> str:
    """The ledger's one time format: UTC, microseconds, a literal Z."""
    if moment.tzinfo is None:
        raise EncodingError("ledger times must be timezone-aware")
    t = moment.astimezone(UTC)
    if t.year < 1000:  # strftime's %Y does not pad such years on every platform: keep its form
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # the same text as the strftime above, at half the cost (this runs for every command)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (  # noqa: UP031
        t.year,
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second,
        t.microsecond,
    )


def parse_time(text: str) -> datetime:
    """Parse a ledger time; raise EncodingError for anything else."""
    found = _TIME.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise EncodingError(f"time {text!r} is not in the form 2026-01-31T09:30:00.000000Z")
    try:  # from the matched digits: strptime with the same format costs ten times as much
        year, month, day, hour, minute, second, micro = (int(part) for part in found.groups())
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
    except ValueError:
        raise EncodingError(f"time {text!r} is not a real date and time") from None


def check_id(kind: str, value: str) -> str:
    """Identifiers (production, people, nodes, items): 1-64 of A-Z a-z 0-9 . _ : -"""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise EncodingError(f"{kind} id {value!r} must be 1-64 letters, digits or . _ : -")
    return value


@dataclass(frozen=True, kw_only=True, slots=True)
class Correction:
    """Pointer from a correcting entry to the entry it corrects."""

    seq: int
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash}


@dataclass(frozen=True, kw_only=True, slots=True)
class Body:
    """One entry's content, before signatures. Field order here is irrelevant: JCS sorts."""

    seq: int
    production: str
    time: str
    actor: str
    node: str
    type: str
    schema: int
    payload: dict[str, Any]
    prev: str
    attest: tuple[str, ...] = ()
    corrects: Correction | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": FORMAT,
            "seq": self.seq,
            "production": self.production,
            "time": self.time,
            "actor": self.actor,
            "node": self.node,
            "type": self.type,
            "schema": self.schema,
            "payload": self.payload,
            "prev": self.prev,
            "attest": list(self.attest),
        }
        if self.corrects is not None:
            out["corrects"] = self.corrects.to_json()
        return out

    def signing_bytes(self) -> bytes:
        return ATTEST_DOMAIN + canonical.dumps(self.to_json())


@dataclass(frozen=True, kw_only=True, slots=True)
class Signature:
    by: str
    key: str
    sig: bytes

    def to_json(self) -> dict[str, str]:
        return {"by": self.by, "key": self.key, "sig": base64.b64encode(self.sig).decode()}


@dataclass(frozen=True, kw_only=True, slots=True)
class Record:
    """A body with its signatures; ``data`` is the canonical bytes, ``hash`` the chain hash."""

    body: Body
    sigs: tuple[Signature, ...] = ()
    data: bytes = field(default=b"", compare=False)
    hash: bytes = field(default=b"", compare=False)

    @classmethod
    def seal(cls, body: Body, sigs: tuple[Signature, ...] = ()) -> Record:
        data = canonical.dumps({"entry": body.to_json(), "sigs": [s.to_json() for s in sigs]})
        return cls(body=body, sigs=sigs, data=data, hash=entry_hash(data))


def entry_hash(data: bytes) -> bytes:
    return hashlib.sha256(ENTRY_DOMAIN + data).digest()


def decode(data: bytes) -> Record:
    """Parse stored record bytes strictly; raise EncodingError naming what is wrong."""
    try:
        raw = canonical.loads(data)
    except RecursionError:
        raise EncodingError("the record is nested too deeply to be a ledger entry") from None
    if not isinstance(raw, dict) or set(raw) != {"entry", "sigs"}:
        raise EncodingError("a record is an object with exactly 'entry' and 'sigs'")
    body = _decode_body(raw["entry"])
    sigs = raw["sigs"]
    if not isinstance(sigs, list):
        raise EncodingError("'sigs' must be a list")
    return Record(
        body=body, sigs=tuple(_decode_sig(s) for s in sigs), data=data, hash=entry_hash(data)
    )


def _decode_body(raw: Any) -> Body:
    if not isinstance(raw, dict):
        raise EncodingError("'entry' must be an object")
    keys = set(raw)
    if not keys >= _BODY_KEYS or keys - _BODY_KEYS - _OPTIONAL_KEYS:
        raise EncodingError(f"entry fields must be {sorted(_BODY_KEYS)} (+ optional corrects)")
    if raw["format"] != FORMAT:
        raise EncodingError(f"unknown entry format {raw['format']!r}")
    _want(raw, "seq", int, lambda v: v >= 1)
    _want(raw, "schema", int, lambda v: v >= 1)
    _want(raw, "type", str, lambda v: bool(_TYPE.fullmatch(v)))
    _want(raw, "prev", str, lambda v: bool(_HEX64.fullmatch(v)))
    _want(raw, "payload", dict, lambda v: True)
    _want(raw, "attest", list, lambda v: all(isinstance(p, str) for p in v))
    for name in ("production", "actor", "node"):
        check_id(name, raw[name])
    parse_time(raw["time"])
    corrects = None
    if "corrects" in raw:
        c = raw["corrects"]
        if not (
            isinstance(c, dict)
            and set(c) == {"seq", "hash"}
            and type(c["seq"]) is int
            and isinstance(c["hash"], str)
            and _HEX64.fullmatch(c["hash"])
        ):
            raise EncodingError("'corrects' must be {seq, hash} of an earlier entry")
        corrects = Correction(seq=c["seq"], hash=c["hash"])
    return Body(
        seq=raw["seq"],
        production=raw["production"],
        time=raw["time"],
        actor=raw["actor"],
        node=raw["node"],
        type=raw["type"],
        schema=raw["schema"],
        payload=raw["payload"],
        prev=raw["prev"],
        attest=tuple(raw["attest"]),
        corrects=corrects,
    )


def _want(raw: dict[str, Any], key: str, kind: type, ok: Any) -> None:
    value = raw[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int) or not ok(value):
        raise EncodingError(f"entry field {key!r} has an invalid value {value!r}")


def strict_b64decode(text: str) -> bytes:
    """Standard base64, canonical only: re-encoding gives back exactly ``text``."""
    raw = base64.b64decode(text, validate=True)
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError("base64 is not in canonical form")
    return raw


def _decode_sig(raw: Any) -> Signature:
    if not (
        isinstance(raw, dict)
        and set(raw) == {"by", "key", "sig"}
        and all(isinstance(v, str) for v in raw.values())
    ):
        raise EncodingError("a signature is an object with string fields by, key, sig")
    try:
        sig = strict_b64decode(raw["sig"])
    except ValueError as exc:
        raise EncodingError("a signature is not valid base64") from exc
    if len(sig) != 64:
        raise EncodingError("an Ed25519 signature is 64 bytes")
    return Signature(by=raw["by"], key=raw["key"], sig=sig)
