"""Ed25519 keys: personal keys sealed under a PIN (argon2id), key ids, attestation signatures.

A personal private key never exists unencrypted at rest: it is sealed with XSalsa20-Poly1305
(libsodium ``secretbox``) under a key derived from the person's PIN or passphrase with
argon2id, with a random salt, and the KDF cost stored beside it so that it can be raised later.
Sealed keys live in the node's key vault, never in the ledger (docs/ledger.md §7).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.signing
import nacl.utils

from coldcheck.ledger.entry import Body, Signature, strict_b64decode
from coldcheck.ledger.errors import SealedKeyError


@dataclass(frozen=True, kw_only=True, slots=True)
class KdfCost:
    """argon2id cost. INTERACTIVE is libsodium's (and OWASP's) floor for interactive sign-in."""

    opslimit: int
    memlimit: int


INTERACTIVE = KdfCost(
    opslimit=nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE,
    memlimit=nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE,
)
MODERATE = KdfCost(
    opslimit=nacl.pwhash.argon2id.OPSLIMIT_MODERATE,
    memlimit=nacl.pwhash.argon2id.MEMLIMIT_MODERATE,
)
# Only for the test suite: a cost at libsodium's minimum, so that tests stay fast.
TEST_ONLY_MINIMUM = KdfCost(
    opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN,
    memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN,
)


def key_id(public_key: bytes) -> str:
    """A short stable name for a public key: 'k' + 16 hex digits of its SHA-256."""
    return "k" + hashlib.sha256(public_key).hexdigest()[:16]


def public_key_text(public_key: bytes) -> str:
    return base64.b64encode(public_key).decode()


def public_key_bytes(text: str) -> bytes:
    try:
        raw = strict_b64decode(text)
    except ValueError as exc:
        raise SealedKeyError("a public key is not valid base64") from exc
    if len(raw) != 32:
        raise SealedKeyError("an Ed25519 public key is 32 bytes")
    return raw


@dataclass(frozen=True, kw_only=True, slots=True)
class SealedKey:
    """A personal signing key encrypted under a PIN-derived key."""

    production: str
    person: str
    key_id: str
    public_key: bytes
    salt: bytes
    opslimit: int
    memlimit: int
    box: bytes  # nonce || ciphertext, as libsodium's secretbox produces it

    def __repr__(self) -> str:  # never print the ciphertext into logs
        return f"SealedKey(person={self.person!r}, key_id={self.key_id!r})"


def seal_new_key(production: str, person: str, pin: str, cost: KdfCost) -> SealedKey:
    """Create a fresh Ed25519 key for ``person`` and seal it under ``pin``."""
    signing = nacl.signing.SigningKey.generate()
    return _seal(production, person, signing, pin, cost)


def _seal(
    production: str, person: str, signing: nacl.signing.SigningKey, pin: str, cost: KdfCost
) -> SealedKey:
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    box = nacl.secret.SecretBox(_derive(pin, salt, cost.opslimit, cost.memlimit))
    public = bytes(signing.verify_key)
    return SealedKey(
        production=production,
        person=person,
        key_id=key_id(public),
        public_key=public,
        salt=salt,
        opslimit=cost.opslimit,
        memlimit=cost.memlimit,
        box=bytes(box.encrypt(bytes(signing))),
    )


def open_key(sealed: SealedKey, pin: str) -> nacl.signing.SigningKey:
    """Open a sealed key with the PIN; raise SealedKeyError if the PIN is wrong or data damaged."""
    box = nacl.secret.SecretBox(_derive(pin, sealed.salt, sealed.opslimit, sealed.memlimit))
    try:
        seed = box.decrypt(sealed.box)
    except nacl.exceptions.CryptoError as exc:
        raise SealedKeyError("the PIN is not correct") from exc
    signing = nacl.signing.SigningKey(seed)
    if bytes(signing.verify_key) != sealed.public_key:
        raise SealedKeyError("the sealed key does not match its public key: the vault is damaged")
    return signing


def _derive(pin: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE,
        pin.encode("utf-8"),
        salt,
        opslimit=opslimit,
        memlimit=memlimit,
    )


def attest(body: Body, person: str, signing: nacl.signing.SigningKey) -> Signature:
    """Sign an entry body as ``person``'s attestation."""
    sig = signing.sign(body.signing_bytes()).signature
    return Signature(by=person, key=key_id(bytes(signing.verify_key)), sig=sig)


def check_attestation(body: Body, sig: Signature, public_key: bytes) -> bool:
    try:
        nacl.signing.VerifyKey(public_key).verify(body.signing_bytes(), sig.sig)
    except nacl.exceptions.BadSignatureError:
        return False
    return True
