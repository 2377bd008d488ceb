"""Tampering with a store file is caught by the audit, at the right position and with a reason.

Each test builds a real ledger through the application, closes it, edits the SQLite file with
plain ``sqlite3`` as someone with write access to the file could, reopens the store and runs
the full audit (``coldcheck.app.ledgerops.verify``) anchored on the node key the auditor
trusts. The ledger (positions are sequence numbers):

    1-14   seed(): production opened, P01-P04 with their keys, store S01, firearms F01, F02
    15-25  prepare_issue(): opening check, training, plan filed and approved, meeting, the
           talent's confirmation of it, call, 22: P01 takes F01, inspection, the 1st AD's and
           the talent's witnessed checks
    26     P01 proposes handing F01 to P02          (signed by P01)
    27     P02 accepts                              (signed by P02)
           -- checkpoint of size 27
    28-29  P05 registered, P05's key created        (29 signed by P05's new key)
    30-31  S01 locked, unlocked
           -- checkpoint of size 31
    32-33  S01 locked, unlocked
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import nacl.signing
import pytest
from tests.conftest import PINS, PRODUCTION, make_app, prepare_issue, seed

from coldcheck.app import handlers as h
from coldcheck.app import ledgerops
from coldcheck.domain.values import Role
from coldcheck.ledger import canonical
from coldcheck.ledger.audit import AuditReport
from coldcheck.ledger.entry import decode, entry_hash, format_time, parse_time
from coldcheck.ledger.errors import VerificationError
from coldcheck.ledger.keys import attest, key_id, public_key_text
from coldcheck.ledger.note import NoteSigner, sign_note

TAKEN, PROPOSED, ACCEPTED = 22, 26, 27
P02_KEY, P03_KEY, P05_KEY = 7, 9, 29
FIRST_CHECKPOINT, SECOND_CHECKPOINT, SIZE = 27, 31, 33
P05_PIN = "555555"


@dataclass(frozen=True)
class Ledger:
    db: Path
    node_key: str  # the verifier key the auditor trusts (published when the node was set up)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    db = tmp_path / "coldcheck.db"
    app = make_app(db)
    try:
        seed(app)
        prepare_issue(app)
        h.hand_off(app, PRODUCTION, "P01", "F01", "P02", PINS["P01"])
        h.accept(app, PRODUCTION, "P02", "F01", PINS["P02"])
        ledgerops.checkpoint(app, PRODUCTION)
        h.add_person(
            app,
            PRODUCTION,
            "P01",
            "Rosa Diaz",
            frozenset({Role.TALENT}),
            P05_PIN,
            actor_pin=PINS["P01"],
        )
        for locked in (True, False):
            h.set_lock(app, PRODUCTION, "P01", "S01", locked)
        ledgerops.checkpoint(app, PRODUCTION)
        for locked in (True, False):
            h.set_lock(app, PRODUCTION, "P01", "S01", locked)
        node_key = app.node().verifier_key
    finally:
        app.close()
    # The positions the tests below tamper with hold what they should.
    types = {seq: _entry(db, seq)["type"] for seq in (TAKEN, PROPOSED, ACCEPTED, P05_KEY, SIZE)}
    assert types == {
        TAKEN: "custody.taken",
        PROPOSED: "custody.handoff_proposed",
        ACCEPTED: "custody.handoff_accepted",
        P05_KEY: "key.created",
        SIZE: "store.unlocked",
    }
    assert [size for size, _ in _checkpoints(db)] == [FIRST_CHECKPOINT, SECOND_CHECKPOINT]
    return Ledger(db=db, node_key=node_key)


# -- reading and writing the file behind the application's back ----------------------------------


@contextmanager
def _sql(db: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(db)) as connection, connection:
        yield connection


def _record(db: Path, seq: int) -> dict[str, Any]:
    with _sql(db) as sql:
        (data,) = sql.execute(
            "SELECT data FROM records WHERE production = ? AND seq = ?", (PRODUCTION, seq)
        ).fetchone()
    record: dict[str, Any] = json.loads(data)
    return record


def _entry(db: Path, seq: int) -> dict[str, Any]:
    entry: dict[str, Any] = _record(db, seq)["entry"]
    return entry


def _hash(db: Path, seq: int) -> bytes:
    with _sql(db) as sql:
        (stored,) = sql.execute(
            "SELECT hash FROM records WHERE production = ? AND seq = ?", (PRODUCTION, seq)
        ).fetchone()
    return bytes(stored)


def _write(db: Path, seq: int, record: dict[str, Any], *, rehash: bool) -> None:
    """Store edited record bytes (canonical, so they still parse), with or without a new hash."""
    data = canonical.dumps(record)
    with _sql(db) as sql:
        if rehash:
            sql.execute(
                "UPDATE records SET data = ?, hash = ? WHERE production = ? AND seq = ?",
                (data, entry_hash(data), PRODUCTION, seq),
            )
        else:
            sql.execute(
                "UPDATE records SET data = ? WHERE production = ? AND seq = ?",
                (data, PRODUCTION, seq),
            )


def _edit(db: Path, seq: int, change: Callable[[dict[str, Any]], None], *, rehash: bool) -> None:
    record = _record(db, seq)
    change(record)
    _write(db, seq, record, rehash=rehash)


def _rechain(db: Path, after: int) -> None:
    """Relink every record after ``after`` to its edited predecessor and rehash it, so that
    the hash chain is intact again (signatures over the old links are not redone)."""
    for seq in range(after + 1, SIZE + 1):
        record = _record(db, seq)
        record["entry"]["prev"] = _hash(db, seq - 1).hex()
        _write(db, seq, record, rehash=True)


def _shift_seqs(db: Path, first: int, by: int) -> None:
    """Renumber records from ``first`` on (two steps: (production, seq) is unique)."""
    with _sql(db) as sql:
        sql.execute(
            "UPDATE records SET seq = seq + 1000 WHERE production = ? AND seq >= ?",
            (PRODUCTION, first),
        )
        sql.execute(
            "UPDATE records SET seq = seq - 1000 + ? WHERE production = ? AND seq >= 1000",
            (by, PRODUCTION),
        )


def _checkpoints(db: Path) -> list[tuple[int, str]]:
    with _sql(db) as sql:
        rows = sql.execute(
            "SELECT size, note FROM checkpoints WHERE production = ? ORDER BY size", (PRODUCTION,)
        ).fetchall()
    return [(int(size), str(note)) for size, note in rows]


def _replace_checkpoint(db: Path, size: int, note: str) -> None:
    with _sql(db) as sql:
        sql.execute(
            "UPDATE checkpoints SET note = ? WHERE production = ? AND size = ?",
            (note, PRODUCTION, size),
        )


# -- auditing ------------------------------------------------------------------------------------


def _audit(ledger: Ledger, trusted: str | None = None) -> AuditReport:
    app = make_app(ledger.db)
    try:
        return ledgerops.verify(app, PRODUCTION, trusted or ledger.node_key)
    finally:
        app.close()


def _failure(ledger: Ledger, trusted: str | None = None) -> VerificationError:
    with pytest.raises(VerificationError) as caught:
        _audit(ledger, trusted)
    return caught.value


# -- the untouched ledger ----------------------------------------------------------------------


def test_an_untouched_ledger_verifies_against_the_trusted_node_key(ledger: Ledger) -> None:
    report = _audit(ledger)

    assert report.size == SIZE
    assert report.checkpoints == 2
    assert report.last_checkpoint_size == SECOND_CHECKPOINT
    assert report.anchored
    assert report.node_key == ledger.node_key
    assert report.head_hash == _hash(ledger.db, SIZE).hex()


# -- edited entries ----------------------------------------------------------------------------


def _other_firearm(record: dict[str, Any]) -> None:
    record["entry"]["payload"]["firearm"] = "F02"


def _an_hour_earlier(record: dict[str, Any]) -> None:
    moment = parse_time(record["entry"]["time"]) - timedelta(hours=1)
    record["entry"]["time"] = format_time(moment)


def _another_actor(record: dict[str, Any]) -> None:
    record["entry"]["actor"] = "P03"


def _other_store(record: dict[str, Any]) -> None:
    record["entry"]["payload"]["store"] = "S02"


ALTERED = "the entry's content does not match the hash recorded when it was appended"


@pytest.mark.parametrize(
    ("seq", "change", "rehash", "reason"),
    [
        pytest.param(TAKEN, _other_firearm, False, ALTERED, id="payload"),
        pytest.param(
            TAKEN,
            _other_firearm,
            True,
            f"entry {TAKEN + 1} does not link to the entry stored before it",
            id="payload-rehashed",
        ),
        pytest.param(PROPOSED, _an_hour_earlier, False, ALTERED, id="time"),
        pytest.param(
            PROPOSED,
            _an_hour_earlier,
            True,
            "the signature by P01 does not verify",
            id="time-of-a-signed-entry-rehashed",
        ),
        pytest.param(30, _another_actor, False, ALTERED, id="actor"),
        pytest.param(
            30,
            _another_actor,
            True,
            "entry 31 does not link to the entry stored before it",
            id="actor-rehashed",
        ),
        pytest.param(
            SECOND_CHECKPOINT,
            _an_hour_earlier,
            True,
            f"the Merkle root of the first {SECOND_CHECKPOINT} entries differs",
            id="time-rehashed-at-a-checkpoint",
        ),
        pytest.param(
            SECOND_CHECKPOINT,
            _other_store,
            True,
            "the store.unlocked entry does not fit the production at that point",
            id="payload-naming-a-store-that-does-not-exist",
        ),
    ],
)
def test_an_edited_entry_is_reported_at_its_position(
    ledger: Ledger,
    seq: int,
    change: Callable[[dict[str, Any]], None],
    rehash: bool,
    reason: str,
) -> None:
    _edit(ledger.db, seq, change, rehash=rehash)

    failure = _failure(ledger)

    assert failure.position == seq
    assert reason in failure.reason


# -- missing, reordered and inserted entries -------------------------------------------------------


def test_a_deleted_entry_is_reported_missing(ledger: Ledger) -> None:
    with _sql(ledger.db) as sql:
        sql.execute("DELETE FROM records WHERE production = ? AND seq = 10", (PRODUCTION,))

    failure = _failure(ledger)

    assert failure.position == 10
    assert failure.reason == "entry 10 is missing (the next stored entry is 11)"


def test_a_deleted_entry_hidden_by_renumbering_is_reported(ledger: Ledger) -> None:
    with _sql(ledger.db) as sql:
        sql.execute("DELETE FROM records WHERE production = ? AND seq = 10", (PRODUCTION,))
    _shift_seqs(ledger.db, 11, -1)

    failure = _failure(ledger)

    assert failure.position == 10
    assert "says it is entry 11" in failure.reason


@pytest.mark.parametrize(("first", "second"), [(28, 29), (30, 32)])
def test_swapped_entries_are_reported_at_the_first_of_them(
    ledger: Ledger, first: int, second: int
) -> None:
    with _sql(ledger.db) as sql:
        for old, new in ((first, 1000), (second, first), (1000, second)):
            sql.execute(
                "UPDATE records SET seq = ? WHERE production = ? AND seq = ?",
                (new, PRODUCTION, old),
            )

    failure = _failure(ledger)

    assert failure.position == first
    assert failure.reason == (
        f"the entry stored at position {first} says it is entry {second}: "
        "entries were reordered or renumbered"
    )


@pytest.mark.parametrize(
    "k",
    [
        pytest.param(26, id="inside-a-checkpoint"),
        pytest.param(30, id="between-checkpoints"),
        pytest.param(32, id="after-the-last-checkpoint"),
    ],
)
def test_an_inserted_entry_is_reported_at_its_position(ledger: Ledger, k: int) -> None:
    before = _entry(ledger.db, k - 1)
    forged = {
        "entry": {
            **before,
            "seq": k,
            "prev": _hash(ledger.db, k - 1).hex(),
            "actor": "P01",
            "type": "store.locked",
            "payload": {"store": "S01"},
            "attest": [],
        },
        "sigs": [],
    }
    data = canonical.dumps(forged)
    _shift_seqs(ledger.db, k, 1)
    with _sql(ledger.db) as sql:
        sql.execute(
            "INSERT INTO records (production, seq, data, hash) VALUES (?, ?, ?, ?)",
            (PRODUCTION, k, data, entry_hash(data)),
        )

    failure = _failure(ledger)

    assert failure.position == k
    assert "an entry was inserted here" in failure.reason


@pytest.mark.parametrize(
    ("kept", "reason"),
    [
        pytest.param(
            FIRST_CHECKPOINT,
            f"entries {FIRST_CHECKPOINT + 1}..{SECOND_CHECKPOINT} are missing: a signed "
            f"checkpoint covers {SECOND_CHECKPOINT} entries (the ledger was truncated)",
            id="after-the-first-checkpoint",
        ),
        pytest.param(
            23,
            f"entries 24..{SECOND_CHECKPOINT} are missing: a signed checkpoint covers "
            f"{SECOND_CHECKPOINT} entries (the ledger was truncated)",
            id="into-the-first-checkpoint",
        ),
        pytest.param(0, "checkpoints exist but the ledger has no entries", id="everything"),
    ],
)
def test_a_truncated_ledger_is_reported_where_its_entries_stop(
    ledger: Ledger, kept: int, reason: str
) -> None:
    with _sql(ledger.db) as sql:
        sql.execute("DELETE FROM records WHERE production = ? AND seq > ?", (PRODUCTION, kept))

    failure = _failure(ledger)

    assert failure.position == kept + 1
    assert failure.reason == reason


# -- signatures and keys -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda db: base64.b64encode(bytes(range(64))).decode(), id="made-up"),
        pytest.param(lambda db: _record(db, PROPOSED)["sigs"][0]["sig"], id="from-another-entry"),
    ],
)
def test_a_forged_hand_off_signature_is_reported(
    ledger: Ledger, forge: Callable[[Path], str]
) -> None:
    forged = forge(ledger.db)
    assert len(base64.b64decode(forged)) == 64

    def replace_sig(record: dict[str, Any]) -> None:
        record["sigs"][0]["sig"] = forged

    _edit(ledger.db, ACCEPTED, replace_sig, rehash=True)

    failure = _failure(ledger)

    assert failure.position == ACCEPTED
    assert failure.reason == "the signature by P02 does not verify (forged or altered)"


def test_a_removed_hand_off_signature_is_reported(ledger: Ledger) -> None:
    def drop_sig(record: dict[str, Any]) -> None:
        record["sigs"] = []

    _edit(ledger.db, ACCEPTED, drop_sig, rehash=True)

    failure = _failure(ledger)

    assert failure.position == ACCEPTED
    assert failure.reason == "missing signature by P02"


def test_a_removed_signature_and_attester_are_still_reported_at_that_entry(
    ledger: Ledger,
) -> None:
    def unattest(record: dict[str, Any]) -> None:
        record["sigs"] = []
        record["entry"]["attest"] = []

    _edit(ledger.db, ACCEPTED, unattest, rehash=True)

    failure = _failure(ledger)

    # Either the event's own rule (an acceptance is attested by the receiver) or, failing
    # that, the checkpoint of size 27 over the entry gives it away.
    assert failure.position == ACCEPTED == FIRST_CHECKPOINT
    assert (
        "must be attested by P02, not nobody" in failure.reason
        or "differs from the signed checkpoint" in failure.reason
    )


def _with_p03s_public_key(record: dict[str, Any], db: Path) -> None:
    record["entry"]["payload"]["public_key"] = _entry(db, P03_KEY)["payload"]["public_key"]


def _with_p03s_key_and_id(record: dict[str, Any], db: Path) -> None:
    p03 = _entry(db, P03_KEY)["payload"]
    record["entry"]["payload"]["public_key"] = p03["public_key"]
    record["entry"]["payload"]["key"] = p03["key"]
    record["sigs"][0]["key"] = p03["key"]


@pytest.mark.parametrize(
    ("substitute", "reason"),
    [
        pytest.param(_with_p03s_public_key, "does not match its public key", id="key-only"),
        pytest.param(
            _with_p03s_key_and_id,
            "the signature by P02 does not verify",
            id="key-and-key-id",
        ),
    ],
)
def test_a_substituted_public_key_is_reported_at_the_entry_that_introduces_it(
    ledger: Ledger, substitute: Callable[[dict[str, Any], Path], None], reason: str
) -> None:
    record = _record(ledger.db, P02_KEY)
    substitute(record, ledger.db)
    _write(ledger.db, P02_KEY, record, rehash=True)
    _rechain(ledger.db, P02_KEY)

    failure = _failure(ledger)

    assert failure.position == P02_KEY
    assert reason in failure.reason


def test_a_key_substituted_and_self_signed_is_caught_by_the_registrars_signature(
    ledger: Ledger,
) -> None:
    # Someone holding their own key swaps it in for P05's and re-signs the entry with it,
    # keeping the registrar's signature. The registrar (P01) signed the original entry with
    # their own key, so that signature no longer verifies: the entry itself gives it away.
    mine = nacl.signing.SigningKey.generate()
    public = bytes(mine.verify_key)
    record = _record(ledger.db, P05_KEY)
    record["entry"]["payload"].update(key=key_id(public), public_key=public_key_text(public))
    body = decode(canonical.dumps({"entry": record["entry"], "sigs": []})).body
    registrar = [sig for sig in record["sigs"] if sig["by"] == "P01"]
    record["sigs"] = [attest(body, "P05", mine).to_json(), *registrar]
    _write(ledger.db, P05_KEY, record, rehash=True)
    _rechain(ledger.db, P05_KEY)

    failure = _failure(ledger)

    assert registrar, "the registration's key entry carries the registrar's signature"
    assert failure.position == P05_KEY
    assert "the signature by P01 does not verify" in failure.reason


# -- checkpoints and the node key ----------------------------------------------------------------


def _forge_signature_bytes(note: str) -> str:
    text, _, line = note.rpartition("\n\n")
    prefix, _, sig = line.rstrip("\n").rpartition(" ")
    key_hash = base64.b64decode(sig)[:4]
    return f"{text}\n\n{prefix} {base64.b64encode(key_hash + bytes(64)).decode()}\n"


def _forge_root(note: str) -> str:
    lines = note.split("\n")
    lines[2] = base64.b64encode(bytes(32)).decode()
    return "\n".join(lines)


def _sign_with_another_key(note: str) -> str:
    text = note.partition("\n\n")[0] + "\n"
    name = note.rpartition("\n\n")[2].split(" ")[1]
    return sign_note(text, [NoteSigner(name, nacl.signing.SigningKey.generate())])


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(_forge_signature_bytes, id="signature-bytes"),
        pytest.param(_forge_root, id="root-rewritten-under-the-old-signature"),
        pytest.param(_sign_with_another_key, id="signed-by-another-key-of-the-same-name"),
    ],
)
def test_a_checkpoint_with_a_forged_signature_is_reported_at_its_size(
    ledger: Ledger, forge: Callable[[str], str]
) -> None:
    note = dict(_checkpoints(ledger.db))[SECOND_CHECKPOINT]
    forged = forge(note)
    assert forged != note
    _replace_checkpoint(ledger.db, SECOND_CHECKPOINT, forged)

    failure = _failure(ledger)

    assert failure.position == SECOND_CHECKPOINT
    assert failure.reason.startswith(
        f"the checkpoint at size {SECOND_CHECKPOINT} is not validly signed by the node key"
    )


def test_a_ledger_of_another_node_key_is_reported_at_position_one(ledger: Ledger) -> None:
    other = NoteSigner("coldcheck-node-impostor", nacl.signing.SigningKey.generate())

    failure = _failure(ledger, trusted=other.verifier_key())

    assert failure.position == 1
    assert "the ledger's node key is not the key you trust" in failure.reason
