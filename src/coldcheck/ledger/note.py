"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, and tlog checkpoints.

A signed note is a text ending in a newline, a blank line, then signature lines::

    — <key name> base64(4-byte big-endian key ID || 64-byte Ed25519 signature)

The signature covers the text, final newline included. The key ID is the first four bytes
of ``SHA-256(name || 0x0A || 0x01 || public key)``. Keys travel as the strings of Go's
golang.org/x/mod/sumdb/note: ``name+hash+base64(0x01 || public key)`` for verifiers and
``PRIVATE+KEY+name+hash+base64(0x01 || seed)`` for signers.

A checkpoint (c2sp.org/tlog-checkpoint) is a note text of origin, tree size and root hash,
optionally followed by extension lines.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import nacl.exceptions
import nacl.signing

from coldcheck.ledger.errors import NoteError

ED25519_TYPE = 0x01
MAX_SIGNATURES = 100
_SIG_PREFIX = "\u2014 "
_HASH_HEX = re.compile(r"[0-9a-fA-F]{8}")
_TREE_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")
_MAX_TREE_SIZE = 2**64 - 1
_ROOT_SIZE = 32


def _valid_name(name: str) -> bool:
    """Return True for a key name: non-empty, no '+', no (Unicode) space, no control char."""
    return bool(name) and "+" not in name and not any(ch.isspace() or ord(ch) < 0x20 for ch in name)


def _key_hash(name: str, typed_key: bytes) -> int:
    """Return the key ID: the first four bytes of SHA-256(name || 0x0A || typed key)."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + typed_key).digest()
    return int.from_bytes(digest[:4], "big")


def _b64decode(text: str, what: str) -> bytes:
    """Decode standard, padded, canonical base64 or raise NoteError naming ``what``."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise NoteError(f"the {what} is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError(f"the {what} is not canonical base64")
    return raw


def _b64encode(raw: bytes) -> str:
    """Encode bytes as standard padded base64 text."""
    return base64.b64encode(raw).decode("ascii")


def _parse_key_string(parts: list[str], what: str) -> tuple[str, int, bytes]:
    """Check ``[name, hash hex, base64 typed Ed25519 key]``; return name, hash and raw key."""
    if len(parts) != 3:
        raise NoteError(f"the {what} does not have the form name+hash+key")
    name, hash_hex, key64 = parts
    if not _valid_name(name):
        raise NoteError(f"the {what} has an invalid key name {name!r}")
    if not _HASH_HEX.fullmatch(hash_hex):
        raise NoteError(f"the {what} has a key hash that is not 8 hexadecimal digits")
    typed = _b64decode(key64, f"key data of the {what}")
    if not typed or typed[0] != ED25519_TYPE:
        raise NoteError(f"the {what} is not an Ed25519 key (type byte 0x01)")
    if len(typed) != 33:
        raise NoteError(f"the {what} holds {len(typed) - 1} key bytes, not 32")
    return name, int(hash_hex, 16), typed[1:]


class NoteVerifier:
    """An Ed25519 public key with its name, able to check note signatures."""

    def __init__(self, name: str, public_key: bytes) -> None:
        """Build a verifier from a key name and a 32-byte Ed25519 public key."""
        if not _valid_name(name):
            raise NoteError(f"invalid key name {name!r}")
        if len(public_key) != 32:
            raise NoteError(f"an Ed25519 public key is 32 bytes, not {len(public_key)}")
        self.name = name
        self.public_key = bytes(public_key)
        self.key_hash = _key_hash(name, bytes([ED25519_TYPE]) + self.public_key)
        self._key = nacl.signing.VerifyKey(self.public_key)

    @classmethod
    def from_verifier_key(cls, vkey: str) -> NoteVerifier:
        """Parse ``name+hash+base64(0x01 || public key)``; NoteError if malformed."""
        name, key_hash, public_key = _parse_key_string(vkey.split("+", 2), "verifier key")
        verifier = cls(name, public_key)
        if verifier.key_hash != key_hash:
            raise NoteError("the verifier key's hash does not match its name and key")
        return verifier

    def verifier_key(self) -> str:
        """Return the verifier key string ``name+xxxxxxxx+base64(0x01 || public key)``."""
        key64 = _b64encode(bytes([ED25519_TYPE]) + self.public_key)
        return f"{self.name}+{self.key_hash:08x}+{key64}"

    def verify(self, text: str, sig: bytes) -> bool:
        """Return True when ``sig`` is this key's Ed25519 signature of the UTF-8 ``text``."""
        if len(sig) != 64:
            return False
        try:
            self._key.verify(text.encode("utf-8"), sig)
        except (nacl.exceptions.BadSignatureError, UnicodeEncodeError):
            return False
        return True

    def __repr__(self) -> str:
        """Show the name and key hash."""
        return f"NoteVerifier({self.name}+{self.key_hash:08x})"


