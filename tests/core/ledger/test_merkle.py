"""The Merkle tree against RFC 9162's definitions and the published RFC 6962 reference vectors.

The vectors are the reference tree of transparency-dev/merkle (leaves below);
roots and proofs were published there and are reproduced as hex/base64 facts.
Negative cases mutate the valid proofs the same ways that test data does.
"""

from __future__ import annotations

import base64
import hashlib

import pytest

from councils.core.ledger import merkle
from councils.core.ledger.merkle import ProofError

LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}


def b64(text: str) -> bytes:
    return base64.b64decode(text)


INCLUSION = [
    # (index, size, proof)
    (0, 1, []),
    (
        0,
        8,
        [
            "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
            "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=",
        ],
    ),
    (
        5,
        8,
        [
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
    ),
    (2, 3, ["+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU="]),
    (
        1,
        5,
        [
            "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
            "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
        ],
    ),
]
CONSISTENCY = [
    # (old, new, proof)
    (1, 1, []),
    (
        1,
        8,
        [
            "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
            "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=",
        ],
    ),
    (
        6,
        8,
        [
            "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
    ),
    (2, 5, ["Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=", "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms="]),
    (
        6,
        7,
        [
            "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
            "sIaT7C5yFZcTBkHoIR5+7cy0wmQTlj7ubB4u0W/7Gl8=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
    ),
]


# An independent, deliberately naive reading of RFC 9162 §2.1 to check the fast code against.
def ref_mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:])).digest()


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [ref_mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*ref_subproof(m, leaves[:k], complete), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def ref_consistency(m: int, leaves: list[bytes]) -> list[bytes]:
    if m == 0 or m == len(leaves):
        return []
    return ref_subproof(m, leaves, True)


def tree(leaves: list[bytes]) -> dict[merkle.Node, bytes]:
    """Every perfect node of the tree over `leaves`, as a server would store them."""
    nodes: dict[merkle.Node, bytes] = {}
    builder = merkle.TreeBuilder()
    for i, leaf in enumerate(leaves):
        h = merkle.hash_leaf(leaf)
        nodes[(0, i)] = h
        nodes.update(builder.append(h))
    return nodes


def synthetic(n: int) -> list[bytes]:
    return [f"entry {i}".encode() for i in range(n)]


@pytest.mark.parametrize("size", range(1, 9))
def test_reference_tree_roots_match_the_published_values(size: int) -> None:
    nodes = tree(LEAVES[:size])
    root = merkle.fold([nodes[n] for n in merkle.root_plan(size)])
    assert root.hex() == ROOTS[size]
    assert merkle.root_from_leaves(merkle.hash_leaf(x) for x in LEAVES[:size]) == (size, root)
    assert ref_mth(LEAVES[:size]).hex() == ROOTS[size]


def test_empty_tree_root_is_the_hash_of_nothing() -> None:
    assert merkle.root_from_leaves([]) == (0, hashlib.sha256(b"").digest())
    assert merkle.TreeBuilder().root() == merkle.EMPTY_ROOT


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_published_inclusion_proofs_are_generated_and_verified(
    index: int, size: int, proof: list[str]
) -> None:
    nodes = tree(LEAVES[:size])
    generated = merkle.resolve(merkle.inclusion_plan(index, size), nodes.__getitem__)
    assert generated == [b64(p) for p in proof]
    leaf = merkle.hash_leaf(LEAVES[index])
    merkle.verify_inclusion(index, size, leaf, generated, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_published_consistency_proofs_are_generated_and_verified(
    old: int, new: int, proof: list[str]
) -> None:
    nodes = tree(LEAVES[:new])
    generated = merkle.resolve(merkle.consistency_plan(old, new), nodes.__getitem__)
    assert generated == [b64(p) for p in proof]
    merkle.verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]), generated)


