"""Generate the worked example (§12) and the event catalogue (§10) of docs/ledger.md.

Everything here is deterministic: fixed Ed25519 seeds, fixed times, production id "example".
The three entries are built with coldcheck's own library functions, exactly as the write path
builds them (coldcheck.app.journal), then audited with coldcheck.ledger.audit.audit; the
script exits with status 1 if the audit fails.

    python docs/examples/ledger_example.py              print the worked example (Markdown)
    python docs/examples/ledger_example.py --catalogue  print the event catalogue table
    python docs/examples/ledger_example.py --write      rewrite both blocks in docs/ledger.md

tests/unit/test_ledger_doc.py checks that docs/ledger.md holds exactly this output.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import typing
from collections.abc import Sequence
from dataclasses import MISSING, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

import nacl.signing

from coldcheck.domain import events as ev
from coldcheck.domain.errors import InvalidInput
from coldcheck.ledger import merkle
from coldcheck.ledger.audit import AuditReport, StoredRecord, audit
from coldcheck.ledger.entry import (
    ATTEST_DOMAIN,
    GENESIS_PREV,
    Body,
    Record,
    format_time,
)
from coldcheck.ledger.errors import VerificationError
from coldcheck.ledger.keys import attest, key_id, public_key_text
from coldcheck.ledger.note import Checkpoint, NoteSigner, sign_note

DOC = Path(__file__).resolve().parents[1] / "ledger.md"
EXAMPLE_MARKERS = ("<!-- example:start -->\n", "<!-- example:end -->")
CATALOGUE_MARKERS = ("<!-- catalogue:start -->\n", "<!-- catalogue:end -->")

PRODUCTION = "example"
NODE_NAME = "coldcheck-node-example"
NODE_SEED = bytes([0x01]) * 32  # test seeds: never use a fixed seed for a real key
PERSON = "P01"
PERSON_SEED = bytes([0x02]) * 32
ORIGIN = f"coldcheck/{NODE_NAME}/{PRODUCTION}"
TIMES = (
    datetime(2026, 3, 2, 7, 30, 0, tzinfo=UTC),
    datetime(2026, 3, 2, 7, 31, 5, 250000, tzinfo=UTC),
    datetime(2026, 3, 2, 9, 12, 40, 125000, tzinfo=UTC),
)


@dataclass(frozen=True, slots=True)
class Example:
    """The example ledger: keys, records, the checkpoint note and the audit's report."""

    node: NoteSigner
    person: nacl.signing.SigningKey
    records: tuple[Record, ...]
    note: str
    report: AuditReport

    @property
    def leaves(self) -> list[bytes]:
        return [merkle.leaf_hash(r.data) for r in self.records]

    @property
    def stored(self) -> list[StoredRecord]:
        return [StoredRecord(seq=r.body.seq, data=r.data, hash=r.hash) for r in self.records]


def _events(node: NoteSigner, person: nacl.signing.SigningKey) -> list[ev.Event]:
    public = bytes(person.verify_key)
    return [
        ev.LedgerOpened(origin=ORIGIN, node_key=node.verifier_key()),
        ev.KeyCreated(person=PERSON, key=key_id(public), public_key=public_key_text(public)),
        ev.HandoffProposed(handoff="H0001", firearm="F01", giver=PERSON, receiver="P02"),
    ]


def _records(events: Sequence[ev.Event], person: nacl.signing.SigningKey) -> list[Record]:
    """Chain and sign the events as coldcheck.app.journal does."""
    out: list[Record] = []
    prev = GENESIS_PREV
    for seq, (event, moment) in enumerate(zip(events, TIMES, strict=True), start=1):
        body = Body(
            seq=seq,
            production=PRODUCTION,
            time=format_time(moment),
            actor=PERSON,
            node=NODE_NAME,
            type=event.TYPE,
            schema=event.SCHEMA,
            payload=event.payload(),
            prev=prev,
            attest=ev.required_attesters(event, PERSON, seq),
        )
        sigs = tuple(attest(body, who, person) for who in body.attest)
        record = Record.seal(body, sigs)
        out.append(record)
        prev = record.hash.hex()
    return out


def known_event(body: Body) -> None:
    """The application-level check of §9 step 9: a known event, attested as the catalogue says."""
    try:
        event = ev.from_payload(body.type, body.schema, body.payload)
    except InvalidInput as exc:
        raise ValueError(f"the entry does not hold a known event: {exc.message}") from exc
    required = ev.required_attesters(event, body.actor, body.seq)
    if body.attest != required:
        raise ValueError(f"{body.type} must be attested by {list(required)}")
    target = event.corrects()
    if target is not None and (body.corrects is None or body.corrects.seq != target):
        raise ValueError(f"{body.type} must carry corrects, pointing at entry {target}")


