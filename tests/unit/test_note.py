"""Tests of C2SP signed notes (Ed25519) and tlog checkpoints.

Known answers: ``tests/vectors/c2sp-signed-note.json``, copied from shared/testvectors
(golang.org/x/mod/sumdb/note's
documented PeterNeumann and EnochRoot notes, and an example.com/foo note), plus the example
checkpoint text of c2sp.org/tlog-checkpoint.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import nacl.signing
import pytest

from coldcheck.ledger.errors import NoteError
from coldcheck.ledger.note import (
    Checkpoint,
    NoteSigner,
    NoteVerifier,
    open_note,
    sign_note,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors"  # copies of ../shared/testvectors
DASH = "\u2014"


def _load() -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads((VECTORS / "c2sp-signed-note.json").read_text("utf-8"))
    vectors: list[dict[str, Any]] = data["vectors"]
    return vectors


NOTE_VECTORS = _load()
PETER = NOTE_VECTORS[0]
ENOCH = NOTE_VECTORS[1]
QUOTE = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)


def _signer(name: str, seed_byte: int) -> NoteSigner:
    return NoteSigner(name, nacl.signing.SigningKey(bytes([seed_byte]) * 32))


def _sig_lines(note: str) -> list[str]:
    return note[note.rindex("\n\n") + 2 :].splitlines(keepends=True)


# --- published vectors ---------------------------------------------------------------------


@pytest.mark.parametrize("vector", NOTE_VECTORS, ids=lambda v: v["verifier_key"].split("+")[0])
def test_vector_verifier_key_parses_and_round_trips(vector: dict[str, Any]) -> None:
    vkey: str = vector["verifier_key"]
    name, hash_hex, key64 = vkey.split("+", 2)
    verifier = NoteVerifier.from_verifier_key(vkey)
    assert verifier.name == name
    assert verifier.key_hash == int(hash_hex, 16)
    assert verifier.public_key == base64.b64decode(key64)[1:]
    assert verifier.verifier_key() == vkey


@pytest.mark.parametrize("vector", NOTE_VECTORS, ids=lambda v: v["verifier_key"].split("+")[0])
def test_vector_note_opens(vector: dict[str, Any]) -> None:
    verifier = NoteVerifier.from_verifier_key(vector["verifier_key"])
    note: str = vector["note"]
    text, names = open_note(note, [verifier])
    assert note.startswith(text)
    assert note[len(text)] == "\n"
    assert names == [verifier.name]


def test_private_key_reproduces_published_note_exactly() -> None:
    signer = NoteSigner.from_private_key_string(PETER["signer_key"])
    assert signer.name == "PeterNeumann"
    assert signer.key_hash == 0xC74F20A3
    assert signer.verifier_key() == PETER["verifier_key"]
    assert signer.private_key_string() == PETER["signer_key"]
    assert sign_note(QUOTE, [signer]) == PETER["note"]


def test_key_hash_definition() -> None:
    verifier = NoteVerifier.from_verifier_key(PETER["verifier_key"])
    digest = hashlib.sha256(b"PeterNeumann\n\x01" + verifier.public_key).digest()
    assert verifier.key_hash == int.from_bytes(digest[:4], "big")


def test_doubly_signed_note_from_go_docs() -> None:
    note = PETER["note"] + _sig_lines(ENOCH["note"])[0]
    peter = NoteVerifier.from_verifier_key(PETER["verifier_key"])
    enoch = NoteVerifier.from_verifier_key(ENOCH["verifier_key"])
    assert open_note(note, [peter, enoch]) == (QUOTE, ["PeterNeumann", "EnochRoot"])
    assert open_note(note, [enoch]) == (QUOTE, ["EnochRoot"])  # unknown signature ignored


# --- signing and opening -------------------------------------------------------------------


def test_sign_and_open_round_trip_with_blank_lines_in_text() -> None:
    a, b = _signer("example.com/a", 1), _signer("example.com/b", 2)
    text = "first\n\nthird after an empty line\n"
    note = sign_note(text, [a, b])
    assert note.startswith(text + "\n" + DASH + " example.com/a ")
    assert open_note(note, [b.verifier(), a.verifier()]) == (
        text,
        ["example.com/a", "example.com/b"],
    )
    assert a.verifier().verify(text, a.sign(text))
    assert not a.verifier().verify(text, b.sign(text))
    assert not a.verifier().verify(text, b"short")


def test_signer_private_key_string_round_trip() -> None:
    signer = _signer("coldcheck.example/set-7", 9)
    again = NoteSigner.from_private_key_string(signer.private_key_string())
    assert again.key_hash == signer.key_hash
    assert again.verifier_key() == signer.verifier_key()
    assert "PRIVATE" not in repr(signer)


@pytest.mark.parametrize(
    "text",
    ["no newline", "", "tab\there\n", "carriage\r\n", "nul\x00\n", "lone \ud800 surrogate\n"],
)
def test_sign_note_rejects_bad_text(text: str) -> None:
    with pytest.raises(NoteError):
        sign_note(text, [_signer("a", 1)])


def test_sign_note_needs_a_signer() -> None:
    with pytest.raises(NoteError, match="at least one signer"):
        sign_note("text\n", [])


@pytest.mark.parametrize("name", ["", "a+b", "a b", "a\tb", "a\u00a0b", "a\u2003b", "a\u3000b"])
def test_signer_rejects_bad_names(name: str) -> None:
    with pytest.raises(NoteError, match="name"):
        _signer(name, 1)


# --- rejection of notes --------------------------------------------------------------------

PETER_V = NoteVerifier.from_verifier_key(PETER["verifier_key"])


def _tamper_signature(note: str) -> str:
    head, line = note[: note.rindex("\n\n") + 2], _sig_lines(note)[0]
    prefix, sig64 = line.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(sig64))
    raw[10] ^= 1
    return f"{head}{prefix} {base64.b64encode(bytes(raw)).decode()}\n"


def test_tampered_text_is_rejected() -> None:
    note = PETER["note"].replace("cryptography", "cryptographY")
    with pytest.raises(NoteError, match="does not verify"):
        open_note(note, [PETER_V])


def test_tampered_signature_is_rejected() -> None:
    with pytest.raises(NoteError, match="does not verify"):
        open_note(_tamper_signature(PETER["note"]), [PETER_V])


def test_wrong_key_is_rejected() -> None:
    other = _signer("PeterNeumann", 7).verifier()  # same name, different key and hash
    with pytest.raises(NoteError, match="no signature by a known key"):
        open_note(PETER["note"], [other])
    with pytest.raises(NoteError, match="no signature by a known key"):
        open_note(PETER["note"], [])


def test_impostor_claiming_a_known_name_and_hash_is_rejected() -> None:
    impostor = _signer("PeterNeumann", 7)
    sig = impostor.sign(QUOTE)
    sig64 = base64.b64encode(PETER_V.key_hash.to_bytes(4, "big") + sig).decode()
    line = f"{DASH} PeterNeumann {sig64}\n"
    with pytest.raises(NoteError, match="does not verify"):
        open_note(QUOTE + "\n" + line, [PETER_V])


def test_duplicated_signature_is_rejected() -> None:
    note = PETER["note"] + _sig_lines(PETER["note"])[0]
    with pytest.raises(NoteError, match="more than once"):
        open_note(note, [PETER_V])


def test_ambiguous_verifiers_are_rejected() -> None:
    # Two keys cannot normally share a name and hash; force it to check the guard.
    clash = _signer("PeterNeumann", 3).verifier()
    clash.key_hash = PETER_V.key_hash
    with pytest.raises(NoteError, match="share the name and hash"):
        open_note(PETER["note"], [PETER_V, clash])


@pytest.mark.parametrize(
    ("note", "message"),
    [
        (QUOTE + DASH + " PeterNeumann AAAA\n", "no blank line"),
        (PETER["note"].rstrip("\n"), "does not end with a newline"),
        (PETER["note"].replace(DASH + " ", "-- "), "em dash"),
        (PETER["note"].replace("PeterNeumann ", "PeterNeumann"), "key name"),
        (PETER["note"].replace(DASH + " PeterNeumann", DASH + "  PeterNeumann"), "key name"),
        (PETER["note"].replace("=\n", "\n"), "base64"),
        (PETER["note"].replace("=\n", "=\n\n"), "no signature lines"),
        (PETER["note"].replace("If", "I\tf"), "control character"),
        (QUOTE + "\n" + DASH + " PeterNeumann AAAAAA==\n", "too short"),
        (QUOTE + "\n" + DASH + " PeterNeumann AAAAAAB=\n", "not canonical"),
    ],
)
def test_malformed_notes_are_rejected(note: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        open_note(note, [PETER_V])


def test_too_many_signatures_are_rejected() -> None:
    lines = _sig_lines(PETER["note"]) + _sig_lines(ENOCH["note"]) * 100
    with pytest.raises(NoteError, match="more than 100"):
        open_note(QUOTE + "\n" + "".join(lines), [PETER_V])


def test_sixteen_unknown_signatures_are_accepted() -> None:
    others = [_signer(f"witness{i}", i) for i in range(16)]
    note = sign_note(QUOTE, others)
    note += _sig_lines(PETER["note"])[0]
    assert open_note(note, [PETER_V]) == (QUOTE, ["PeterNeumann"])


# --- malformed key strings -----------------------------------------------------------------

GOOD_VKEY: str = PETER["verifier_key"]
GOOD_SKEY: str = PETER["signer_key"]


@pytest.mark.parametrize(
    "vkey",
    [
        "",
        "PeterNeumann",
        "PeterNeumann+c74f20a3",
        GOOD_VKEY.replace("PeterNeumann", ""),
        GOOD_VKEY.replace("PeterNeumann", "Peter Neumann"),
        GOOD_VKEY.replace("PeterNeumann", "Peter\u2009Neumann"),
        GOOD_VKEY.replace("c74f20a3", "c74f20a4"),  # hash does not match
        GOOD_VKEY.replace("c74f20a3", "c74f20a"),  # 7 digits
        GOOD_VKEY.replace("c74f20a3", "0xc74f20a"),
        GOOD_VKEY.replace("c74f20a3", "+c74f20a"),
        GOOD_VKEY.replace("+ARpc", "+AhpC"),  # key type 0x02
        GOOD_VKEY + "AA==",  # wrong length
        GOOD_VKEY[:-4],  # truncated key
        GOOD_VKEY.replace("+ARpc", "+AR*c"),  # not base64
        "PeterNeumann+c74f20a3+" + base64.b64encode(b"\x01" + b"\x00" * 31).decode(),
    ],
)
def test_malformed_verifier_keys_are_rejected(vkey: str) -> None:
    with pytest.raises(NoteError):
        NoteVerifier.from_verifier_key(vkey)


@pytest.mark.parametrize(
    "skey",
    [
        GOOD_SKEY.replace("PRIVATE+KEY+", ""),
        GOOD_SKEY.replace("PRIVATE", "PUBLIC"),
        GOOD_SKEY.replace("c74f20a3", "c74f20a4"),
        GOOD_SKEY.replace("PeterNeumann", "PeterNeumanm"),
        GOOD_SKEY.replace("+AYEK", "+AoEK"),
        GOOD_SKEY[:-4],
        GOOD_VKEY,
    ],
)
def test_malformed_private_keys_are_rejected(skey: str) -> None:
    with pytest.raises(NoteError):
        NoteSigner.from_private_key_string(skey)


def test_verifier_key_hash_may_be_upper_case_like_go() -> None:
    verifier = NoteVerifier.from_verifier_key(GOOD_VKEY.replace("c74f20a3", "C74F20A3"))
    assert verifier.verifier_key() == GOOD_VKEY


# --- checkpoints ---------------------------------------------------------------------------

SPEC_CHECKPOINT = (
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
)
ROOT = hashlib.sha256(b"root").digest()


def test_spec_example_checkpoint_parses_and_round_trips() -> None:
    cp = Checkpoint.parse(SPEC_CHECKPOINT)
    assert cp.origin == "example.com/behind-the-sofa"
    assert cp.size == 20852163
    assert cp.root_hash == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert cp.extensions == ()
    assert cp.to_text() == SPEC_CHECKPOINT


@pytest.mark.parametrize("size", [0, 1, 10, 2**64 - 1])
def test_checkpoint_round_trip(size: int) -> None:
    cp = Checkpoint("coldcheck.example/ledger", size, ROOT, ("ext one", "ext two"))
    text = cp.to_text()
    assert text.endswith("ext two\n")
    assert text.split("\n")[1] == str(size)
    assert Checkpoint.parse(text) == cp


def test_signed_checkpoint_end_to_end() -> None:
    signer = _signer("coldcheck.example/ledger", 5)
    cp = Checkpoint("coldcheck.example/ledger", 42, ROOT)
    text, names = open_note(sign_note(cp.to_text(), [signer]), [signer.verifier()])
    assert names == ["coldcheck.example/ledger"]
    assert Checkpoint.parse(text) == cp


_R64 = base64.b64encode(ROOT).decode()
_URLSAFE = base64.urlsafe_b64encode(bytes([0xFF]) * 32).decode()


@pytest.mark.parametrize(
    "text",
    [
        f"origin\n1\n{_R64}",  # no final newline
        "origin\n1\n",  # no root line
        f"\n1\n{_R64}\n",  # empty origin
        f"origin\n01\n{_R64}\n",  # leading zero
        f"origin\n00\n{_R64}\n",
        f"origin\n-1\n{_R64}\n",
        f"origin\n+1\n{_R64}\n",
        f"origin\n 1\n{_R64}\n",
        f"origin\n1 \n{_R64}\n",
        f"origin\n1_000\n{_R64}\n",
        f"origin\n\u0661\n{_R64}\n",  # Arabic-Indic digit one
        f"origin\n\n{_R64}\n",
        f"origin\n{2**64}\n{_R64}\n",  # beyond uint64
        f"origin\n1\n{base64.b64encode(ROOT[:31]).decode()}\n",  # 31-byte root
        f"origin\n1\n{base64.b64encode(ROOT + b'x').decode()}\n",  # 33-byte root
        f"origin\n1\n{_R64.rstrip('=')}\n",  # unpadded
        f"origin\n1\n{_URLSAFE}\n",  # URL-safe alphabet
        f"origin\n1\n{_R64}\n\n",  # empty extension line
        f"origin\n1\n{_R64}\next\n\n",
        f"ori\tgin\n1\n{_R64}\n",  # control character
    ],
)
def test_checkpoint_parse_is_strict(text: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(text)


@pytest.mark.parametrize(
    ("origin", "size", "root_hash", "extensions"),
    [
        ("", 1, ROOT, ()),
        ("two\nlines", 1, ROOT, ()),
        ("origin", -1, ROOT, ()),
        ("origin", 2**64, ROOT, ()),
        ("origin", 1, ROOT[:31], ()),
        ("origin", 1, ROOT, ("",)),
        ("origin", 1, ROOT, ("a\nb",)),
    ],
)
def test_checkpoint_refuses_invalid_fields(
    origin: str, size: int, root_hash: bytes, extensions: tuple[str, ...]
) -> None:
    with pytest.raises(NoteError):
        Checkpoint(origin, size, root_hash, extensions)
