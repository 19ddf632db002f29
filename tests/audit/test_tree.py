"""RFC 6962 tree: transparency-dev probes, an exhaustive sweep up to 64 leaves against a direct
transcription of the RFC recursion, and hypothesis properties."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vc_service.audit import tree
from vc_service.audit.tree import (
    EMPTY_ROOT,
    MerkleTree,
    ProofError,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).parent.parent / "vectors" / "merkle" / "testdata"


def _b64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def _load(kind: str) -> list[tuple[str, dict[str, Any]]]:
    files = sorted((VECTORS / kind).rglob("*.json"))
    return [(str(path.relative_to(VECTORS)), json.loads(path.read_text())) for path in files]


INCLUSION = _load("inclusion")
CONSISTENCY = _load("consistency")


def test_vector_files_are_all_there() -> None:
    # A silently empty glob would make the parametrised tests below vacuous.
    assert len(INCLUSION) == 98
    assert len(CONSISTENCY) == 98
    assert sum(not probe["wantErr"] for _, probe in INCLUSION) == 6
    assert sum(not probe["wantErr"] for _, probe in CONSISTENCY) == 6


@pytest.mark.parametrize(("name", "probe"), INCLUSION, ids=[name for name, _ in INCLUSION])
def test_transparency_dev_inclusion(name: str, probe: dict[str, Any]) -> None:
    args = (
        _b64(probe["leafHash"]),
        probe["leafIdx"],
        probe["treeSize"],
        [_b64(item) for item in probe["proof"] or []],
        _b64(probe["root"]),
    )
    if probe["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize(("name", "probe"), CONSISTENCY, ids=[name for name, _ in CONSISTENCY])
def test_transparency_dev_consistency(name: str, probe: dict[str, Any]) -> None:
    args = (
        probe["size1"],
        probe["size2"],
        _b64(probe["root1"]),
        _b64(probe["root2"]),
        [_b64(item) for item in probe["proof"] or []],
    )
    if probe["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


# The eight CT test leaves and the root of every prefix (transparency-dev cmd/proofgen).
CT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    bytes.fromhex(h)
    for h in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]


def test_known_roots_of_the_ct_leaves() -> None:
    hashes = [leaf_hash(item) for item in CT_LEAVES]
    built = MerkleTree(hashes)
    for size in range(1, 9):
        assert tree.root(hashes[:size]) == CT_ROOTS[size - 1]
        assert built.root(size) == CT_ROOTS[size - 1]
    assert tree.root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert built.root(0) == EMPTY_ROOT


def test_published_proofs_of_the_ct_leaves() -> None:
    built = MerkleTree(leaf_hash(item) for item in CT_LEAVES)
    assert [h.hex() for h in built.inclusion_proof(5, 8)] == [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]
    assert [h.hex() for h in built.consistency_proof(6, 7)] == [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]
    assert [h.hex() for h in built.consistency_proof(2, 5)] == [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ]


# A direct transcription of RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1, independent of tree.py.
def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _mth(hashes: list[bytes]) -> bytes:
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = _k(len(hashes))
    return node_hash(_mth(hashes[:k]), _mth(hashes[k:]))


def _path(m: int, hashes: list[bytes]) -> list[bytes]:
    if len(hashes) == 1:
        return []
    k = _k(len(hashes))
    if m < k:
        return [*_path(m, hashes[:k]), _mth(hashes[k:])]
    return [*_path(m - k, hashes[k:]), _mth(hashes[:k])]


def _subproof(m: int, hashes: list[bytes], complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [_mth(hashes)]
    k = _k(n)
    if m <= k:
        return [*_subproof(m, hashes[:k], complete), _mth(hashes[k:])]
    return [*_subproof(m - k, hashes[k:], False), _mth(hashes[:k])]


SWEEP = 64
SWEEP_HASHES = [leaf_hash(i.to_bytes(2, "big")) for i in range(SWEEP)]
SWEEP_TREE = MerkleTree(SWEEP_HASHES)
SWEEP_ROOTS = [_mth(SWEEP_HASHES[:n]) for n in range(SWEEP + 1)]


def _flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


def test_exhaustive_inclusion_sweep() -> None:
    # Wrong sizes are probed with ×2 and ÷2 as transparency-dev does: size ± 1 can keep the
    # proof's shape (index 0 of sizes 3 and 4), and then only the signed (size, root) pair,
    # which always comes from one checkpoint, tells them apart.
    for size in range(1, SWEEP + 1):
        root = SWEEP_ROOTS[size]
        assert SWEEP_TREE.root(size) == root
        for index in range(size):
            proof = SWEEP_TREE.inclusion_proof(index, size)
            assert proof == _path(index, SWEEP_HASHES[:size]), (index, size)
            verify_inclusion(SWEEP_HASHES[index], index, size, proof, root)
            wrong: list[tuple[bytes, int, int, list[bytes], bytes]] = [
                (SWEEP_HASHES[index], index, size, [*proof, root], root),
                (SWEEP_HASHES[index], index, size * 2, proof, root),
                (SWEEP_HASHES[index], index, size // 2, proof, root),
                (_flip(SWEEP_HASHES[index]), index, size, proof, root),
                (SWEEP_HASHES[index], index, size, proof, _flip(root)),
            ]
            if proof:
                wrong.append((SWEEP_HASHES[index], index, size, proof[:-1], root))
                wrong += [
                    (
                        SWEEP_HASHES[index],
                        index,
                        size,
                        [*proof[:i], _flip(proof[i]), *proof[i + 1 :]],
                        root,
                    )
                    for i in range(len(proof))
                ]
            if index + 1 < size:
                wrong.append((SWEEP_HASHES[index], index + 1, size, proof, root))
            if index > 0:
                wrong.append((SWEEP_HASHES[index], index - 1, size, proof, root))
            for case in wrong:
                with pytest.raises(ProofError):
                    verify_inclusion(*case)


def test_exhaustive_consistency_sweep() -> None:
    for new in range(1, SWEEP + 1):
        for old in range(1, new + 1):
            proof = SWEEP_TREE.consistency_proof(old, new)
            assert proof == (_subproof(old, SWEEP_HASHES[:new], True) if old < new else [])
            old_root, new_root = SWEEP_ROOTS[old], SWEEP_ROOTS[new]
            verify_consistency(old, new, old_root, new_root, proof)
            wrong: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
                (old, new, _flip(old_root), new_root, proof),
                (old, new, old_root, _flip(new_root), proof),
                (old, new, old_root, new_root, [*proof, new_root]),
                (old, new * 2, old_root, new_root, proof),
                (old, new // 2, old_root, new_root, proof),
            ]
            if old ^ 2 != old and 0 < old ^ 2 <= new:
                wrong.append((old ^ 2, new, old_root, new_root, proof))
            if old > 1:
                wrong.append((old - 1, new, old_root, new_root, proof))
            if proof:
                wrong.append((old, new, old_root, new_root, proof[:-1]))
                wrong += [
                    (old, new, old_root, new_root, [*proof[:i], _flip(proof[i]), *proof[i + 1 :]])
                    for i in range(len(proof))
                ]
            for case in wrong:
                with pytest.raises(ProofError):
                    verify_consistency(*case)


def test_precise_messages() -> None:
    with pytest.raises(ProofError, match="index 8 is not below size 8") as info:
        verify_inclusion(SWEEP_HASHES[0], 8, 8, [], SWEEP_ROOTS[8])
    assert info.value.code == "audit.proof.range"
    with pytest.raises(ProofError, match="too short: 2 hashes for index 0 in size 8"):
        verify_inclusion(
            SWEEP_HASHES[0], 0, 8, SWEEP_TREE.inclusion_proof(0, 8)[:2], SWEEP_ROOTS[8]
        )
    with pytest.raises(ProofError, match="too long") as info:
        verify_inclusion(SWEEP_HASHES[0], 0, 1, [SWEEP_ROOTS[2]], SWEEP_HASHES[0])
    assert info.value.code == "audit.proof.length"
    with pytest.raises(ProofError, match="proof hash 0 must be 32 bytes, got 3"):
        verify_inclusion(SWEEP_HASHES[0], 0, 2, [b"abc"], SWEEP_ROOTS[2])
    with pytest.raises(ProofError, match="gives new root") as info:
        verify_consistency(3, 8, SWEEP_ROOTS[3], SWEEP_ROOTS[7], SWEEP_TREE.consistency_proof(3, 8))
    assert info.value.code == "audit.proof.root_mismatch"
    with pytest.raises(ProofError, match="from the empty tree is meaningless"):
        verify_consistency(0, 4, EMPTY_ROOT, SWEEP_ROOTS[4], [])
    with pytest.raises(ProofError, match="old size 5 is larger than new size 4"):
        verify_consistency(5, 4, SWEEP_ROOTS[5], SWEEP_ROOTS[4], [])


def test_tree_refuses_bad_arguments() -> None:
    built = MerkleTree(SWEEP_HASHES[:5])
    with pytest.raises(ProofError):
        built.append(b"short")
    with pytest.raises(ProofError):
        built.root(6)
    with pytest.raises(ProofError):
        built.inclusion_proof(5, 5)
    with pytest.raises(ProofError):
        built.inclusion_proof(0, 6)
    with pytest.raises(ProofError):
        built.consistency_proof(0, 5)
    with pytest.raises(ProofError):
        built.consistency_proof(4, 6)
    assert built.leaf(4) == SWEEP_HASHES[4]


@settings(max_examples=60, deadline=None)
@given(data=st.data(), size=st.integers(min_value=1, max_value=700))
def test_proofs_verify_for_random_shapes(data: st.DataObject, size: int) -> None:
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    built = MerkleTree(hashes)
    assert built.root() == tree.root(hashes)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    verify_inclusion(hashes[index], index, size, built.inclusion_proof(index), built.root())
    old = data.draw(st.integers(min_value=1, max_value=size))
    verify_consistency(old, size, built.root(old), built.root(), built.consistency_proof(old))


@settings(max_examples=150, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=64),
    index=st.integers(min_value=0, max_value=63),
    garbage=st.lists(st.binary(min_size=32, max_size=32), max_size=8),
    claimed=st.integers(min_value=0, max_value=200),
)
def test_random_proofs_for_other_positions_fail(
    size: int, index: int, garbage: list[bytes], claimed: int
) -> None:
    # A proof made of random hashes, or a real proof presented for another position, never
    # verifies (a SHA-256 collision aside).
    index %= size
    real = SWEEP_TREE.inclusion_proof(index, size)
    if garbage != real:
        with pytest.raises(ProofError):
            verify_inclusion(SWEEP_HASHES[index], index, size, garbage, SWEEP_ROOTS[size])
    claimed %= size
    if claimed != index:
        with pytest.raises(ProofError):
            verify_inclusion(SWEEP_HASHES[index], claimed, size, real, SWEEP_ROOTS[size])
