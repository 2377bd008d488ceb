"""Checkpoints, proofs and the full audit: the ledger operations the edges offer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from coldcheck.app.service import App
from coldcheck.domain.errors import InvalidInput
from coldcheck.domain.events import (
    Event,
    MeetingAttended,
    ProductionCreated,
    from_payload,
    required_attesters,
)
from coldcheck.domain.state import ProductionState, Stamp, evolve
from coldcheck.ledger import merkle
from coldcheck.ledger.audit import AuditReport, StoredRecord, audit
from coldcheck.ledger.entry import Body, decode, format_time
from coldcheck.ledger.note import Checkpoint, sign_note


def leaf_hashes(app: App, production: str) -> list[bytes]:
    return [merkle.leaf_hash(r.data) for r in app.store.read_stream(production)]


def checkpoint(app: App, production: str) -> str:
    """Sign and store a checkpoint of the production's whole ledger; return the note.

    Refused when this node's key is not the one the ledger names, and when the ledger does not
    pass the full audit: a checkpoint must never bless a ledger that was altered.
    """
    node = app.node()
    first = next(app.store.read_stream(production), None)
    if first is None:
        raise InvalidInput(f"Production {production} has no entries to checkpoint.", "")
    opened = decode(first.data).body.payload
    if opened.get("node_key") != node.verifier_key:
        raise InvalidInput(
            "This node's key is not the key that opened this ledger, so it "
            "cannot sign its checkpoints.",
            "Use the node key file that belongs to this store.",
        )
    report = verify(app, production, node.verifier_key)  # raises VerificationError
    note = sign_note(
        Checkpoint(
            origin=str(opened["origin"]),
            size=report.size,
            root_hash=bytes.fromhex(report.root_hash),
        ).to_text(),
        [node.signer],
    )
    app.store.add_checkpoint(production, report.size, note, format_time(app.clock()))
    return note


@dataclass(frozen=True, kw_only=True, slots=True)
class Proof:
    size: int
    root: str
    path: list[str]


def inclusion(app: App, production: str, seq: int, size: int | None = None) -> Proof:
    leaves = leaf_hashes(app, production)
    size = len(leaves) if size is None else size
    if not 1 <= seq <= size <= len(leaves):
        raise InvalidInput(
            f"Entry {seq} is not within a tree of size {size}.",
            f"The ledger holds {len(leaves)} entries.",
        )
    path = merkle.inclusion_proof(leaves[:size], seq - 1)
    root = merkle.root(leaves[:size])
    merkle.verify_inclusion(leaves[seq - 1], seq - 1, size, path, root)
    return Proof(size=size, root=root.hex(), path=[p.hex() for p in path])


def consistency(app: App, production: str, old: int, new: int | None = None) -> Proof:
    leaves = leaf_hashes(app, production)
    new = len(leaves) if new is None else new
    if not 1 <= old <= new <= len(leaves):
        raise InvalidInput(
            f"Sizes {old} and {new} do not fit a ledger of {len(leaves)}.",
            "Give 1 <= old <= new <= the ledger's size.",
        )
    path = merkle.consistency_proof(leaves[:new], old)
    root = merkle.root(leaves[:new])
    merkle.verify_consistency(old, new, merkle.root(leaves[:old]), root, path)
    return Proof(size=new, root=root.hex(), path=[p.hex() for p in path])


def _records(app: App, production: str) -> Iterator[StoredRecord]:
    for stored in app.store.read_stream(production):
        yield StoredRecord(seq=stored.seq, data=stored.data, hash=stored.hash)


class _Replay:
    """The application's check of each entry (docs/ledger.md §9 step 9), replaying the
    production: a known event with well-typed fields, signed by whom it must be, pointing at
    what it corrects, and fitting the state it is applied to."""

    def __init__(self) -> None:
        self.state = ProductionState()

    def __call__(self, body: Body) -> None:
        try:
            event = from_payload(body.type, body.schema, body.payload)
        except InvalidInput as exc:
            raise ValueError(exc.message) from exc
        required = required_attesters(event, body.actor, body.seq)
        if tuple(body.attest) != required:
            raise ValueError(
                f"a {body.type} entry must be attested by {', '.join(required) or 'nobody'}, "
                f"not {', '.join(body.attest) or 'nobody'}: a signature was removed or added"
            )
        pointer = body.corrects.seq if body.corrects is not None else None
        if pointer != event.corrects():
            raise ValueError(
                f"a {body.type} entry must point at entry {event.corrects()} it corrects, "
                f"not {pointer}"
            )
        if not self.state.opened and not isinstance(event, ProductionCreated):
            return  # a bare ledger (the spec's worked example) has no production to fit
        try:
            self.state = evolve(self.state, event, Stamp(seq=body.seq, time=body.time))
            _consistent(self.state, event)
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise ValueError(
                f"the {body.type} entry does not fit the production at that point "
                f"(it names {exc} that does not exist or is not valid there)"
            ) from exc


_PEOPLE_FIELDS = (
    "person",
    "by",
    "armorer",
    "giver",
    "receiver",
    "witness",
    "approver",
    "lead",
    "reviewer",
    "answered_by",
    "advisor",
    "trainer",
    "holder",
)


def _consistent(state: ProductionState, event: Event) -> None:
    """Whatever the event moved or named exists: its firearms, lots, people and stores, and
    where each firearm it names now is. An empty reference ("" for "none") names nothing."""
    firearms = [getattr(event, "firearm", ""), *list(getattr(event, "firearms", ()))]
    for named in firearms:
        if not isinstance(named, str) or not named:
            continue
        firearm = named.partition(":")[0]  # a plan's entries read FIREARM:CLASS:ROUNDS[:LOAD]
        if firearm not in state.firearms:
            raise KeyError(f"firearm {firearm}")
        where = state.location[firearm]
        if where.store is not None and where.store not in state.stores:
            raise KeyError(f"store {where.store}")
        if where.person is not None and where.person not in state.people:
            raise KeyError(f"person {where.person}")
    for lot in [getattr(event, "lot", ""), *list(getattr(event, "lots", ()))]:
        if isinstance(lot, str) and lot and lot not in state.lots and lot not in state.range_lots:
            raise KeyError(f"lot {lot}")
    people = [getattr(event, name, "") for name in _PEOPLE_FIELDS]
    people += list(getattr(event, "attendees", ()))
    for person in people:
        if isinstance(person, str) and person and person not in state.people:
            raise KeyError(f"person {person}")
    if isinstance(event, MeetingAttended):
        held = state.meetings[event.meeting]
        if event.person not in held.attendees or event.person == held.lead:
            raise KeyError(f"person {event.person} as someone on the roll of {event.meeting}")
    store = getattr(event, "store", "")
    if isinstance(store, str) and store and store not in state.stores:
        raise KeyError(f"store {store}")


def verify(
    app: App, production: str, trusted_node_key: str | None, extra_notes: Sequence[str] = ()
) -> AuditReport:
    """The full audit: ledger format, chain, signatures, checkpoints, and event schemas."""
    # Checkpoints kept off the node (``extra_notes``) bind history that the store alone
    # cannot: a truncated store with its newest checkpoints deleted fails against them.
    notes = [c.note for c in app.store.checkpoints(production)] + list(extra_notes)
    return audit(
        production, _records(app, production), notes, trusted_node_key, check_body=_Replay()
    )
