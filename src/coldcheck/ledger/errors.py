"""Errors raised by the ledger package.

    LedgerError                    anything the ledger refuses or finds wrong
    ├── EncodingError              a value that cannot be put into an entry (floats, bad keys, ...)
    ├── ProofError                 a Merkle inclusion or consistency proof does not verify
    ├── NoteError                  a signed note or checkpoint is malformed or unsigned
    ├── SealedKeyError             a sealed personal key cannot be opened (wrong PIN, corrupt)
    └── VerificationError          an audit found the first position that fails, and why

Every error carries one sentence a person can act on; ``VerificationError`` also carries the
position (1-based sequence number) of the first entry that fails.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every ledger error."""


class EncodingError(LedgerError):
    """A value cannot be encoded canonically into a ledger entry."""


class ProofError(LedgerError):
    """A Merkle proof does not verify against the given root(s)."""


class NoteError(LedgerError):
    """A signed note or checkpoint is malformed, or carries no valid signature by a known key."""


class SealedKeyError(LedgerError):
    """A sealed personal key cannot be opened (wrong PIN or passphrase, or damaged data)."""


class VerificationError(LedgerError):
    """The first position at which an audit of a ledger fails."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(f"position {position}: {reason}")
        self.position = position
        self.reason = reason
