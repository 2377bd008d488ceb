"""docs/ledger.md stays true to the code, and is implementable from its own text.

* §12 (the worked example) and the §10 catalogue are exactly what
  ``docs/examples/ledger_example.py`` prints now, so the document cannot drift;
* the example ledger passes coldcheck's audit, and fails it where §9.6 says it does;
* every hash, the Merkle root and every signature of the example are re-derived from the bytes
  *printed in the document*, with hashlib and PyNaCl only, not with coldcheck's code.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import nacl.signing
import pytest

from coldcheck.app import ledgerops
from coldcheck.app.service import App
from coldcheck.domain.events import REGISTRY
from coldcheck.ledger.audit import AuditReport, StoredRecord, audit
from coldcheck.ledger.errors import VerificationError
from coldcheck.store.port import NewRecord

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ledger.md"
SCRIPT = ROOT / "docs" / "examples" / "ledger_example.py"
FIX = "the document is stale: run `python docs/examples/ledger_example.py --write`"

ENTRY_DOMAIN = b"coldcheck/entry/v1\x00"
ATTEST_DOMAIN = b"coldcheck/attest/v1\x00"
HEX64 = r"`([0-9a-f]{64})`"


def _block(name: str) -> str:
    start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
    doc = DOC.read_text(encoding="utf-8")
    assert doc.count(start) == 1, f"docs/ledger.md needs exactly one {start.strip()} marker"
    assert doc.count(end) == 1, f"docs/ledger.md needs exactly one {end} marker"
    return doc.split(start, 1)[1].split(end, 1)[0]


def _run_generator(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT / "src")},
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return done.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def generator() -> Iterator[ModuleType]:
    """The example script, imported from its file (docs/ is not a package)."""
    name = "coldcheck_docs_ledger_example"
    spec = importlib.util.spec_from_file_location(name, SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses resolve annotations through sys.modules
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[name]


# -- the document is the generator's current output ---------------------------------------------


def test_worked_example_is_the_generators_current_output() -> None:
    assert _block("example") == _run_generator(), FIX


def test_event_catalogue_is_the_generators_current_output() -> None:
    assert _block("catalogue") == _run_generator("--catalogue"), FIX


def test_every_registered_event_type_has_a_row_in_the_catalogue_table() -> None:
    rows = re.findall(r"^\| `([a-z0-9_.]+)` \| \d+ \|", _block("catalogue"), re.MULTILINE)
    assert sorted(rows) == sorted(REGISTRY), FIX
    assert len(rows) == len(set(rows))


# -- the example passes the audit, and fails it as §9.6 says -------------------------------------


def _audit(generator: ModuleType, records: list[StoredRecord], key: str | None = None) -> Any:
    example: Any = generator.build()
    return audit(
        "example",
        records,
        [example.note],
        key if key is not None else example.node.verifier_key(),
        check_body=generator.known_event,
    )


def test_example_passes_the_audit_anchored_on_its_node_key(generator: ModuleType) -> None:
    example: Any = generator.build()
    report: AuditReport = _audit(generator, example.stored)
    assert (report.size, report.checkpoints, report.last_checkpoint_size) == (3, 1, 3)
    assert report.anchored
    assert report.head_hash == example.records[-1].hash.hex()


def test_example_fails_the_audit_when_an_entry_is_altered(generator: ModuleType) -> None:
    stored: list[StoredRecord] = generator.build().stored
    altered = stored[2].data.replace(b'"receiver":"P02"', b'"receiver":"P03"')
    stored[2] = replace(stored[2], data=altered)
    with pytest.raises(VerificationError, match="it was altered") as caught:
        _audit(generator, stored)
    assert caught.value.position == 3


def test_example_fails_the_audit_when_truncated_below_its_checkpoint(
    generator: ModuleType,
) -> None:
    stored: list[StoredRecord] = generator.build().stored
    with pytest.raises(VerificationError, match="truncated") as caught:
        _audit(generator, stored[:2])
    assert caught.value.position == 3


def test_example_fails_the_audit_against_another_trusted_node_key(generator: ModuleType) -> None:
    other = generator.NoteSigner("coldcheck-node-example", nacl.signing.SigningKey(b"\x09" * 32))
    with pytest.raises(VerificationError, match="not the key you trust") as caught:
        _audit(generator, generator.build().stored, other.verifier_key())
    assert caught.value.position == 1


# -- an independent verifier, from the printed bytes alone ---------------------------------------


def _printed_records() -> list[bytes]:
    block = _block("example")
    lines = re.findall(r"^(\{\"entry\":.*\})$", block, re.MULTILINE)
    sizes = [int(n) for n in re.findall(r"^Record bytes: (\d+) bytes", block, re.MULTILINE)]
    records = [line.encode("utf-8") for line in lines]
    assert len(records) == 3
    assert [len(r) for r in records] == sizes
    return records


def _printed(label: str) -> list[str]:
    pattern = rf"^\| {re.escape(label)}[^|]*\| {HEX64} \|$"
    return re.findall(pattern, _block("example"), re.MULTILINE)


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def test_printed_records_give_the_printed_entry_and_leaf_hashes() -> None:
    records = _printed_records()
    entry_hashes = [_sha256(ENTRY_DOMAIN + r).hex() for r in records]
    assert entry_hashes == _printed("entry hash")
    assert [_sha256(b"\x00" + r).hex() for r in records] == _printed("leaf hash")


def test_printed_records_form_the_chain_from_genesis() -> None:
    records = _printed_records()
    bodies = [json.loads(r)["entry"] for r in records]
    assert [b["seq"] for b in bodies] == [1, 2, 3]
    expected_prev = ["0" * 64] + [_sha256(ENTRY_DOMAIN + r).hex() for r in records[:-1]]
    assert [b["prev"] for b in bodies] == expected_prev
    for record in records:  # canonical: sorted keys, no whitespace, no ASCII escaping
        value = json.loads(record)
        canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert canonical.encode("utf-8") == record


def test_printed_records_give_the_printed_merkle_root_and_checkpoint() -> None:
    leaves = [_sha256(b"\x00" + r) for r in _printed_records()]
    root = _sha256(b"\x01" + _sha256(b"\x01" + leaves[0] + leaves[1]) + leaves[2])
    assert _printed("root of size 3") == [root.hex()]
    origin, size, root64 = _printed_note()[0].splitlines()
    assert (origin, size) == ("coldcheck/coldcheck-node-example/example", "3")
    assert base64.b64decode(root64, validate=True) == root


def _printed_note() -> tuple[str, str, str]:
    """The checkpoint note printed in §12: (signed text, key name, base64 signature)."""
    match = re.search(r"### 12\.\d+ Checkpoint\n.*?```text\n(.*?)\n```", _block("example"), re.S)
    assert match is not None
    note = match.group(1) + "\n"  # every line of a note ends with a newline
    text, signatures = note.split("\n\n")
    dash, name, sig64 = signatures.rstrip("\n").split(" ")
    assert dash == "\u2014"
    return text + "\n", name, sig64


def test_printed_checkpoint_signature_verifies_with_the_node_key_of_entry_1() -> None:
    opened = json.loads(_printed_records()[0])["entry"]
    assert opened["type"] == "ledger.opened"
    vkey_name, vkey_hash, vkey64 = opened["payload"]["node_key"].split("+")
    typed_key = base64.b64decode(vkey64, validate=True)
    assert typed_key[0] == 0x01
    assert len(typed_key) == 33
    assert _sha256(vkey_name.encode() + b"\n" + typed_key)[:4].hex() == vkey_hash
    text, name, sig64 = _printed_note()
    raw = base64.b64decode(sig64, validate=True)
    assert name == vkey_name
    assert raw[:4].hex() == vkey_hash
    nacl.signing.VerifyKey(typed_key[1:]).verify(text.encode("utf-8"), raw[4:])


def test_printed_attestations_verify_with_the_key_created_in_entry_2() -> None:
    records = _printed_records()
    created = json.loads(records[1])["entry"]["payload"]
    public = base64.b64decode(created["public_key"], validate=True)
    assert created["key"] == "k" + hashlib.sha256(public).hexdigest()[:16]
    signing: list[str] = []
    for record in records:
        body = record[len(b'{"entry":') : record.rindex(b',"sigs":')]
        entry = json.loads(record)
        assert json.loads(body) == entry["entry"]
        for sig in entry["sigs"]:
            assert (sig["by"], sig["key"]) == ("P01", created["key"])
            raw = base64.b64decode(sig["sig"], validate=True)
            nacl.signing.VerifyKey(public).verify(ATTEST_DOMAIN + body, raw)
            signing.append(_sha256(ATTEST_DOMAIN + body).hex())
    assert _printed("signing bytes") == signing


# -- the strict points of the specification (docs/ledger.md §9) ---------------------------------
# Each test asserts what the specification requires of `coldcheck verify` (ledgerops.verify on a
# store), for a record an independent verifier would reject.


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _stored(data: bytes, seq: int) -> StoredRecord:
    return StoredRecord(seq=seq, data=data, hash=_sha256(ENTRY_DOMAIN + data))


def _fourth(generator: ModuleType, **changes: Any) -> list[StoredRecord]:
    """The example plus a fourth, unsigned entry (store.locked unless ``changes`` say else)."""
    stored: list[StoredRecord] = generator.build().stored
    entry = json.loads(stored[2].data)["entry"]
    entry.update(seq=4, prev=stored[2].hash.hex(), type="store.locked", attest=[])
    entry.update({"payload": {"store": "S01"}, **changes})
    return [*stored, _stored(_canonical({"entry": entry, "sigs": []}), 4)]


def _verify_fails(
    app: App, generator: ModuleType, stored: list[StoredRecord], notes: list[str] | None = None
) -> VerificationError:
    """Store the records and checkpoints, run what `coldcheck verify` runs, return its failure."""
    example: Any = generator.build()
    app.store.append("example", 0, [NewRecord(seq=r.seq, data=r.data, hash=r.hash) for r in stored])
    for note in [example.note] if notes is None else notes:
        size = int(note.split("\n")[1])
        app.store.add_checkpoint("example", size, note, "2026-03-02T10:00:00.000000Z")
    with pytest.raises(VerificationError) as caught:
        ledgerops.verify(app, "example", example.node.verifier_key())
    return caught.value


def _unreadable_at_4(failure: VerificationError) -> bool:
    return failure.position == 4 and "cannot be read" in failure.reason


def test_spec_an_attested_event_type_with_an_empty_attest_fails(
    generator: ModuleType, app: App
) -> None:
    handoff = {"handoff": "H0001", "firearm": "F01", "giver": "P01", "receiver": "P02"}
    stored = _fourth(generator, type="custody.handoff_accepted", payload=handoff)
    assert _verify_fails(app, generator, stored).position == 4


def test_spec_a_correction_naming_the_wrong_hash_fails(generator: ModuleType, app: App) -> None:
    payload = {"person": "P01", "entry": 2, "name": "Hannah Reed", "reason": "typo"}
    corrects = {"seq": 2, "hash": "ab" * 32}
    stored = _fourth(generator, type="person.corrected", payload=payload, corrects=corrects)
    assert _verify_fails(app, generator, stored).position == 4


def test_spec_a_correction_event_without_its_pointer_fails(generator: ModuleType, app: App) -> None:
    payload = {"person": "P01", "entry": 2, "name": "Hannah Reed", "reason": "typo"}
    stored = _fourth(generator, type="person.corrected", payload=payload)
    assert _verify_fails(app, generator, stored).position == 4


def test_spec_an_id_with_a_trailing_newline_is_unreadable(generator: ModuleType, app: App) -> None:
    assert _unreadable_at_4(_verify_fails(app, generator, _fourth(generator, actor="P01\n")))


def test_spec_a_time_in_full_width_digits_is_unreadable(generator: ModuleType, app: App) -> None:
    stored = _fourth(generator, time="\uff12\uff10\uff12\uff16-03-02T09:13:00.000000Z")
    assert _unreadable_at_4(_verify_fails(app, generator, stored))


def test_spec_an_impossible_date_is_unreadable(generator: ModuleType, app: App) -> None:
    stored = _fourth(generator, time="2026-02-30T07:00:00.000000Z")
    assert _unreadable_at_4(_verify_fails(app, generator, stored))


def test_spec_deeply_nested_json_is_unreadable(generator: ModuleType, app: App) -> None:
    stored = _fourth(generator, payload={"store": "NEST"})
    data = stored[3].data.replace(b'"NEST"', b"[" * 100_000 + b"]" * 100_000)
    stored[3] = _stored(data, 4)
    assert _unreadable_at_4(_verify_fails(app, generator, stored))


def test_spec_a_boolean_correction_seq_is_unreadable(generator: ModuleType, app: App) -> None:
    first: StoredRecord = generator.build().stored[0]
    payload = {"person": "P01", "entry": 1, "name": "Hannah Reed", "reason": "typo"}
    corrects = {"seq": True, "hash": first.hash.hex()}
    stored = _fourth(generator, type="person.corrected", payload=payload, corrects=corrects)
    assert _unreadable_at_4(_verify_fails(app, generator, stored))


def _non_canonical(b64: str) -> str:
    """The same bytes in base64 with non-zero padding bits (for a text ending in '==')."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet[alphabet.index(b64[-3]) | 1]
    return b64[:-3] + last + "=="