def build() -> Example:
    """Build the three records and the checkpoint, and audit them; raise if the audit fails."""
    node = NoteSigner(NODE_NAME, nacl.signing.SigningKey(NODE_SEED))
    person = nacl.signing.SigningKey(PERSON_SEED)
    records = _records(_events(node, person), person)
    leaves = [merkle.leaf_hash(r.data) for r in records]
    note = sign_note(Checkpoint(ORIGIN, len(leaves), merkle.root(leaves)).to_text(), [node])
    stored = [StoredRecord(seq=r.body.seq, data=r.data, hash=r.hash) for r in records]
    report = audit(PRODUCTION, stored, [note], node.verifier_key(), check_body=known_event)
    return Example(node=node, person=person, records=tuple(records), note=note, report=report)


# -- rendering ----------------------------------------------------------------------------------


def _code(text: str) -> str:
    return f"`{text}`"


def _keys_section(x: Example) -> list[str]:
    node_public = x.node.verifier().public_key
    public = bytes(x.person.verify_key)
    node_hash_input = NODE_NAME.encode() + b"\n\x01" + node_public
    return [
        "### 12.1 Keys",
        "",
        "Test keys from fixed seeds. Never derive a real key from a fixed seed.",
        "",
        "| what | value |",
        "|---|---|",
        "| node key seed | 32 bytes of `0x01` |",
        f"| node key name | {_code(NODE_NAME)} |",
        f"| node public key (hex) | {_code(node_public.hex())} |",
        "| node key hash = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[0:4] "
        f"| {_code(hashlib.sha256(node_hash_input).hexdigest()[:8])} |",
        f"| node verifier key (vkey) | {_code(x.node.verifier_key())} |",
        f"| origin | {_code(ORIGIN)} |",
        f"| {PERSON}'s key seed | 32 bytes of `0x02` |",
        f"| {PERSON}'s public key (hex) | {_code(public.hex())} |",
        f"| {PERSON}'s public key (base64, as in the payload) | {_code(public_key_text(public))} |",
        f"| {PERSON}'s key id = `k` ‖ SHA-256(public key)[0:8] in hex | {_code(key_id(public))} |",
        "",
    ]


def _entry_section(index: int, record: Record) -> list[str]:
    body = record.body
    data = record.data
    lines = [
        f"### 12.{index + 2} Entry {body.seq}: `{body.type}`",
        "",
        f"Record bytes: {len(data)} bytes of UTF-8, exactly the line below "
        "(no newline at the end).",
        "",
        "```text",
        data.decode("utf-8"),
        "```",
        "",
        "| what | value (hex) |",
        "|---|---|",
        "| entry hash = SHA-256(`coldcheck/entry/v1` ‖ 0x00 ‖ record) "
        f"| {_code(record.hash.hex())} |",
        f"| leaf hash = SHA-256(0x00 ‖ record) | {_code(merkle.leaf_hash(data).hex())} |",
    ]
    if record.sigs:
        signing = body.signing_bytes()
        jcs_body = signing[len(ATTEST_DOMAIN) :]
        if not data.startswith(b'{"entry":' + jcs_body + b',"sigs":'):
            raise RuntimeError("JCS(body) is not the record's 'entry' member (§4.1)")
        lines.append(
            f"| signing bytes = `coldcheck/attest/v1` ‖ 0x00 ‖ JCS(body): {len(signing)} bytes, "
            f"SHA-256 | {_code(hashlib.sha256(signing).hexdigest())} |"
        )
        for sig in record.sigs:
            lines.append(f"| signature by {sig.by} with key {sig.key} | {_code(sig.sig.hex())} |")
    lines.append("")
    if body.prev == GENESIS_PREV:
        lines.append("`prev` is the genesis value: 64 zeros.")
    else:
        lines.append(f"`prev` is the entry hash of entry {body.seq - 1}.")
    if record.sigs:
        lines.append(
            f"JCS(body) is the {len(signing) - len(ATTEST_DOMAIN)} bytes of the record between "
            '`{"entry":` and `,"sigs":`.'
        )
    lines.append("")
    return lines


def _tree_section(x: Example) -> list[str]:
    leaves = x.leaves
    size = len(leaves)
    inner = merkle.node_hash(leaves[0], leaves[1])
    root = merkle.root(leaves)
    if merkle.node_hash(inner, leaves[2]) != root:
        raise RuntimeError("the root of size 3 is not node(node(0,1), leaf 2)")
    proof = merkle.inclusion_proof(leaves, 1)
    merkle.verify_inclusion(leaves[1], 1, size, proof, root)
    old_root = merkle.root(leaves[:2])
    consistency = merkle.consistency_proof(leaves, 2)
    merkle.verify_consistency(2, size, old_root, root, consistency)
    n = len(x.records) + 2
    return [
        f"### 12.{n} Merkle tree of size {size}",
        "",
        "| what | value (hex) |",
        "|---|---|",
        *(f"| leaf {i} (entry {i + 1}) | {_code(h.hex())} |" for i, h in enumerate(leaves)),
        f"| node(0,1) = SHA-256(0x01 ‖ leaf 0 ‖ leaf 1) = root of size 2 | {_code(inner.hex())} |",
        f"| root of size 3 = SHA-256(0x01 ‖ node(0,1) ‖ leaf 2) | {_code(root.hex())} |",
        "",
        f"Inclusion proof of entry 2 (leaf index 1) in the tree of size {size}: "
        + ", ".join(_code(p.hex()) for p in proof)
        + ".",
        "",
        f"Consistency proof from size 2 to size {size}: "
        + ", ".join(_code(p.hex()) for p in consistency)
        + ".",
        "",
    ]


