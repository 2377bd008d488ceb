"""Tests of the RFC 6962 Merkle tree and the RFC 9162 proof verifiers.

Known answers come from two places:

* ``tests/vectors/rfc6962-merkle.json`` (copied from shared/testvectors): leaf inputs, leaf
  hashes and roots by size of
  the 8-leaf reference tree (transparency-dev/merkle ``testonly/constants.go``).
* The inclusion and consistency proofs below, copied from transparency-dev/merkle
  ``testonly/reference_test.go`` (TestRefInclusionProof, TestRefConsistencyProof) and
  ``proof/verify_test.go`` (the 6 -> 7 consistency proof), over the same 8 leaves.

Everything else is cross-checked against a brute-force recursive reference written here
straight from the RFC 6962 §2.1 definitions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coldcheck.ledger.errors import ProofError
from coldcheck.ledger.merkle import (
    EMPTY_ROOT,
    RootBuilder,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors"  # copies of ../shared/testvectors


def _load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / "rfc6962-merkle.json").read_text("utf-8"))
    return data


_DATA = _load()
LEAF_INPUTS = [bytes.fromhex(h) for h in _DATA["leaf_inputs"]]
LEAF_HASHES = [bytes.fromhex(h) for h in _DATA["leaf_hashes"]]
ROOTS = [bytes.fromhex(h) for h in _DATA["root_hashes_by_size"]]


def _hx(*hashes: str) -> list[bytes]:
    return [bytes.fromhex(h) for h in hashes]


# (index, size, proof) from transparency-dev/merkle testonly/reference_test.go.
PUBLISHED_INCLUSION: list[tuple[int, int, list[bytes]]] = [
    (0, 1, []),
    (0, 2, _hx("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7")),
    (1, 2, _hx("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")),
    (2, 3, _hx("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
    (
        1,
        5,
        _hx(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
    (
        0,
        8,
        _hx(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        5,
        8,
        _hx(
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
]

# (old size, new size, proof) from reference_test.go and proof/verify_test.go.
PUBLISHED_CONSISTENCY: list[tuple[int, int, list[bytes]]] = [
    (1, 1, []),
    (
        1,
        8,
        _hx(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        2,
        5,
        _hx(
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
    (
        6,
        8,
        _hx(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (
        6,
        7,
        _hx(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
]

SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


# --- brute-force reference, straight from RFC 6962 §2.1 ---------------------------------


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: Sequence[bytes]) -> bytes:
    if not d:
        return EMPTY_ROOT
    if len(d) == 1:
        return d[0]
    k = _k(len(d))
    return node_hash(ref_mth(d[:k]), ref_mth(d[k:]))


def ref_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def _leaves(n: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


def _accepts(verify: Callable[..., None], args: tuple[Any, ...]) -> bool:
    """Return True when ``verify(*args)`` passes, False when it raises ProofError."""
    try:
        verify(*args)
    except ProofError:
        return False
    return True


# --- hashing and roots ---------------------------------------------------------------------


def test_empty_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root([]) == EMPTY_ROOT == ROOTS[0]
    assert RootBuilder().root() == EMPTY_ROOT


def test_leaf_hashes_match_vectors() -> None:
    assert [leaf_hash(d) for d in LEAF_INPUTS] == LEAF_HASHES


@pytest.mark.parametrize("size", range(len(ROOTS)))
def test_root_by_size_matches_vectors(size: int) -> None:
    assert root(LEAF_HASHES[:size]) == ROOTS[size]
    assert ref_mth(LEAF_HASHES[:size]) == ROOTS[size]


def test_root_builder_matches_vectors_at_every_size() -> None:
    builder = RootBuilder()
    assert builder.size == 0
    for size, h in enumerate(LEAF_HASHES, start=1):
        builder.append(h)
        assert builder.size == size
        assert builder.root() == ROOTS[size]
        assert builder.root() == ROOTS[size]  # reading the root does not change it


def test_root_builder_rejects_wrong_length_leaf() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        RootBuilder().append(b"short")


def test_root_matches_reference_for_larger_trees() -> None:
    leaves = _leaves(1000)
    builder = RootBuilder()
    for size, h in enumerate(leaves, start=1):
        builder.append(h)
        if size in (1, 2, 3, 255, 256, 257, 511, 999, 1000):
            assert root(leaves[:size]) == ref_mth(leaves[:size]) == builder.root()


# --- published proofs ----------------------------------------------------------------------


@pytest.mark.parametrize(("index", "size", "proof"), PUBLISHED_INCLUSION)
def test_inclusion_proof_equals_published(index: int, size: int, proof: list[bytes]) -> None:
    assert inclusion_proof(LEAF_HASHES[:size], index) == proof
    verify_inclusion(LEAF_HASHES[index], index, size, proof, ROOTS[size])


@pytest.mark.parametrize(("old", "new", "proof"), PUBLISHED_CONSISTENCY)
def test_consistency_proof_equals_published(old: int, new: int, proof: list[bytes]) -> None:
    assert consistency_proof(LEAF_HASHES[:new], old) == proof
    verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)


def test_every_proof_of_the_reference_tree_matches_brute_force() -> None:
    for size in range(1, 9):
        tree = LEAF_HASHES[:size]
        for index in range(size):
            proof = inclusion_proof(tree, index)
            assert proof == ref_path(index, tree)
            verify_inclusion(tree[index], index, size, proof, ROOTS[size])
        for old in range(1, size + 1):
            proof = consistency_proof(tree, old)
            assert proof == ref_subproof(old, tree, True)
            verify_consistency(old, size, ROOTS[old], ROOTS[size], proof)


def test_three_to_seven_cross_checked() -> None:
    proof = consistency_proof(LEAF_HASHES[:7], 3)
    assert proof == ref_subproof(3, LEAF_HASHES[:7], True)
    assert len(proof) == 4
    verify_consistency(3, 7, ROOTS[3], ROOTS[7], proof)


# --- generation errors ---------------------------------------------------------------------


@pytest.mark.parametrize("index", [-1, 8, 100])
def test_inclusion_proof_index_out_of_range(index: int) -> None:
    with pytest.raises(ValueError, match="outside"):
        inclusion_proof(LEAF_HASHES, index)


@pytest.mark.parametrize("old", [0, -1, 9])
def test_consistency_proof_bad_old_size(old: int) -> None:
    with pytest.raises(ValueError, match="old size"):
        consistency_proof(LEAF_HASHES, old)


# --- tampered inclusion proofs -------------------------------------------------------------

InclusionArgs = tuple[bytes, int, int, list[bytes], bytes]


def _inclusion_probes(index: int, size: int, proof: list[bytes]) -> dict[str, InclusionArgs]:
    leaf, good_root = LEAF_HASHES[index], ROOTS[size]
    probes: dict[str, InclusionArgs] = {
        "index - 1": (leaf, index - 1, size, proof, good_root),
        "index + 1": (leaf, index + 1, size, proof, good_root),
        "index ^ 2": (leaf, index ^ 2, size, proof, good_root),
        "size * 2": (leaf, index, size * 2, proof, good_root),
        "size // 2": (leaf, index, size // 2, proof, good_root),
        "wrong leaf": (LEAF_HASHES[(index + 1) % 8], index, size, proof, good_root),
        "short leaf": (b"WrongLeaf", index, size, proof, good_root),
        "empty root": (leaf, index, size, proof, EMPTY_ROOT),
        "random root": (leaf, index, size, proof, SOME_HASH),
        "extended": (leaf, index, size, [*proof, good_root], good_root),
        "extended empty": (leaf, index, size, [*proof, b""], good_root),
        "prepended": (leaf, index, size, [good_root, *proof], good_root),
    }
    if size + 1 < len(ROOTS):
        # A proof names hashes, not sizes: (index, size + 1) with the *same* root can verify,
        # because the last sibling may stand for a bigger subtree. The size is bound by the
        # signed checkpoint, so the meaningful probe pairs the other size with its own root.
        probes["size + 1"] = (leaf, index, size + 1, proof, ROOTS[size + 1])
    if proof:
        probes["truncated"] = (leaf, index, size, proof[:-1], good_root)
        probes["replaced"] = (leaf, index, size, [SOME_HASH, *proof[1:]], good_root)
    if len(proof) > 1:
        probes["swapped"] = (leaf, index, size, [proof[1], proof[0], *proof[2:]], good_root)
        probes["inserted"] = (leaf, index, size, [proof[0], SOME_HASH, *proof[1:]], good_root)
    for i in range(len(proof)):
        flipped = [*proof]
        flipped[i] = bytes([proof[i][0] ^ 8]) + proof[i][1:]
        probes[f"flipped bit in [{i}]"] = (leaf, index, size, flipped, good_root)
    return probes


@pytest.mark.parametrize(("index", "size", "proof"), [v for v in PUBLISHED_INCLUSION if v[1] > 1])
def test_tampered_inclusion_proofs_are_rejected(index: int, size: int, proof: list[bytes]) -> None:
    probes = _inclusion_probes(index, size, proof)
    accepted = [desc for desc, args in probes.items() if _accepts(verify_inclusion, args)]
    assert accepted == []


@pytest.mark.parametrize(
    ("index", "size", "proof", "message"),
    [
        (8, 8, [], "outside a tree of 8"),
        (-1, 8, [], "outside a tree of 8"),
        (0, 0, [], "outside a tree of 0"),
        (0, 8, [SOME_HASH], "has 1 hashes but this tree needs 3"),
        (0, 8, [SOME_HASH, SOME_HASH, b"x"], "position 2 is 1 bytes"),
        (0, 8, [SOME_HASH, SOME_HASH, SOME_HASH], "does not lead to the given root"),
    ],
)
def test_inclusion_errors_say_what_is_wrong(
    index: int, size: int, proof: list[bytes], message: str
) -> None:
    with pytest.raises(ProofError, match=message):
        verify_inclusion(LEAF_HASHES[0], index, size, proof, ROOTS[8])


def test_single_leaf_inclusion() -> None:
    h = leaf_hash(b"data")
    verify_inclusion(h, 0, 1, [], h)
    with pytest.raises(ProofError):
        verify_inclusion(h, 0, 1, [], b"")
    with pytest.raises(ProofError):
        verify_inclusion(b"", 0, 1, [], h)
    with pytest.raises(ProofError):
        verify_inclusion(h, 0, 1, [h], h)


# --- tampered consistency proofs -----------------------------------------------------------

ConsistencyArgs = tuple[int, int, bytes, bytes, list[bytes]]


def _consistency_probes(old: int, new: int, proof: list[bytes]) -> dict[str, ConsistencyArgs]:
    r1, r2 = ROOTS[old], ROOTS[new]
    probes: dict[str, ConsistencyArgs] = {
        "old - 1": (old - 1, new, r1, r2, proof),
        "old + 1": (old + 1, new, r1, r2, proof),
        "old ^ 2": (old ^ 2, new, r1, r2, proof),
        "new * 2": (old, new * 2, r1, r2, proof),
        "new // 2": (old, new // 2, r1, r2, proof),
        "wrong old root": (old, new, SOME_HASH, r2, proof),
        "wrong new root": (old, new, r1, SOME_HASH, proof),
        "short root": (old, new, b"WrongRoot", r2, proof),
        "swapped roots": (old, new, r2, r1, proof),
        "empty proof": (old, new, r1, r2, []),
        "trailing garbage": (old, new, r1, r2, [*proof, b""]),
        "trailing old root": (old, new, r1, r2, [*proof, r1]),
        "trailing new root": (old, new, r1, r2, [*proof, r2]),
        "preceding old root": (old, new, r1, r2, [r1, *proof]),
        "preceding proof[0]": (old, new, r1, r2, [proof[0], *proof]),
        "truncated": (old, new, r1, r2, proof[:-1]),
    }
    if new + 1 < len(ROOTS):  # as for inclusion: the other size is checked with its own root
        probes["new + 1"] = (old, new + 1, r1, ROOTS[new + 1], proof)
    if len(proof) > 1:
        probes["swapped"] = (old, new, r1, r2, [proof[1], proof[0], *proof[2:]])
    for i in range(len(proof)):
        flipped = [*proof]
        flipped[i] = bytes([proof[i][0] ^ 16]) + proof[i][1:]
        probes[f"flipped bit in [{i}]"] = (old, new, r1, r2, flipped)
    return probes


@pytest.mark.parametrize(("old", "new", "proof"), [v for v in PUBLISHED_CONSISTENCY if v[2]])
def test_tampered_consistency_proofs_are_rejected(old: int, new: int, proof: list[bytes]) -> None:
    probes = _consistency_probes(old, new, proof)
    accepted = [desc for desc, args in probes.items() if _accepts(verify_consistency, args)]
    assert accepted == []


def test_consistency_edge_sizes() -> None:
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], [])
    verify_consistency(4, 4, ROOTS[4], ROOTS[4], [])
    rejected: list[ConsistencyArgs] = [
        (0, 5, EMPTY_ROOT, ROOTS[5], [EMPTY_ROOT]),  # size 0 needs an empty proof
        (0, 5, ROOTS[1], ROOTS[5], []),  # ... and the empty-tree root
        (4, 4, ROOTS[4], ROOTS[5], []),  # same size, different roots
        (4, 4, ROOTS[4], ROOTS[4], [ROOTS[4]]),  # same size, non-empty proof
        (5, 4, ROOTS[5], ROOTS[4], []),  # shrinking
        (-1, 4, ROOTS[1], ROOTS[4], []),
    ]
    for args in rejected:
        with pytest.raises(ProofError):
            verify_consistency(*args)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((2, 1, ROOTS[2], ROOTS[1], []), "do not grow"),
        ((2, 5, ROOTS[2], ROOTS[5], []), "has 0 hashes but this tree needs 2"),
        ((2, 5, ROOTS[2], ROOTS[4], PUBLISHED_CONSISTENCY[2][2]), "new root"),
        ((6, 8, ROOTS[5], ROOTS[8], PUBLISHED_CONSISTENCY[3][2]), "old root"),
        ((2, 5, ROOTS[2], b"", PUBLISHED_CONSISTENCY[2][2]), "new root hash is 0 bytes"),
    ],
)
def test_consistency_errors_say_what_is_wrong(args: ConsistencyArgs, message: str) -> None:
    with pytest.raises(ProofError, match=message):
        verify_consistency(*args)


# --- properties ----------------------------------------------------------------------------


@st.composite
def _tree_and_positions(draw: st.DrawFn) -> tuple[int, int, int]:
    size = draw(st.integers(min_value=1, max_value=200))
    index = draw(st.integers(min_value=0, max_value=size - 1))
    old = draw(st.integers(min_value=1, max_value=size))
    return size, index, old


_BIG = _leaves(200)
_BIG_ROOTS = [ref_mth(_BIG[:n]) for n in range(201)]


@settings(max_examples=150, deadline=None)
@given(_tree_and_positions())
def test_generated_proofs_verify(case: tuple[int, int, int]) -> None:
    size, index, old = case
    tree = _BIG[:size]
    proof = inclusion_proof(tree, index)
    assert proof == ref_path(index, tree)
    verify_inclusion(tree[index], index, size, proof, _BIG_ROOTS[size])
    cproof = consistency_proof(tree, old)
    assert cproof == ref_subproof(old, tree, True)
    verify_consistency(old, size, _BIG_ROOTS[old], _BIG_ROOTS[size], cproof)


@settings(max_examples=150, deadline=None)
@given(_tree_and_positions(), st.data())
def test_any_flipped_bit_is_rejected(case: tuple[int, int, int], data: st.DataObject) -> None:
    size, index, old = case
    tree = _BIG[:size]
    proof = inclusion_proof(tree, index)
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        proof[at] = _flip(proof[at], bit)
        with pytest.raises(ProofError):
            verify_inclusion(tree[index], index, size, proof, _BIG_ROOTS[size])
    cproof = consistency_proof(tree, old)
    if cproof:
        at = data.draw(st.integers(0, len(cproof) - 1))
        bit = data.draw(st.integers(0, 255))
        cproof[at] = _flip(cproof[at], bit)
        with pytest.raises(ProofError):
            verify_consistency(old, size, _BIG_ROOTS[old], _BIG_ROOTS[size], cproof)


def _flip(h: bytes, bit: int) -> bytes:
    b = bytearray(h)
    b[bit // 8] ^= 1 << (bit % 8)
    return bytes(b)


def test_root_builder_equals_root_at_every_size_up_to_200() -> None:
    builder = RootBuilder()
    for size, h in enumerate(_BIG, start=1):
        builder.append(h)
        assert builder.root() == root(_BIG[:size]) == _BIG_ROOTS[size]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=8), min_size=1, max_size=200))
def test_root_builder_equals_root_for_random_leaves(data: list[bytes]) -> None:
    leaves = [leaf_hash(d) for d in data]
    builder = RootBuilder()
    for size, h in enumerate(leaves, start=1):
        builder.append(h)
        assert builder.root() == root(leaves[:size])
    assert builder.size == len(leaves)