def inclusion_mutations(index: int, size: int, proof: list[bytes], leaf: bytes, root: bytes):
    """The negative cases of the reference test data, built from a valid proof."""
    yield "wrong leaf", (index, size, hashlib.sha256(b"WRONG").digest(), proof, root)
    yield "random root", (index, size, leaf, proof, hashlib.sha256(b"random").digest())
    yield "empty root", (index, size, leaf, proof, hashlib.sha256(b"").digest())
    yield "index+1", (index + 1, size, leaf, proof, root)
    yield "index-1", (index - 1, size, leaf, proof, root)
    yield "index^2", (index ^ 2, size, leaf, proof, root)
    yield "size*2", (index, size * 2, leaf, proof, root)
    yield "size/2", (index, size // 2, leaf, proof, root)
    yield "preceding garbage", (index, size, leaf, [b"\x01" * 32, *proof], root)
    yield "trailing garbage", (index, size, leaf, [*proof, b"\x01" * 32], root)
    yield "trailing root", (index, size, leaf, [*proof, root], root)
    yield "preceding root", (index, size, leaf, [root, *proof], root)
    yield "inserted component", (index, size, leaf, [*proof[:1], b"\x07" * 32, *proof[1:]], root)
    if proof:
        yield "removed component", (index, size, leaf, proof[:-1], root)
    for i, p in enumerate(proof):
        for bit in (0, 3):
            flipped = bytearray(p)
            flipped[0] ^= 1 << bit
            yield (
                f"proof[{i}] bit {bit}",
                (index, size, leaf, [*proof[:i], bytes(flipped), *proof[i + 1 :]], root),
            )


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_mutated_inclusion_proofs_fail(index: int, size: int, proof: list[str]) -> None:
    leaf = merkle.hash_leaf(LEAVES[index])
    valid = [b64(p) for p in proof]
    cases = list(inclusion_mutations(index, size, valid, leaf, bytes.fromhex(ROOTS[size])))
    assert len(cases) >= 12
    for name, (i, n, lf, pf, rt) in cases:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(i, n, lf, pf, rt)
            pytest.fail(f"{name} was accepted")


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY[1:])
def test_mutated_consistency_proofs_fail(old: int, new: int, proof: list[str]) -> None:
    valid = [b64(p) for p in proof]
    r1, r2 = bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new])
    other = hashlib.sha256(b"other").digest()
    cases = {
        "empty proof": (old, new, r1, r2, []),
        "truncated": (old, new, r1, r2, valid[:-1]),
        "preceding garbage": (old, new, r1, r2, [b"\x01" * 32, *valid]),
        "trailing garbage": (old, new, r1, r2, [*valid, b"\x01" * 32]),
        "trailing root1": (old, new, r1, r2, [*valid, r1]),
        "trailing root2": (old, new, r1, r2, [*valid, r2]),
        "preceding root1": (old, new, r1, r2, [r1, *valid]),
        "preceding root2": (old, new, r1, r2, [r2, *valid]),
        "wrong root1": (old, new, other, r2, valid),
        "wrong root2": (old, new, r1, other, valid),
        "swapped roots": (old, new, r2, r1, valid),
        "old+1": (old + 1, new, r1, r2, valid),
        "old-1": (old - 1, new, r1, r2, valid),
        "old^2": (old ^ 2, new, r1, r2, valid),
        "new*2": (old, new * 2, r1, r2, valid),
        "new/2": (old, new // 2, r1, r2, valid),
    }
    for i, p in enumerate(valid):
        flipped = bytearray(p)
        flipped[0] ^= 1 << 4
        cases[f"proof[{i}] bit 4"] = (old, new, r1, r2, [*valid[:i], bytes(flipped), *valid[i + 1 :]])
    for name, args in cases.items():
        with pytest.raises(ProofError):
            merkle.verify_consistency(*args)
            pytest.fail(f"{name} was accepted")


def test_edge_consistency_cases_follow_rfc_9162() -> None:
    empty = hashlib.sha256(b"").digest()
    r1 = bytes.fromhex(ROOTS[1])
    with pytest.raises(ProofError):
        merkle.verify_consistency(1, 0, r1, empty, [])
    with pytest.raises(ProofError):
        merkle.verify_consistency(1, 1, r1, empty, [])
    with pytest.raises(ProofError):
        merkle.verify_consistency(1, 1, r1, r1, [r1])
    with pytest.raises(ProofError):
        merkle.verify_consistency(0, 1, empty, r1, [empty])
    with pytest.raises(ProofError):
        merkle.verify_consistency(1, 2, r1, r1, [])
    # Unlike the Go library, the empty tree is accepted as a prefix of any tree with an empty
    # proof: that is how a tlog witness accepts a log's first checkpoint (old size 0).
    merkle.verify_consistency(0, 1, empty, r1, [])
    merkle.verify_consistency(1, 1, r1, r1, [])


def test_inclusion_edge_cases_are_refused() -> None:
    leaf = merkle.hash_leaf(b"x")
    for index, size in [(0, 0), (1, 0), (2, 1), (-1, 4)]:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(index, size, leaf, [], leaf)
    merkle.verify_inclusion(0, 1, leaf, [], leaf)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(0, 1, leaf, [], b"")
    with pytest.raises(ProofError):
        merkle.verify_inclusion(0, 2, leaf, [b"short"], leaf)
    with pytest.raises(ProofError):
        merkle.inclusion_plan(3, 3)
    with pytest.raises(ProofError):
        merkle.consistency_plan(4, 3)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 9, 13, 16, 17, 31, 33])
