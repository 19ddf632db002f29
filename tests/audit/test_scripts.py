"""The shipped POSIX scripts against the Python implementation: tree roots, every inclusion and
consistency proof of small trees, and their refusals. Runs the real `sh`, `xxd`, `sha256sum`."""

from __future__ import annotations

import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pytest

from vc_service.audit.bundle import SCRIPTS, proof_text
from vc_service.audit.tree import MerkleTree, leaf_hash

SWEEP = 8
LINES = [f'{{"n":{i},"s":"caf\u00e9 \\\\ \\" %s {i}"}}'.encode() for i in range(40)]


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    for name in SCRIPTS:
        source = resources.files("vc_service.audit").joinpath("scripts", name)
        (tmp_path / name).write_bytes(source.read_bytes())
    return tmp_path


def test_the_tools_the_scripts_need_are_here() -> None:
    for tool in (
        "sh",
        "awk",
        "grep",
        "sed",
        "base64",
        "head",
        "tail",
        "xxd",
        "sha256sum",
        "openssl",
        "tr",
        "wc",
        "find",
        "iconv",
    ):
        assert shutil.which(tool), tool


def _run(script: str, cwd: Path) -> list[str]:
    result = subprocess.run(
        ["sh", "-c", script], cwd=cwd, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_tree_root_matches_python(scripts: Path) -> None:
    sizes = [0, 1, 2, 3, 5, 7, 8, 13, 33]
    (scripts / "events.jsonl").write_bytes(b"".join(line + b"\n" for line in LINES))
    commands = "\n".join(f"sh tree_root.sh events.jsonl {n}" for n in sizes)
    tree = MerkleTree(leaf_hash(line) for line in LINES)
    assert _run(commands, scripts) == [tree.root(n).hex() for n in sizes]
    assert _run("sh tree_root.sh events.jsonl", scripts) == [tree.root().hex()]
    # Asking for more lines than the file has is an error, not a smaller tree.
    result = subprocess.run(
        ["sh", "tree_root.sh", "events.jsonl", "41"],
        cwd=scripts,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0


def _inclusion_case(
    scripts: Path, tree: MerkleTree, index: int, size: int, proof: list[bytes], name: str
) -> str:
    (scripts / f"leaf{index}").write_bytes(LINES[index] + b"\n")
    (scripts / f"{name}.txt").write_bytes(proof_text(proof))
    root = tree.root(size).hex()
    return (
        f"sh verify_inclusion.sh leaf{index} {index} {size} {name}.txt {root} >/dev/null "
        f"2>&1 && echo {name}:ok || echo {name}:fail"
    )


def test_every_inclusion_proof_of_small_trees(scripts: Path) -> None:
    tree = MerkleTree(leaf_hash(line) for line in LINES[:SWEEP])
    commands, expected = [], []
    for size in range(1, SWEEP + 1):
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            commands.append(_inclusion_case(scripts, tree, index, size, proof, f"p{index}_{size}"))
            expected.append(f"p{index}_{size}:ok")
            if proof:
                bad = [*proof[:-1], bytes([proof[-1][0] ^ 1]) + proof[-1][1:]]
                commands.append(
                    _inclusion_case(scripts, tree, index, size, bad, f"b{index}_{size}")
                )
                commands.append(
                    _inclusion_case(scripts, tree, index, size, proof[:-1], f"t{index}_{size}")
                )
                expected += [f"b{index}_{size}:fail", f"t{index}_{size}:fail"]
            commands.append(
                _inclusion_case(
                    scripts,
                    tree,
                    index,
                    size,
                    [*proof, proof[0] if proof else tree.root(size)],
                    f"x{index}_{size}",
                )
            )
            expected.append(f"x{index}_{size}:fail")
    assert _run("\n".join(commands), scripts) == expected


def test_inclusion_refuses_wrong_index_size_and_leaf(scripts: Path) -> None:
    tree = MerkleTree(leaf_hash(line) for line in LINES[:8])
    (scripts / "leaf5").write_bytes(LINES[5])  # no final newline is fine for a leaf file
    (scripts / "leaf4").write_bytes(LINES[4] + b"\n")
    (scripts / "two").write_bytes(LINES[5] + b"\n" + LINES[5] + b"\n")
    (scripts / "proof.txt").write_bytes(proof_text(tree.inclusion_proof(5, 8)))
    root = tree.root(8).hex()
    cases = {
        "good": f"leaf5 5 8 proof.txt {root}",
        "index": f"leaf5 4 8 proof.txt {root}",
        "size": f"leaf5 5 16 proof.txt {root}",
        "leaf": f"leaf4 5 8 proof.txt {root}",
        "two-lines": f"two 5 8 proof.txt {root}",
        "past-end": f"leaf5 8 8 proof.txt {root}",
        "not-a-number": f"leaf5 x 8 proof.txt {root}",
        "root": f"leaf5 5 8 proof.txt {tree.root(7).hex()}",
    }
    commands = "\n".join(
        f"sh verify_inclusion.sh {args} >/dev/null 2>&1 && echo {name}:ok || echo {name}:fail"
        for name, args in cases.items()
    )
    assert _run(commands, scripts) == ["good:ok"] + [f"{name}:fail" for name in list(cases)[1:]]


def test_every_consistency_proof_of_small_trees(scripts: Path) -> None:
    tree = MerkleTree(leaf_hash(line) for line in LINES[:SWEEP])
    commands, expected = [], []
    for new in range(1, SWEEP + 1):
        for old in range(1, new + 1):
            proof = tree.consistency_proof(old, new)
            roots = f"{tree.root(old).hex()} {tree.root(new).hex()}"
            variants = {"ok": proof}
            if proof:
                variants["cut"] = proof[:-1]
                variants["flip"] = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
                variants["long"] = [*proof, proof[0]]
            for label, hashes in variants.items():
                name = f"{label}{old}_{new}"
                (scripts / f"{name}.txt").write_bytes(proof_text(hashes))
                commands.append(
                    f"sh verify_consistency.sh {old} {new} {roots} {name}.txt >/dev/null 2>&1 "
                    f"&& echo {name}:ok || echo {name}:fail"
                )
                expected.append(f"{name}:{'ok' if label == 'ok' else 'fail'}")
    # A different old root (a fork) and sizes out of order.
    (scripts / "empty.txt").write_bytes(b"")
    (scripts / "p.txt").write_bytes(proof_text(tree.consistency_proof(3, 7)))
    fork = f"sh verify_consistency.sh 3 7 {tree.root(2).hex()} {tree.root(7).hex()} p.txt"
    backwards = f"sh verify_consistency.sh 7 3 {tree.root(7).hex()} {tree.root(3).hex()} empty.txt"
    for name, command in (("fork", fork), ("backwards", backwards)):
        commands.append(f"{command} >/dev/null 2>&1 && echo {name}:ok || echo {name}:fail")
        expected.append(f"{name}:fail")
    assert _run("\n".join(commands), scripts) == expected


# Bytes the shell's `read` and `printf` could lose or change (issue 14 point 2: a NUL was
# dropped, so "record\0ing" hashed as "recording").
AWKWARD = [
    b'{"s":"record\x00ing"}',
    b"\x00",
    b"trailing space \t ",
    b"  leading",
    b"back\\slash \\n \\\\",
    b"carriage\rreturn\r",
    b"-n",
    b"%s %d %%",
    b"\xff\xfe not UTF-8 \xc3",
    b"\x7f\x01\x1b[0m",
]


def test_tree_root_hashes_the_exact_bytes(scripts: Path) -> None:
    (scripts / "events.jsonl").write_bytes(b"".join(line + b"\n" for line in AWKWARD))
    tree = MerkleTree(leaf_hash(line) for line in AWKWARD)
    sizes = [1, 2, len(AWKWARD)]
    commands = "\n".join(f"sh tree_root.sh events.jsonl {n}" for n in sizes)
    assert _run(commands, scripts) == [tree.root(n).hex() for n in sizes]
    # Without N, the whole file; a last line without its newline is refused, not dropped.
    assert _run("sh tree_root.sh events.jsonl", scripts) == [tree.root().hex()]
    (scripts / "cut.jsonl").write_bytes(b"".join(line + b"\n" for line in AWKWARD)[:-1])
    result = subprocess.run(
        ["sh", "tree_root.sh", "cut.jsonl"], cwd=scripts, capture_output=True, check=False
    )
    assert result.returncode != 0


def test_inclusion_hashes_the_exact_bytes_of_the_leaf(scripts: Path) -> None:
    tree = MerkleTree(leaf_hash(line) for line in AWKWARD)
    root = tree.root().hex()
    commands = []
    for index, line in enumerate(AWKWARD):
        (scripts / f"leaf{index}").write_bytes(line + b"\n")
        (scripts / f"proof{index}.txt").write_bytes(proof_text(tree.inclusion_proof(index)))
        commands.append(
            f"sh verify_inclusion.sh leaf{index} {index} {len(AWKWARD)} proof{index}.txt {root}"
            f" >/dev/null 2>&1 && echo {index}:ok || echo {index}:fail"
        )
    # The NUL-free twin of leaf 0 must not pass for it.
    (scripts / "twin").write_bytes(b'{"s":"recording"}\n')
    commands.append(
        f"sh verify_inclusion.sh twin 0 {len(AWKWARD)} proof0.txt {root} >/dev/null 2>&1"
        " && echo twin:ok || echo twin:fail"
    )
    expected = [f"{index}:ok" for index in range(len(AWKWARD))] + ["twin:fail"]
    assert _run("\n".join(commands), scripts) == expected
