"""Personal keys: sealed under a PIN, used to attest entries, and tracked through the ledger by
the keyring (created self-signed, rotated with both keys, revoked)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from typing import Any

import nacl.signing
import pytest

from coldcheck.ledger import keys
from coldcheck.ledger.entry import GENESIS_PREV, Body, Record
from coldcheck.ledger.errors import SealedKeyError
from coldcheck.ledger.keyring import KeyProblem, Keyring

PIN = "482916"
COST = keys.TEST_ONLY_MINIMUM


@pytest.fixture(scope="module")
def sealed() -> keys.SealedKey:
    return keys.seal_new_key("dust-road", "P01", PIN, COST)


# -- sealing a personal key under a PIN --------------------------------------------------------


def test_a_sealed_key_opens_with_its_pin_and_signs_for_its_public_key(
    sealed: keys.SealedKey,
) -> None:
    signing = keys.open_key(sealed, PIN)

    assert bytes(signing.verify_key) == sealed.public_key
    assert sealed.key_id == keys.key_id(sealed.public_key)
    assert (sealed.opslimit, sealed.memlimit) == (COST.opslimit, COST.memlimit)
    signed = signing.sign(b"cold")
    assert nacl.signing.VerifyKey(sealed.public_key).verify(signed) == b"cold"


def test_every_new_key_is_a_different_key(sealed: keys.SealedKey) -> None:
    again = keys.seal_new_key("dust-road", "P01", PIN, COST)

    assert again.public_key != sealed.public_key
    assert again.salt != sealed.salt


def test_a_wrong_pin_does_not_open_the_key_and_says_so(sealed: keys.SealedKey) -> None:
    with pytest.raises(SealedKeyError) as refused:
        keys.open_key(sealed, "482917")

    # shown to the person as "<name>: the PIN is not correct."
    assert str(refused.value) == "the PIN is not correct"


def test_a_tampered_sealed_key_does_not_open(sealed: keys.SealedKey) -> None:
    box = bytearray(sealed.box)
    box[-1] ^= 0x01
    tampered = dataclasses.replace(sealed, box=bytes(box))

    with pytest.raises(SealedKeyError):
        keys.open_key(tampered, PIN)


def test_a_sealed_key_filed_under_another_public_key_is_reported_as_damage(
    sealed: keys.SealedKey,
) -> None:
    other = keys.seal_new_key("dust-road", "P02", PIN, COST)
    swapped = dataclasses.replace(sealed, public_key=other.public_key)

    with pytest.raises(SealedKeyError) as refused:
        keys.open_key(swapped, PIN)

    assert "damaged" in str(refused.value)


def test_a_sealed_key_never_prints_its_ciphertext_or_salt(sealed: keys.SealedKey) -> None:
    shown = [repr(sealed), str(sealed), f"{sealed}", repr([sealed])]

    for text in shown:
        assert f"key_id={sealed.key_id!r}" in text
        assert "person='P01'" in text
        for secret in (sealed.box, sealed.salt):
            assert repr(secret) not in text
            assert secret.hex() not in text
            assert base64.b64encode(secret).decode() not in text


# -- public keys and key ids -------------------------------------------------------------------


def test_a_key_id_is_k_and_16_hex_digits_of_the_public_keys_hash(sealed: keys.SealedKey) -> None:
    expected = "k" + hashlib.sha256(sealed.public_key).hexdigest()[:16]

    assert keys.key_id(sealed.public_key) == expected


def test_a_public_key_round_trips_through_its_text_form(sealed: keys.SealedKey) -> None:
    assert keys.public_key_bytes(keys.public_key_text(sealed.public_key)) == sealed.public_key


@pytest.mark.parametrize(
    "text", ["not base64!", base64.b64encode(b"\x01" * 31).decode(), ""], ids=["junk", "31B", "0B"]
)
def test_a_public_key_that_is_not_32_bytes_of_base64_is_refused(text: str) -> None:
    with pytest.raises(SealedKeyError):
        keys.public_key_bytes(text)


# -- attestations ------------------------------------------------------------------------------


def signing_key(n: int) -> nacl.signing.SigningKey:
    return nacl.signing.SigningKey(bytes([n]) * 32)


def public(signing: nacl.signing.SigningKey) -> bytes:
    return bytes(signing.verify_key)


def kid(signing: nacl.signing.SigningKey) -> str:
    return keys.key_id(public(signing))


def body(seq: int, type_: str, payload: dict[str, Any], attest: tuple[str, ...] = ()) -> Body:
    return Body(
        seq=seq,
        production="dust-road",
        time="2026-03-02T09:00:00.000000Z",
        actor="P01",
        node="node-a",
        type=type_,
        schema=1,
        payload=payload,
        prev=GENESIS_PREV,
        attest=attest,
    )


def handoff_accepted(seq: int, *attest: str) -> Body:
    payload = {"handoff": "H0001", "firearm": "F01", "giver": "P01", "receiver": "P02"}
    return body(seq, "custody.handoff_accepted", payload, attest)


def test_an_attestation_verifies_only_for_the_signed_entry_and_the_signers_key() -> None:
    hannah, jack = signing_key(1), signing_key(2)
    entry = handoff_accepted(7, "P02")

    sig = keys.attest(entry, "P02", jack)

    assert (sig.by, sig.key) == ("P02", kid(jack))
    assert keys.check_attestation(entry, sig, public(jack))
    assert not keys.check_attestation(entry, sig, public(hannah))
    assert not keys.check_attestation(dataclasses.replace(entry, seq=8), sig, public(jack))
    altered = dataclasses.replace(entry, payload={**entry.payload, "receiver": "P03"})
    assert not keys.check_attestation(altered, sig, public(jack))


# -- the keyring -------------------------------------------------------------------------------


def signed(entry: Body, *signers: tuple[str, nacl.signing.SigningKey]) -> Record:
    return Record.seal(entry, tuple(keys.attest(entry, who, key) for who, key in signers))


def key_created(seq: int, person: str, key: nacl.signing.SigningKey) -> Body:
    payload = {
        "person": person,
        "key": kid(key),
        "public_key": keys.public_key_text(public(key)),
    }
    return body(seq, "key.created", payload, (person,))


def key_rotated(
    seq: int, person: str, old: nacl.signing.SigningKey, new: nacl.signing.SigningKey
) -> Body:
    payload = {
        "person": person,
        "old_key": kid(old),
        "key": kid(new),
        "public_key": keys.public_key_text(public(new)),
    }
    return body(seq, "key.rotated", payload, (person,))


def key_revoked(seq: int, person: str, key: nacl.signing.SigningKey) -> Record:
    payload = {"person": person, "key": kid(key), "reason": "lost phone"}
    return Record.seal(body(seq, "key.revoked", payload))


HANNAH, JACK = signing_key(1), signing_key(2)


@pytest.fixture
def ring() -> Keyring:
    """Hannah (P01) and Jack (P02) each have a key, created self-signed."""
    keyring = Keyring()
    keyring.check_and_apply(signed(key_created(1, "P01", HANNAH), ("P01", HANNAH)))
    keyring.check_and_apply(signed(key_created(2, "P02", JACK), ("P02", JACK)))
    return keyring


def test_a_key_signed_by_itself_when_created_becomes_its_owners_key(ring: Keyring) -> None:
    assert ring.current == {"P01": kid(HANNAH), "P02": kid(JACK)}
    assert ring.active[kid(JACK)] == ("P02", public(JACK))


def test_a_key_not_signed_by_itself_when_created_is_refused(ring: Keyring) -> None:
    newcomer = signing_key(3)
    entry = dataclasses.replace(key_created(3, "P03", newcomer), attest=("P01",))

    with pytest.raises(KeyProblem, match="new key must sign"):
        ring.check_and_apply(signed(entry, ("P01", HANNAH)))

    assert "P03" not in ring.current


def test_a_created_key_whose_id_does_not_match_its_public_key_is_refused(ring: Keyring) -> None:
    newcomer = signing_key(3)
    entry = key_created(3, "P03", newcomer)
    entry = dataclasses.replace(entry, payload={**entry.payload, "key": kid(HANNAH)})

    with pytest.raises(KeyProblem, match="does not match"):
        ring.check_and_apply(signed(entry, ("P03", newcomer)))


def test_a_second_key_is_not_created_while_the_first_is_active(ring: Keyring) -> None:
    another = signing_key(4)

    with pytest.raises(KeyProblem, match="already has an active key"):
        ring.check_and_apply(signed(key_created(3, "P02", another), ("P02", another)))


def test_the_named_attester_signing_with_their_key_is_accepted(ring: Keyring) -> None:
    before = (dict(ring.active), dict(ring.current))

    ring.check_and_apply(signed(handoff_accepted(3, "P02"), ("P02", JACK)))

    assert (ring.active, ring.current) == before  # not a key entry: no key changes


def test_a_signature_by_a_revoked_key_fails(ring: Keyring) -> None:
    ring.check_and_apply(key_revoked(3, "P02", JACK))

    with pytest.raises(KeyProblem, match="not valid at this position"):
        ring.check_and_apply(signed(handoff_accepted(4, "P02"), ("P02", JACK)))
    assert "P02" not in ring.current


def test_after_rotation_the_old_key_can_no_longer_sign_and_the_new_one_can(ring: Keyring) -> None:
    new = signing_key(5)
    ring.check_and_apply(signed(key_rotated(3, "P02", JACK, new), ("P02", JACK), ("P02", new)))

    with pytest.raises(KeyProblem, match="not valid at this position"):
        ring.check_and_apply(signed(handoff_accepted(4, "P02"), ("P02", JACK)))
    ring.check_and_apply(signed(handoff_accepted(4, "P02"), ("P02", new)))
    assert ring.current["P02"] == kid(new)


def test_a_rotation_not_signed_by_the_old_key_is_refused_and_changes_nothing(
    ring: Keyring,
) -> None:
    new = signing_key(5)
    before = (dict(ring.active), dict(ring.current))

    with pytest.raises(KeyProblem, match="signed by the old key too"):
        ring.check_and_apply(signed(key_rotated(3, "P02", JACK, new), ("P02", new)))

    assert (ring.active, ring.current) == before


def test_a_signature_by_someone_who_is_not_an_attester_fails(ring: Keyring) -> None:
    record = signed(handoff_accepted(3, "P02"), ("P02", JACK), ("P01", HANNAH))

    with pytest.raises(KeyProblem, match="P01, who is not listed as an attester"):
        ring.check_and_apply(record)


def test_a_missing_attester_signature_fails(ring: Keyring) -> None:
    record = signed(handoff_accepted(3, "P01", "P02"), ("P01", HANNAH))

    with pytest.raises(KeyProblem, match="missing signature by P02"):
        ring.check_and_apply(record)


def test_a_signature_with_someone_elses_key_fails(ring: Keyring) -> None:
    entry = handoff_accepted(3, "P02")
    forged = Record.seal(entry, (keys.attest(entry, "P02", HANNAH),))

    with pytest.raises(KeyProblem, match="belongs to P01, not P02"):
        ring.check_and_apply(forged)


def test_a_signature_over_different_content_fails(ring: Keyring) -> None:
    entry = handoff_accepted(3, "P02")
    sig = keys.attest(entry, "P02", JACK)
    altered = dataclasses.replace(entry, payload={**entry.payload, "receiver": "P03"})

    with pytest.raises(KeyProblem, match="does not verify"):
        ring.check_and_apply(Record.seal(altered, (sig,)))


def test_a_revoked_key_cannot_be_brought_back_by_a_later_creation(ring: Keyring) -> None:
    ring.check_and_apply(key_revoked(3, "P02", JACK))

    with pytest.raises(KeyProblem, match="cannot come back"):
        ring.check_and_apply(signed(key_created(4, "P02", JACK), ("P02", JACK)))
    assert "P02" not in ring.current
