"""The Python StandardMerkleTree is OpenZeppelin's: the same tree, proofs and multiproofs as
``@openzeppelin/merkle-tree`` (run by node from node_modules) for the same values, and its
proofs verify with OpenZeppelin's MerkleProof on chain (test_distribution_contract.py)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from web3 import Web3

from toolkit.compile import node_modules_dir
from toolkit.dividends.entitlements import LEAF_ENCODING
from toolkit.dividends.merkle import (
    StandardMerkleTree,
    leaf_hash,
    process_multiproof,
    process_proof,
)

JS = r"""
const { StandardMerkleTree } = require(process.argv[1]);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {};
for (const sortLeaves of [true, false]) {
  const tree = StandardMerkleTree.of(input.values, input.encoding, { sortLeaves });
  out[sortLeaves] = {
    dump: tree.dump(),
    proofs: input.prove.map(i => tree.getProof(i)),
    multiproof: tree.getMultiProof(input.multi),
  };
}
process.stdout.write(JSON.stringify(out));
"""


def values(count: int) -> list[list[object]]:
    token = Web3.to_checksum_address("0x" + "ab" * 20)
    return [
        [
            str(i),
            Web3.to_checksum_address(Web3.keccak(text=f"w{i}")[12:]),
            token,
            str((i * 7919) % 10**9),
            str(i % 3),
        ]
        for i in range(count)
    ]


def javascript(data: dict[str, object]) -> dict[str, object]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed (the npm toolchain runs on it)")
    module = node_modules_dir() / "@openzeppelin" / "merkle-tree"
    answer = subprocess.run(
        [node, "-e", JS, str(module)],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return dict(json.loads(answer.stdout))


def hexes(nodes: list[bytes]) -> list[str]:
    return ["0x" + n.hex() for n in nodes]


@pytest.mark.parametrize("count", [1, 2, 3, 7, 100, 1001])
def test_python_tree_equals_the_javascript_library_for_the_same_values(count: int) -> None:
    data = values(count)
    prove = sorted({0, count // 2, count - 1})
    multi = list(range(count // 3, min(count, count // 3 + 40)))
    js = javascript(
        {"values": data, "encoding": list(LEAF_ENCODING), "prove": prove, "multi": multi}
    )
    for sort_leaves in (True, False):
        ours = StandardMerkleTree.of(data, LEAF_ENCODING, sort_leaves=sort_leaves)
        theirs = js[str(sort_leaves).lower()]
        assert ours.dump() == theirs["dump"]
        assert [hexes(ours.proof(i)) for i in prove] == theirs["proofs"]
        multiproof = ours.multiproof(multi)
        assert [data[i] for i in multiproof.leaves] == theirs["multiproof"]["leaves"]
        assert hexes(multiproof.proof) == theirs["multiproof"]["proof"]
        assert multiproof.flags == theirs["multiproof"]["proofFlags"]


def test_a_dumped_tree_loads_back_and_a_tampered_one_is_refused() -> None:
    tree = StandardMerkleTree.of(values(50), LEAF_ENCODING, sort_leaves=False)
    dump = tree.dump()
    loaded = StandardMerkleTree.load(json.loads(json.dumps(dump)))
    assert loaded.root == tree.root
    dump["values"][3]["value"][3] = "999999999999"
    with pytest.raises(ValueError, match="does not match"):
        StandardMerkleTree.load(dump)


def test_proofs_and_multiproofs_lead_to_the_root() -> None:
    data = values(300)
    tree = StandardMerkleTree.of(data, LEAF_ENCODING, sort_leaves=False)
    for i in (0, 1, 150, 299):
        assert process_proof(leaf_hash(LEAF_ENCODING, data[i]), tree.proof(i)) == tree.root
    multiproof = tree.multiproof(list(range(100, 200)))
    leaves = [leaf_hash(LEAF_ENCODING, data[i]) for i in multiproof.leaves]
    assert process_multiproof(leaves, multiproof.proof, multiproof.flags) == tree.root
    assert multiproof.leaves == list(range(100, 200))  # unsorted tree: index order


def test_without_sorting_consecutive_leaves_have_a_small_multiproof() -> None:
    tree = StandardMerkleTree.of(values(10_000), LEAF_ENCODING, sort_leaves=False)
    assert len(tree.multiproof(list(range(5_000, 5_100))).proof) <= 16


def test_the_fast_encoder_matches_eth_abi() -> None:
    from eth_abi import encode

    from toolkit.dividends.merkle import encode_values

    row = [2**255, "0x" + "11" * 20, "0x" + "22" * 20, 0, 12345]
    assert encode_values(LEAF_ENCODING, row) == encode(list(LEAF_ENCODING), row)
