"""Which public key belongs to whom at each position of a ledger (docs/ledger.md §6).

Keys are introduced, rotated and revoked by ledger entries of the types below; the state at
position n is the result of the key entries before n. The audit replays it to check every
attestation against the key valid at that time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coldcheck.ledger.entry import Body, Record
from coldcheck.ledger.keys import check_attestation, key_id, public_key_bytes

OPENED = "ledger.opened"
KEY_CREATED = "key.created"
KEY_ROTATED = "key.rotated"
KEY_REVOKED = "key.revoked"
KEY_TYPES = frozenset({KEY_CREATED, KEY_ROTATED, KEY_REVOKED})


class KeyProblem(Exception):
    """A key entry or an attestation that does not hold; the message says why."""


@dataclass(slots=True)
class Keyring:
    """Active personal keys: key id -> (person, public key)."""

    active: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    current: dict[str, str] = field(default_factory=dict)  # person -> active key id
    retired: set[str] = field(default_factory=set)  # rotated away or revoked: never again

    def check_and_apply(self, record: Record) -> None:
        """Check the record's signatures against the keys valid now, then apply key changes."""
        body = record.body
        extra = self._introduced(body)
        retired = self._retired(body)
        self._check_signatures(record, extra)
        for kid in retired:
            self.retired.add(kid)
            person, _ = self.active.pop(kid)
            if self.current.get(person) == kid:
                del self.current[person]
        for kid, (person, public) in extra.items():
            self.active[kid] = (person, public)
            self.current[person] = kid

    def _introduced(self, body: Body) -> dict[str, tuple[str, bytes]]:
        if body.type not in (KEY_CREATED, KEY_ROTATED):
            return {}
        p = body.payload
        person, kid = _field(p, "person"), _field(p, "key")
        try:
            public = public_key_bytes(_field(p, "public_key"))
        except Exception as exc:
            raise KeyProblem(str(exc)) from exc
        if key_id(public) != kid:
            raise KeyProblem(f"key id {kid} does not match its public key")
        if kid in self.active:
            raise KeyProblem(f"key {kid} is already registered")
        if kid in self.retired:
            raise KeyProblem(f"key {kid} was rotated away or revoked and cannot come back")
        if body.type == KEY_CREATED and person in self.current:
            raise KeyProblem(f"{person} already has an active key; rotate it instead")
        return {kid: (person, public)}

    def _retired(self, body: Body) -> list[str]:
        p = body.payload
        if body.type == KEY_ROTATED:
            old = _field(p, "old_key")
            if self.current.get(_field(p, "person")) != old:
                raise KeyProblem(f"key {old} is not the active key of {p['person']}")
            return [old]
        if body.type == KEY_REVOKED:
            kid = _field(p, "key")
            if kid not in self.active or self.active[kid][0] != _field(p, "person"):
                raise KeyProblem(f"key {kid} is not an active key of {p['person']}")
            return [kid]
        return []

    def _check_signatures(self, record: Record, extra: dict[str, tuple[str, bytes]]) -> None:
        body = record.body
        required = set(body.attest)
        if len(required) != len(body.attest):
            raise KeyProblem("an attester is listed twice")
        signed: set[str] = set()
        seen: set[tuple[str, str]] = set()
        for sig in record.sigs:
            if (sig.by, sig.key) in seen:
                raise KeyProblem(f"duplicate signature by {sig.by}")
            seen.add((sig.by, sig.key))
            if sig.by not in required:
                raise KeyProblem(f"signature by {sig.by}, who is not listed as an attester")
            owner = extra.get(sig.key) or self.active.get(sig.key)
            if owner is None:
                raise KeyProblem(
                    f"signature by {sig.by} uses key {sig.key}, which is not valid at this position"
                )
            if owner[0] != sig.by:
                raise KeyProblem(f"key {sig.key} belongs to {owner[0]}, not {sig.by}")
            if not check_attestation(body, sig, owner[1]):
                raise KeyProblem(f"the signature by {sig.by} does not verify (forged or altered)")
            signed.add(sig.by)
        missing = required - signed
        if missing:
            raise KeyProblem(f"missing signature by {', '.join(sorted(missing))}")
        if body.type in (KEY_CREATED, KEY_ROTATED):
            keys_used = {k for (_, k) in seen}
            if not set(extra) <= keys_used:
                raise KeyProblem("a new key must sign the entry that introduces it")
            if body.type == KEY_ROTATED and body.payload["old_key"] not in keys_used:
                raise KeyProblem("a rotation must be signed by the old key too")


def _field(payload: dict[str, object], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value:
        raise KeyProblem(f"key entry field {name!r} is missing")
    return value