def test_every_proof_matches_the_naive_definition(size: int) -> None:
    leaves = synthetic(size)
    nodes = tree(leaves)
    for n in range(1, size + 1):
        root = merkle.fold([nodes[x] for x in merkle.root_plan(n)])
        assert root == ref_mth(leaves[:n])
        for m in range(n):
            proof = merkle.resolve(merkle.inclusion_plan(m, n), nodes.__getitem__)
            assert proof == ref_path(m, leaves[:n])
            merkle.verify_inclusion(m, n, merkle.hash_leaf(leaves[m]), proof, root)
        for m in range(0, n + 1):
            proof = merkle.resolve(merkle.consistency_plan(m, n), nodes.__getitem__)
            assert proof == ref_consistency(m, leaves[:n])
            merkle.verify_consistency(m, n, ref_mth(leaves[:m]), root, proof)


def test_proof_plans_need_few_stored_nodes() -> None:
    size = 1_000_003
    for index in (0, 1, 500_000, size - 1):
        assert len(merkle.plan_nodes(merkle.inclusion_plan(index, size))) <= 2 * 20 + 2
    for old in (1, 3, 999_999, 524_288):
        assert len(merkle.plan_nodes(merkle.consistency_plan(old, size))) <= 2 * 20 + 2


def test_builder_resumes_from_a_frontier() -> None:
    leaves = [merkle.hash_leaf(x) for x in synthetic(11)]
    whole = merkle.TreeBuilder()
    for leaf in leaves:
        whole.append(leaf)
    nodes = tree(synthetic(11))
    frontier = [nodes[n] for n in merkle.root_plan(6)]
    resumed = merkle.TreeBuilder(6, frontier)
    for leaf in leaves[6:]:
        resumed.append(leaf)
    assert resumed.root() == whole.root() == ref_mth(synthetic(11))
    with pytest.raises(ValueError):
        merkle.TreeBuilder(6, frontier[:1])


def test_a_consistency_proof_with_a_short_hash_is_refused() -> None:
    r2, r3 = bytes.fromhex(ROOTS[2]), bytes.fromhex(ROOTS[3])
    with pytest.raises(ProofError, match="a proof hash is not 32 bytes"):
        merkle.verify_consistency(2, 3, r2, r3, [b"short"])
