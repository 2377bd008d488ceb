"""RFC 6962 Merkle tree hashing and proofs, verified with the RFC 9162 algorithms.

Leaves are hashed as ``SHA-256(0x00 || data)`` and interior nodes as
``SHA-256(0x01 || left || right)``; the tree over ``n`` leaves splits at the largest power
of two smaller than ``n`` (RFC 6962 §2.1). Every function that takes ``leaf_hashes`` wants
leaves that are already hashed with :func:`leaf_hash`.

Proof *generation* follows the RFC 6962 definitions (PATH, §2.1.1; PROOF/SUBPROOF, §2.1.2)
and costs O(n) hashes, because it recomputes the subtree roots it needs from the leaves.
Proof *verification* is the RFC 9162 §2.1.3.2 and §2.1.4.2 algorithms, step for step,
preceded by cheap checks that turn a malformed proof into a precise sentence.

:class:`RootBuilder` keeps the compact range ("frontier") of a growing tree, so that a
stream of any length can be hashed in O(log n) memory and its root read at any size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

from coldcheck.ledger.errors import ProofError

HASH_SIZE = 32
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 6962 hash of one leaf: ``SHA-256(0x00 || data)``."""
    return _sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 6962 hash of an interior node: ``SHA-256(0x01 || left || right)``."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def _split(size: int) -> int:
    """Return the largest power of two strictly smaller than ``size`` (``size`` >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def _range_root(leaf_hashes: Sequence[bytes], start: int, end: int) -> bytes:
    """Return MTH(D[start:end]) by pairing level by level, carrying an odd last node up.

    Carrying the unpaired last node up unchanged yields exactly the RFC 6962 tree, whose
    left subtree is always the largest complete (power-of-two) one.
    """
    if start == end:
        return EMPTY_ROOT
    level = list(leaf_hashes[start:end])
    sha, prefix = _sha256, _NODE_PREFIX
    while len(level) > 1:
        paired = [
            sha(prefix + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return the Merkle Tree Hash of already-hashed leaves; the empty tree gives EMPTY_ROOT."""
    return _range_root(leaf_hashes, 0, len(leaf_hashes))


def _path_ranges(index: int, size: int) -> Iterator[tuple[int, int]]:
    """Yield the leaf ranges whose roots form PATH(index, D[0:size]), leaf to root."""
    start, end = 0, size
    outer: list[tuple[int, int]] = []
    while end - start > 1:
        k = _split(end - start)
        if index < k:
            outer.append((start + k, end))
            end = start + k
        else:
            outer.append((start, start + k))
            start, index = start + k, index - k
    yield from reversed(outer)


def _subproof_ranges(old_size: int, size: int) -> Iterator[tuple[int, int]]:
    """Yield the leaf ranges whose roots form PROOF(old_size, D[0:size]) (RFC 6962 §2.1.2)."""
    start, end, m, have_root = 0, size, old_size, True
    outer: list[tuple[int, int]] = []
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            outer.append((start + k, end))
            end = start + k
        else:
            outer.append((start, start + k))
            start, m, have_root = start + k, m - k, False
    if not have_root:
        yield (start, end)
    yield from reversed(outer)


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """Return the RFC 6962 audit path for the leaf at 0-based ``index``.

    Raises ValueError when ``index`` is not the position of a leaf.
    """
    size = len(leaf_hashes)
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of {size} leaves")
    return [_range_root(leaf_hashes, a, b) for a, b in _path_ranges(index, size)]


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """Return the RFC 6962 consistency proof from ``old_size`` to ``len(leaf_hashes)``.

    ``old_size`` must satisfy ``0 < old_size <= len(leaf_hashes)``; equal sizes give an empty
    proof. Raises ValueError otherwise.
    """
    size = len(leaf_hashes)
    if not 0 < old_size <= size:
        raise ValueError(f"old size {old_size} is not between 1 and the tree size {size}")
    return [_range_root(leaf_hashes, a, b) for a, b in _subproof_ranges(old_size, size)]


def _check_hash(value: bytes, what: str) -> None:
    """Raise ProofError unless ``value`` is a 32-byte hash."""
    if len(value) != HASH_SIZE:
        raise ProofError(f"the {what} is {len(value)} bytes long, not {HASH_SIZE}")


