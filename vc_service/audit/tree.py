"""RFC 6962 / RFC 9162 Merkle tree: hashing, proofs and their verification.

Leaf hash `SHA-256(0x00 ‖ data)`, node hash `SHA-256(0x01 ‖ left ‖ right)`, empty tree
`SHA-256("")`; the left subtree of a tree of n leaves holds the largest power of two below n.
Verification follows the bit-walk algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2 (restated in C2SP
`merkle-tree.md`), with the stricter choices of transparency-dev/merkle: every proof hash and leaf
hash must be 32 bytes, the proof length must be exact, and a consistency proof from the empty
tree is refused as meaningless.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from vc_service.audit import AuditError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256
# Hashes with the domain-separation byte already fed, copied for each hash: cheaper than
# building `0x00 ‖ data` or `0x01 ‖ left ‖ right` as new bytes first.
_LEAF = _sha256(b"\x00")
_NODE = _sha256(b"\x01")


class ProofError(AuditError):
    """A proof, size or root does not verify; the message says which check failed."""

    code = "audit.proof.invalid"

    def __init__(self, message: str, code: str = "audit.proof.invalid") -> None:
        super().__init__(code, message)


def leaf_hash(data: bytes) -> bytes:
    digest = _LEAF.copy()
    digest.update(data)
    return digest.digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    digest = _NODE.copy()
    digest.update(left)
    digest.update(right)
    return digest.digest()


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """Root of the tree whose leaves have these hashes (level by level, carrying an odd last node
    up unchanged, which gives the same tree as the RFC's largest-power-of-two split)."""
    level = list(leaf_hashes)
    if not level:
        return EMPTY_ROOT
    copy = _NODE.copy
    while len(level) > 1:
        odd = level[-1] if len(level) & 1 else None
        it = iter(level)
        above: list[bytes] = []
        add = above.append
        for left, right in zip(it, it, strict=False):
            digest = copy()
            digest.update(left)
            digest.update(right)
            add(digest.digest())
        if odd is not None:
            add(odd)
        level = above
    return level[0]


def _check_sizes(index_or_old: int, size: int) -> None:
    if index_or_old < 0 or size < 0:
        raise ProofError("sizes and indices must not be negative", "audit.proof.range")


class MerkleTree:
    """An append-only tree of leaf hashes that keeps every complete subtree hash.

    Level k stores, in one `bytearray`, the hash of each complete subtree of 2^k leaves, so the
    root of any earlier size and every proof cost O(log² n) lookups and O(log n) hashes, and an
    append costs one hash per completed subtree (amortised two). One million leaves take about
    64 MB.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self._size = 0
        for item in leaf_hashes:
            self.append(item)

    @property
    def size(self) -> int:
        return self._size

    def append(self, leaf: bytes) -> int:
        """Add a leaf hash (not the leaf data); returns its index."""
        if len(leaf) != HASH_SIZE:
            raise ProofError(f"leaf hash must be {HASH_SIZE} bytes, got {len(leaf)}")
        index = self._size
        self._levels[0] += leaf
        self._size += 1
        # Each trailing 1-bit of the new size closes one more complete subtree.
        level, count = 0, self._size
        while count & 1 == 0:
            row = self._levels[level]
            pair = row[-2 * HASH_SIZE :]
            if level + 1 == len(self._levels):
                self._levels.append(bytearray())
            digest = _NODE.copy()
            digest.update(pair)
            self._levels[level + 1] += digest.digest()
            level += 1
            count >>= 1
        return index

    def leaf(self, index: int) -> bytes:
        if not 0 <= index < self._size:
            raise ProofError(f"leaf index {index} is outside the tree of size {self._size}")
        return self._node(0, index)

    def _node(self, level: int, position: int) -> bytes:
        start = position * HASH_SIZE
        return bytes(self._levels[level][start : start + HASH_SIZE])

    def _subtree(self, start: int, size: int) -> bytes:
        """Hash of leaves [start, start + size) where that range is a subtree of the RFC's
        recursion (start is a multiple of the power of two at or above size)."""
        # Split into complete subtrees, largest first, and fold from the right.
        parts: list[bytes] = []
        offset = start
        remaining = size
        while remaining:
            level = remaining.bit_length() - 1
            parts.append(self._node(level, offset >> level))
            offset += 1 << level
            remaining -= 1 << level
        acc = parts[-1]
        for part in reversed(parts[:-1]):
            acc = node_hash(part, acc)
        return acc

    def root(self, size: int | None = None) -> bytes:
        size = self._size if size is None else size
        if not 0 <= size <= self._size:
            raise ProofError(f"size {size} is outside 0..{self._size}", "audit.proof.range")
        if size == 0:
            return EMPTY_ROOT
        return self._subtree(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 PATH(index, D[0:size]), lowest level first."""
        size = self._size if size is None else size
        _check_sizes(index, size)
        if size > self._size:
            raise ProofError(f"size {size} exceeds the tree size {self._size}", "audit.proof.range")
        if index >= size:
            raise ProofError(f"index {index} is not below size {size}", "audit.proof.range")
        path: list[bytes] = []
        start, n, m = 0, size, index
        while n > 1:
            k = 1 << ((n - 1).bit_length() - 1)
            if m < k:
                path.append(self._subtree(start + k, n - k))
                n = k
            else:
                path.append(self._subtree(start, k))
                start += k
                m -= k
                n -= k
        path.reverse()
        return path

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 9162 PROOF(old_size, D[0:new_size]), lowest level first."""
        new_size = self._size if new_size is None else new_size
        _check_sizes(old_size, new_size)
        if new_size > self._size:
            raise ProofError(
                f"size {new_size} exceeds the tree size {self._size}", "audit.proof.range"
            )
        if old_size == 0 or old_size > new_size:
            raise ProofError(
                f"no consistency proof from size {old_size} to {new_size}", "audit.proof.range"
            )
        if old_size == new_size:
            return []
        # SUBPROOF(m, D[start:start+n], b), unrolled: `complete` is b, true while the old tree
        # is still a complete subtree of the part being descended into.
        path: list[bytes] = []
        start, n, m, complete = 0, new_size, old_size, True
        while m != n:
            k = 1 << ((n - 1).bit_length() - 1)
            if m <= k:
                path.append(self._subtree(start + k, n - k))
                n = k
            else:
                path.append(self._subtree(start, k))
                start += k
                m -= k
                n -= k
                complete = False
        if not complete:
            path.append(self._subtree(start, m))
        path.reverse()
        return path


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} must be {HASH_SIZE} bytes, got {len(value)}", "audit.proof.hash")


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that the leaf with hash `leaf_hash` sits at `index` of the tree of `size` leaves
    whose root is `root`; raises `ProofError` naming the failed check."""
    _check_sizes(index, size)
    if index >= size:
        raise ProofError(f"index {index} is not below size {size}", "audit.proof.range")
    _check_hash(leaf_hash, "leaf hash")
    for position, item in enumerate(proof):
        _check_hash(item, f"proof hash {position}")
    fn, sn = index, size - 1
    acc = leaf_hash
    for item in proof:
        if sn == 0:
            raise ProofError(
                f"inclusion proof is too long: {len(proof)} hashes for index {index} "
                f"in size {size}",
                "audit.proof.length",
            )
        if fn & 1 or fn == sn:
            acc = node_hash(item, acc)
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            acc = node_hash(acc, item)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(
            f"inclusion proof is too short: {len(proof)} hashes for index {index} in size {size}",
            "audit.proof.length",
        )
    if acc != root:
        raise ProofError(
            f"inclusion proof gives root {acc.hex()}, expected {root.hex()}",
            "audit.proof.root_mismatch",
        )


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of `old_size` leaves with `old_root` is a prefix of the tree of
    `new_size` leaves with `new_root`; raises `ProofError` naming the failed check."""
    _check_sizes(old_size, new_size)
    if old_size > new_size:
        raise ProofError(
            f"old size {old_size} is larger than new size {new_size}", "audit.proof.range"
        )
    if old_size == new_size:
        # Equal sizes need no proof, only equal roots (the verifier parses roots elsewhere).
        if proof:
            raise ProofError(
                f"sizes are equal ({old_size}) but the proof has {len(proof)} hashes",
                "audit.proof.length",
            )
        if old_size == 0:
            raise ProofError("consistency between empty trees proves nothing", "audit.proof.range")
        if old_root != new_root:
            raise ProofError(
                f"sizes are equal ({old_size}) but roots differ: {old_root.hex()} != "
                f"{new_root.hex()}",
                "audit.proof.root_mismatch",
            )
        return
    if old_size == 0:
        raise ProofError(
            "a consistency proof from the empty tree is meaningless", "audit.proof.range"
        )
    if not proof:
        raise ProofError(
            f"empty consistency proof from size {old_size} to {new_size}", "audit.proof.length"
        )
    _check_hash(old_root, "old root")
    _check_hash(new_root, "new root")
    for position, item in enumerate(proof):
        _check_hash(item, f"proof hash {position}")

    path = list(proof)
    if old_size & (old_size - 1) == 0:
        # The old tree is a complete subtree, so its root is the proof's implied first node.
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first = second = path[0]
    for item in path[1:]:
        if sn == 0:
            raise ProofError(
                f"consistency proof is too long: {len(proof)} hashes from size {old_size} "
                f"to {new_size}",
                "audit.proof.length",
            )
        if fn & 1 or fn == sn:
            first = node_hash(item, first)
            second = node_hash(item, second)
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            second = node_hash(second, item)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(
            f"consistency proof is too short: {len(proof)} hashes from size {old_size} "
            f"to {new_size}",
            "audit.proof.length",
        )
    if first != old_root:
        raise ProofError(
            f"consistency proof gives old root {first.hex()}, expected {old_root.hex()}",
            "audit.proof.root_mismatch",
        )
    if second != new_root:
        raise ProofError(
            f"consistency proof gives new root {second.hex()}, expected {new_root.hex()}",
            "audit.proof.root_mismatch",
        )