class NoteSigner:
    """An Ed25519 signing key with its name, able to sign notes."""

    def __init__(self, name: str, signing_key: nacl.signing.SigningKey) -> None:
        """Build a signer from a key name and a PyNaCl signing key."""
        self._verifier = NoteVerifier(name, signing_key.verify_key.encode())
        self._key = signing_key
        self.name = name
        self.key_hash = self._verifier.key_hash

    @classmethod
    def from_private_key_string(cls, s: str) -> NoteSigner:
        """Parse ``PRIVATE+KEY+name+hash+base64(0x01 || seed)``; NoteError if malformed."""
        parts = s.split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("the private key does not start with PRIVATE+KEY+")
        name, key_hash, seed = _parse_key_string(parts[2:], "private key")
        signer = cls(name, nacl.signing.SigningKey(seed))
        if signer.key_hash != key_hash:
            raise NoteError("the private key's hash does not match its name and public key")
        return signer

    def verifier(self) -> NoteVerifier:
        """Return the matching verifier."""
        return self._verifier

    def verifier_key(self) -> str:
        """Return the public verifier key string for this signer."""
        return self._verifier.verifier_key()

    def private_key_string(self) -> str:
        """Return the secret ``PRIVATE+KEY+name+hash+base64(0x01 || seed)`` string."""
        seed64 = _b64encode(bytes([ED25519_TYPE]) + self._key.encode())
        return f"PRIVATE+KEY+{self.name}+{self.key_hash:08x}+{seed64}"

    def sign(self, text: str) -> bytes:
        """Return the raw 64-byte Ed25519 signature of the UTF-8 ``text``."""
        return self._key.sign(text.encode("utf-8")).signature

    def __repr__(self) -> str:
        """Show the name and key hash, never the key."""
        return f"NoteSigner({self.name}+{self.key_hash:08x})"