def _check_proof_shape(proof: Sequence[bytes], expected: int) -> None:
    """Raise ProofError unless ``proof`` holds ``expected`` hashes of 32 bytes each."""
    if len(proof) != expected:
        raise ProofError(f"the proof has {len(proof)} hashes but this tree needs {expected}")
    for position, element in enumerate(proof):
        _check_hash(element, f"proof hash at position {position}")


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> None:
    """Check that the leaf hash ``leaf`` sits at ``index`` in the tree of ``size`` leaves.

    ``leaf`` is the leaf *hash* (:func:`leaf_hash` of the entry), as in RFC 9162. The walk is
    RFC 9162 §2.1.3.2 exactly. Raises ProofError saying what is wrong.
    """
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of {size} leaves")
    _check_hash(leaf, "leaf hash")
    _check_hash(root_hash, "root hash")
    _check_proof_shape(proof, sum(1 for _ in _path_ranges(index, size)))
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the path to the root")
    if r != root_hash:
        raise ProofError(f"the inclusion proof for leaf {index} does not lead to the given root")


def _check_consistency_sizes(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Handle the sizes RFC 9162's walk does not cover; return True when already proven.

    Size 0 is consistent with every tree, but only with an empty proof and the empty-tree
    root as ``old_root``. Equal sizes need an empty proof and equal roots.
    """
    if not 0 <= old_size <= new_size:
        raise ProofError(f"tree sizes {old_size} -> {new_size} do not grow; no proof can exist")
    _check_hash(old_root, "old root hash")
    _check_hash(new_root, "new root hash")
    if old_size == 0:
        if proof:
            raise ProofError("a proof from the empty tree must be empty")
        if old_root != EMPTY_ROOT:
            raise ProofError("the old root is not the root of the empty tree")
        return True
    if old_size == new_size:
        if proof:
            raise ProofError("a proof between two trees of the same size must be empty")
        if old_root != new_root:
            raise ProofError(f"two trees of size {old_size} have different roots")
        return True
    _check_proof_shape(proof, sum(1 for _ in _subproof_ranges(old_size, new_size)))
    return False


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``new_size`` leaves extends the tree of ``old_size`` leaves.

    For ``0 < old_size < new_size`` the walk is RFC 9162 §2.1.4.2 exactly. Choice for the
    edges: ``old_size == 0`` passes only with an empty proof and ``old_root == EMPTY_ROOT``;
    ``old_size == new_size`` passes only with an empty proof and equal roots. Raises
    ProofError saying what is wrong.
    """
    if _check_consistency_sizes(old_size, new_size, old_root, new_root, proof):
        return
    path = list(proof)
    if not path:
        raise ProofError("the consistency proof is empty")
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    _check_consistency_result(fr == old_root, sr == new_root, sn == 0, old_size, new_size)


def _check_consistency_result(
    old_ok: bool, new_ok: bool, at_root: bool, old_size: int, new_size: int
) -> None:
    """Raise ProofError for the first failed final check of RFC 9162 §2.1.4.2 step 7."""
    if not at_root:
        raise ProofError("the consistency proof is shorter than the path to the root")
    if not old_ok:
        raise ProofError(f"the consistency proof does not lead to the old root (size {old_size})")
    if not new_ok:
        raise ProofError(f"the consistency proof does not lead to the new root (size {new_size})")


class RootBuilder:
    """Incremental Merkle root over a stream of leaf hashes (a compact range from 0).

    The frontier holds the roots of the complete subtrees that make up the tree so far, one
    per set bit of the size, largest first. :meth:`append` is amortised O(1) hashes and
    :meth:`root` is O(log n) without changing the builder.
    """

    def __init__(self) -> None:
        """Start with the empty tree."""
        self._frontier: list[bytes] = []
        self._size = 0

    @property
    def size(self) -> int:
        """The number of leaves appended so far."""
        return self._size

    def append(self, leaf_hash: bytes) -> None:
        """Add one already-hashed leaf; raises ValueError unless it is 32 bytes long."""
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"a leaf hash is {HASH_SIZE} bytes long, not {len(leaf_hash)}")
        frontier = self._frontier
        frontier.append(leaf_hash)
        self._size += 1
        merged = self._size
        while not merged & 1:
            right = frontier.pop()
            frontier[-1] = _sha256(_NODE_PREFIX + frontier[-1] + right).digest()
            merged >>= 1

    def root(self) -> bytes:
        """Return the Merkle Tree Hash of the leaves appended so far."""
        if not self._frontier:
            return EMPTY_ROOT
        acc = self._frontier[-1]
        for left in reversed(self._frontier[:-1]):
            acc = node_hash(left, acc)
        return acc
