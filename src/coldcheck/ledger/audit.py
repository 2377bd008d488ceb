"""Full audit of one production's ledger (docs/ledger.md §9).

The audit reads the stored records in order and checks, for every position: the sequence, the
canonical encoding, the stored hash, the link to the previous entry, the signatures against the
keys valid at that position, correction pointers, and, at every checkpoint size, the Merkle
root against the node-signed checkpoint. It raises VerificationError naming the first position
that fails; it never returns a bare False.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from coldcheck.ledger import merkle
from coldcheck.ledger.entry import GENESIS_PREV, Body, Record, decode
from coldcheck.ledger.errors import EncodingError, NoteError, VerificationError
from coldcheck.ledger.keyring import OPENED, KeyProblem, Keyring
from coldcheck.ledger.note import Checkpoint, NoteVerifier, open_note


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredRecord:
    """What a store holds for one position: the record bytes and the hash written beside them."""

    seq: int
    data: bytes
    hash: bytes


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditReport:
    production: str
    size: int
    head_hash: str
    root_hash: str
    checkpoints: int
    last_checkpoint_size: int
    node_key: str
    anchored: bool  # True when the node key matched a key the auditor supplied


@dataclass(slots=True)
class _Walk:
    production: str
    trusted_node_key: str | None
    notes: Sequence[str]
    keyring: Keyring
    builder: merkle.RootBuilder
    prev: Record | None = None
    before_prev: bytes = b""
    hashes: bytearray = field(default_factory=bytearray)  # every entry hash so far, 32 bytes each
    node_key: str = ""
    origin: str = ""
    roots: dict[int, bytes] | None = None
    check_body: Callable[[Body], None] | None = None


def audit(
    production: str,
    records: Iterable[StoredRecord],
    checkpoint_notes: Sequence[str],
    trusted_node_key: str | None = None,
    check_body: Callable[[Body], None] | None = None,
) -> AuditReport:
    """Audit one production's records (in stored order) and its checkpoint notes.

    ``check_body`` lets the application add its own check of each entry (for example that the
    event type is known); it raises ValueError with a reason, reported at that position.
    """
    walk = _Walk(
        production=production,
        trusted_node_key=trusted_node_key,
        notes=checkpoint_notes,
        keyring=Keyring(),
        builder=merkle.RootBuilder(),
        check_body=check_body,
    )
    position = 0
    for position, stored in enumerate(records, start=1):
        record = _check_position(walk, position, stored)
        walk.before_prev = walk.prev.hash if walk.prev else b""
        walk.prev = record
        walk.hashes += record.hash
        walk.builder.append(merkle.leaf_hash(record.data))
        roots = walk.roots or {}
        if position in roots and not hmac.compare_digest(roots[position], walk.builder.root()):
            raise VerificationError(
                position,
                f"the Merkle root of the first {position} entries "
                "differs from the signed checkpoint: an entry at or before "
                "this position was altered and re-chained",
            )
    roots = walk.roots if walk.roots is not None else _checkpoint_roots(walk)
    if 0 in roots and not hmac.compare_digest(roots[0], merkle.EMPTY_ROOT):
        raise VerificationError(1, "the signed checkpoint of size 0 does not hold the empty root")
    beyond = [size for size in roots if size > position]
    if beyond:
        raise VerificationError(
            position + 1,
            f"entries {position + 1}..{max(beyond)} are "
            f"missing: a signed checkpoint covers {max(beyond)} entries "
            "(the ledger was truncated)",
        )
    return AuditReport(
        production=production,
        size=position,
        head_hash=walk.prev.hash.hex() if walk.prev else GENESIS_PREV,
        root_hash=walk.builder.root().hex(),
        checkpoints=len(roots),
        last_checkpoint_size=max(roots, default=0),
        node_key=walk.node_key,
        anchored=trusted_node_key is not None,
    )


def _check_position(walk: _Walk, position: int, stored: StoredRecord) -> Record:
    if not isinstance(stored.data, bytes) or not isinstance(stored.hash, bytes):
        raise VerificationError(
            position,
            "the record cannot be read: the store holds it in "
            "the wrong form (not bytes); the file was altered",
        )
    if stored.seq != position:
        raise VerificationError(
            position, f"entry {position} is missing (the next stored entry is {stored.seq})"
        )
    try:
        record = decode(stored.data)
    except EncodingError as exc:
        raise VerificationError(position, f"the record cannot be read: {exc}") from exc
    if not hmac.compare_digest(record.hash, stored.hash):
        raise VerificationError(
            position,
            "the entry's content does not match the hash recorded "
            "when it was appended: it was altered",
        )
    body = record.body
    if body.seq != position:
        if body.seq == position - 1 and walk.before_prev and body.prev == walk.before_prev.hex():
            raise VerificationError(
                position - 1,
                "an entry was inserted here: the next entry links to the one before it",
            )
        raise VerificationError(
            position,
            f"the entry stored at position {position} says it is "
            f"entry {body.seq}: entries were reordered or renumbered",
        )
    expected_prev = walk.prev.hash.hex() if walk.prev else GENESIS_PREV
    if body.prev != expected_prev:
        if position == 1:
            raise VerificationError(1, "the first entry must link to 64 zeros (genesis)")
        raise VerificationError(
            position - 1,
            f"entry {position} does not link to the entry "
            f"stored before it: entry {position - 1} was altered or replaced",
        )
    if body.production != walk.production:
        raise VerificationError(position, f"the entry belongs to production {body.production!r}")
    if body.corrects is not None:
        _check_correction(walk, position, body.corrects.seq, body.corrects.hash)
    if position == 1:
        _open(walk, record)
    elif body.type == OPENED:
        raise VerificationError(position, "a ledger can be opened only once, at position 1")
    if walk.check_body is not None:
        try:
            walk.check_body(body)
        except ValueError as exc:
            raise VerificationError(position, str(exc)) from exc
    try:
        walk.keyring.check_and_apply(record)
    except KeyProblem as exc:
        raise VerificationError(position, str(exc)) from exc
    return record


def _check_correction(walk: _Walk, position: int, target: int, target_hash: str) -> None:
    if not 1 <= target < position:
        raise VerificationError(
            position, f"the entry corrects entry {target}, which is not an earlier entry"
        )
    if walk.hashes[(target - 1) * 32 : target * 32].hex() != target_hash:
        raise VerificationError(
            position, f"the entry corrects entry {target} but names another entry's hash"
        )


def _open(walk: _Walk, record: Record) -> None:
    body = record.body
    if body.type != OPENED:
        raise VerificationError(1, f"the first entry must be {OPENED}, not {body.type}")
    node_key, origin = body.payload.get("node_key"), body.payload.get("origin")
    if not isinstance(node_key, str) or not isinstance(origin, str):
        raise VerificationError(1, "the opening entry must name the node key and the origin")
    if walk.trusted_node_key is not None and node_key != walk.trusted_node_key:
        raise VerificationError(
            1,
            "the ledger's node key is not the key you trust: "
            "it was substituted, or this is another node's ledger",
        )
    walk.node_key, walk.origin = node_key, origin
    walk.roots = _checkpoint_roots(walk)


def _checkpoint_roots(walk: _Walk) -> dict[int, bytes]:
    """Verify every checkpoint note's signature and origin; map size -> root."""
    if not walk.node_key:
        if walk.notes:
            raise VerificationError(1, "checkpoints exist but the ledger has no entries")
        return {}
    try:
        verifier = NoteVerifier.from_verifier_key(walk.node_key)
    except NoteError as exc:
        raise VerificationError(1, f"the node key is malformed: {exc}") from exc
    roots: dict[int, bytes] = {}
    for note in walk.notes:
        try:
            text, _ = open_note(note, [verifier])
            checkpoint = Checkpoint.parse(text)
        except NoteError as exc:
            size = _claimed_size(note)
            raise VerificationError(
                size, f"the checkpoint at size {size} is not validly signed by the node key: {exc}"
            ) from exc
        if checkpoint.origin != walk.origin:
            raise VerificationError(
                checkpoint.size, f"a checkpoint names another log's origin ({checkpoint.origin!r})"
            )
        if roots.get(checkpoint.size, checkpoint.root_hash) != checkpoint.root_hash:
            raise VerificationError(
                checkpoint.size,
                "two signed checkpoints of the same size disagree: the log was forked",
            )
        roots[checkpoint.size] = checkpoint.root_hash
    return roots


def _claimed_size(note: str) -> int:
    """The size a (possibly forged) note claims, as a position to report: at least 1."""
    lines = note.split("\n")
    claimed = lines[1] if len(lines) > 1 else ""
    return max(1, int(claimed)) if claimed.isascii() and claimed.isdigit() else 1