def _checkpoint_section(x: Example) -> list[str]:
    text = x.note[: x.note.rindex("\n\n") + 1]
    sig_line = x.note[len(text) + 1 :].rstrip("\n")
    raw = base64.b64decode(sig_line.rsplit(" ", 1)[1])
    n = len(x.records) + 3
    return [
        f"### 12.{n} Checkpoint",
        "",
        f"The signed note, {len(x.note.encode('utf-8'))} bytes of UTF-8; every line, the last "
        "one included, ends with one newline (0x0A), and the empty line is part of the note:",
        "",
        "```text",
        x.note.rstrip("\n"),
        "```",
        "",
        f"The signed text is the first {len(text.encode('utf-8'))} bytes (origin, size and root, "
        "each line with its newline). The signature line holds base64 of the key hash "
        f"{_code(raw[:4].hex())} followed by the 64-byte Ed25519 signature "
        f"{_code(raw[4:].hex())}.",
        "",
    ]


def _audit_section(x: Example) -> list[str]:
    r = x.report
    n = len(x.records) + 4
    return [
        f"### 12.{n} Audit result",
        "",
        '`coldcheck.ledger.audit.audit("example", records, [note], trusted_node_key=<the vkey '
        "above>, check_body=<§9 step 9>)` passes and reports:",
        "",
        "| field | value |",
        "|---|---|",
        f"| size | {r.size} |",
        f"| head_hash | {_code(r.head_hash)} |",
        f"| root_hash | {_code(r.root_hash)} |",
        f"| checkpoints | {r.checkpoints} |",
        f"| last_checkpoint_size | {r.last_checkpoint_size} |",
        f"| anchored | {str(r.anchored).lower()} |",
        "",
        "",
    ]


def example_markdown(x: Example) -> str:
    """The §12 Markdown: keys, the three entries, the tree, the checkpoint, the audit."""
    lines = [
        "<!-- generated by docs/examples/ledger_example.py; do not edit by hand -->",
        "",
        *_keys_section(x),
    ]
    for index, record in enumerate(x.records):
        lines += _entry_section(index, record)
    lines += _tree_section(x) + _checkpoint_section(x) + _audit_section(x)
    return "\n".join(lines)


_JSON_TYPES = {str: "string", int: "integer", bool: "boolean", tuple[str, ...]: "array of strings"}


def _json(value: object) -> str:
    return json.dumps(value)


def _field_text(cls: type[ev.Event]) -> str:
    hints = typing.get_type_hints(cls)
    parts = []
    for f in fields(cls):
        kind = _JSON_TYPES.get(hints[f.name], str(hints[f.name]))
        optional = "" if f.default is MISSING else f", may be absent: {_json(f.default)}"
        parts.append(f"`{f.name}` ({kind}{optional})")
    return ", ".join(parts)


def catalogue_markdown() -> str:
    """The §10 table, one row per entry of coldcheck.domain.events.REGISTRY."""
    lines = [
        "<!-- generated by docs/examples/ledger_example.py --catalogue; do not edit by hand -->",
        "",
        "| type | schema | payload fields | attested by | corrects |",
        "|---|---|---|---|---|",
    ]
    for name, cls in ev.REGISTRY.items():
        signers = [f"`{a}`" for a in cls.ATTESTED_BY] + (["the actor"] if cls.ACTOR_SIGNS else [])
        attested = ", ".join(signers) or "nobody"
        corrects = "`entry`" if cls.corrects is not ev.Event.corrects else "—"
        lines.append(f"| `{name}` | {cls.SCHEMA} | {_field_text(cls)} | {attested} | {corrects} |")
    return "\n".join(lines) + "\n\n"


def _replace_block(doc: str, markers: tuple[str, str], content: str) -> str:
    start, end = markers
    head, found, rest = doc.partition(start)
    if not found or end not in rest:
        raise SystemExit(f"{DOC} has no {start.strip()} ... {end} block")
    return head + start + content + end + rest.split(end, 1)[1]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--catalogue", action="store_true", help="print the event catalogue")
    parser.add_argument("--write", action="store_true", help="rewrite the blocks in ledger.md")
    args = parser.parse_args(argv)
    try:
        example = build()
    except VerificationError as exc:
        print(f"the example does not pass the audit: {exc}", file=sys.stderr)
        return 1
    if args.write:
        doc = DOC.read_text(encoding="utf-8")
        doc = _replace_block(doc, EXAMPLE_MARKERS, example_markdown(example))
        doc = _replace_block(doc, CATALOGUE_MARKERS, catalogue_markdown())
        DOC.write_text(doc, encoding="utf-8")
    elif args.catalogue:
        sys.stdout.write(catalogue_markdown())
    else:
        sys.stdout.write(example_markdown(example))
    return 0


if __name__ == "__main__":
    sys.exit(main())