def test_spec_a_signature_in_non_canonical_base64_is_unreadable(
    generator: ModuleType, app: App
) -> None:
    handoff = {"handoff": "H0002", "firearm": "F01", "giver": "P01", "receiver": "P02"}
    stored = _fourth(generator, type="custody.handoff_proposed", payload=handoff, attest=["P01"])
    entry = json.loads(stored[3].data)["entry"]
    key = generator.build().person
    sig64 = base64.b64encode(key.sign(ATTEST_DOMAIN + _canonical(entry)).signature).decode()
    odd = _non_canonical(sig64)
    assert odd != sig64
    assert base64.b64decode(odd, validate=True) == base64.b64decode(sig64)
    signer = {"by": "P01", "key": json.loads(stored[1].data)["entry"]["payload"]["key"]}
    stored[3] = _stored(_canonical({"entry": entry, "sigs": [signer | {"sig": sig64}]}), 4)
    _audit(generator, stored)  # with the canonical text the entry passes
    stored[3] = _stored(_canonical({"entry": entry, "sigs": [signer | {"sig": odd}]}), 4)
    assert _unreadable_at_4(_verify_fails(app, generator, stored))


def test_spec_a_size_0_checkpoint_must_carry_the_empty_root(
    generator: ModuleType, app: App
) -> None:
    example: Any = generator.build()
    bad = generator.sign_note(
        generator.Checkpoint(generator.ORIGIN, 0, b"\x07" * 32).to_text(), [example.node]
    )
    _verify_fails(app, generator, example.stored, [example.note, bad])


def test_spec_a_broken_link_from_entry_1_is_reported_at_1(generator: ModuleType, app: App) -> None:
    record = json.loads(generator.build().stored[0].data)
    record["entry"]["prev"] = "ab" * 32
    assert _verify_fails(app, generator, [_stored(_canonical(record), 1)], []).position == 1