def _check_note_chars(text: str, what: str) -> None:
    """Raise NoteError unless ``text`` is UTF-8-encodable with no control chars but newline."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NoteError(f"the {what} is not valid UTF-8") from exc
    for ch in text:
        if ord(ch) < 0x20 and ch != "\n":
            raise NoteError(f"the {what} contains the control character {ch!r}")


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """Return ``text`` signed by every signer, as a C2SP signed note.

    The text must be non-empty, end in a newline and hold no control characters other than
    newline. Empty lines inside the text are allowed (the spec separates text from
    signatures at the *last* blank line). Raises NoteError otherwise, or without signers.
    """
    if not text.endswith("\n"):
        raise NoteError("a note text must end with a newline")
    _check_note_chars(text, "note text")
    if not signers:
        raise NoteError("a signed note needs at least one signer")
    lines = [
        f"{_SIG_PREFIX}{s.name} {_b64encode(s.key_hash.to_bytes(4, 'big') + s.sign(text))}\n"
        for s in signers
    ]
    return text + "\n" + "".join(lines)


def _parse_signature_line(line: str) -> tuple[str, int, bytes]:
    """Split one signature line into key name, key hash and raw signature."""
    if not line.startswith(_SIG_PREFIX):
        raise NoteError("a signature line does not start with an em dash and a space")
    name, sep, sig64 = line[len(_SIG_PREFIX) :].partition(" ")
    if not sep or not _valid_name(name):
        raise NoteError("a signature line has no valid key name")
    raw = _b64decode(sig64, f"signature by {name}")
    if len(raw) < 5:
        raise NoteError(f"the signature by {name} is too short")
    return name, int.from_bytes(raw[:4], "big"), raw[4:]


def _split_note(note: str) -> tuple[str, list[str]]:
    """Split a note at its last blank line into text and signature lines."""
    _check_note_chars(note, "note")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("the note has no blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block:
        raise NoteError("the note has no signature lines after its blank line")
    if not block.endswith("\n"):
        raise NoteError("the note's signature block does not end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"the note has more than {MAX_SIGNATURES} signatures")
    return text, lines


def _index_verifiers(verifiers: Sequence[NoteVerifier]) -> dict[tuple[str, int], NoteVerifier]:
    """Map (name, key hash) to verifier; NoteError if two different keys share both."""
    known: dict[tuple[str, int], NoteVerifier] = {}
    for v in verifiers:
        other = known.setdefault((v.name, v.key_hash), v)
        if other.public_key != v.public_key:
            raise NoteError(f"two verifier keys share the name and hash {v.name}+{v.key_hash:08x}")
    return known


def open_note(note: str, verifiers: Sequence[NoteVerifier]) -> tuple[str, list[str]]:
    """Check a signed note; return its text and the names of the known keys that signed.

    Signatures by unknown keys (name and hash not both known) are ignored. Raises NoteError
    when the note is malformed, when a known key's signature fails, when a known key signed
    twice, or when no known key signed.
    """
    text, lines = _split_note(note)
    known = _index_verifiers(verifiers)
    signed: list[str] = []
    seen: set[tuple[str, int]] = set()
    for line in lines:
        name, key_hash, sig = _parse_signature_line(line)
        verifier = known.get((name, key_hash))
        if verifier is None:
            continue
        if (name, key_hash) in seen:
            raise NoteError(f"the key {name}+{key_hash:08x} signed the note more than once")
        seen.add((name, key_hash))
        if not verifier.verify(text, sig):
            raise NoteError(f"the signature by {name}+{key_hash:08x} does not verify")
        signed.append(name)
    if not signed:
        raise NoteError("the note carries no signature by a known key")
    return text, signed


def _check_line(line: str, what: str) -> None:
    """Raise NoteError unless ``line`` is a non-empty single line without control chars."""
    if not line:
        raise NoteError(f"the checkpoint {what} is empty")
    if "\n" in line:
        raise NoteError(f"the checkpoint {what} spans more than one line")
    _check_note_chars(line, f"checkpoint {what}")


@dataclass(frozen=True)
class Checkpoint:
    """A transparency-log tree head as a note text (c2sp.org/tlog-checkpoint)."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Refuse a checkpoint that could not be written as a valid note text."""
        _check_line(self.origin, "origin")
        if isinstance(self.size, bool) or not 0 <= self.size <= _MAX_TREE_SIZE:
            raise NoteError(f"the checkpoint tree size {self.size} is not a uint64")
        if len(self.root_hash) != _ROOT_SIZE:
            raise NoteError(f"the checkpoint root hash is {len(self.root_hash)} bytes, not 32")
        for line in self.extensions:
            _check_line(line, "extension line")

    def to_text(self) -> str:
        """Return the checkpoint note text, each line ending in a newline."""
        lines = [self.origin, str(self.size), _b64encode(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint note text strictly; raise NoteError on any deviation."""
        if not text.endswith("\n"):
            raise NoteError("a checkpoint text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError("a checkpoint needs an origin, a tree size and a root hash")
        origin, size_text, root64, *extensions = lines
        if not _TREE_SIZE.fullmatch(size_text):
            raise NoteError(f"the checkpoint tree size {size_text!r} is not a plain decimal")
        root_hash = _b64decode(root64, "checkpoint root hash")
        return cls(origin, int(size_text), root_hash, tuple(extensions))
