"""OpenZeppelin's StandardMerkleTree in Python: same leaves, nodes, proofs and dump format.

A leaf is ``keccak256(keccak256(abi.encode(types, values)))``; a node is the keccak256 of its two
children in ascending order; the tree is a complete binary tree kept as an array (root at 0,
children of ``i`` at ``2i+1`` and ``2i+2``, leaves at the end in reverse order), exactly as
``@openzeppelin/merkle-tree`` builds it, so a tree built here loads in the JavaScript library
(``StandardMerkleTree.load(dump)``) and its proofs verify with OpenZeppelin's ``MerkleProof``.

``sort_leaves`` (the JavaScript default) orders leaves by hash. Distributions build their trees
with ``sort_leaves=False``: leaf ``i`` of the values is then the ``i``-th leaf of the tree, so a
batch of consecutive entitlements has a small multiproof (the gas of a pushed payment depends on
it) and touches one or two storage words of the contract's claimed bitmap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

try:  # safe-pysha3: a C keccak, 15x faster than eth-hash's default backend on 50,000 hashes
    from sha3 import keccak_256

    def keccak(data: bytes) -> bytes:
        return bytes(keccak_256(data).digest())

except ImportError:  # pragma: no cover - the same hash, slower
    from eth_hash.auto import keccak as _keccak

    def keccak(data: bytes) -> bytes:
        return bytes(_keccak(data))


FORMAT = "standard-v1"
_STATIC_WORD_TYPES = ("uint256", "address", "bytes32", "bool")


def encode_values(types: Sequence[str], values: Sequence[Any]) -> bytes:
    """``abi.encode(values)``; a fast path for tuples of 32-byte static words."""
    if all(t in _STATIC_WORD_TYPES for t in types):
        out = bytearray()
        for kind, value in zip(types, values, strict=True):
            out += _word(kind, value)
        return bytes(out)
    from eth_abi import encode

    return bytes(encode(list(types), list(values)))


def _word(kind: str, value: Any) -> bytes:
    if kind == "address":
        raw = bytes.fromhex(str(value)[2:])
        if len(raw) != 20:
            raise ValueError(f"{value!r} is not an address")
        return b"\x00" * 12 + raw
    if kind == "bool":
        return (1 if value else 0).to_bytes(32, "big")
    if kind == "bytes32":
        raw = value if isinstance(value, bytes) else bytes.fromhex(str(value).removeprefix("0x"))
        if len(raw) != 32:
            raise ValueError(f"{value!r} is not 32 bytes")
        return raw
    number = int(value)
    if not 0 <= number < 2**256:
        raise ValueError(f"{value!r} does not fit uint256")
    return number.to_bytes(32, "big")


def leaf_hash(types: Sequence[str], values: Sequence[Any]) -> bytes:
    return keccak(keccak(encode_values(types, values)))


def node_hash(a: bytes, b: bytes) -> bytes:
    return keccak(a + b if a <= b else b + a)


@dataclass(frozen=True)
class MultiProof:
    """What ``MerkleProof.multiProofVerify`` takes: leaves in proof order, siblings, flags."""

    leaves: list[int]  # value indices, in the order the contract must receive them
    proof: list[bytes]
    flags: list[bool]


class StandardMerkleTree:
    """A tree over ``values`` (each a sequence matching ``encoding``)."""

    def __init__(
        self, tree: list[bytes], values: list[list[Any]], tree_index: list[int], encoding: list[str]
    ):
        self.tree = tree
        self.values = values
        self.tree_index = tree_index  # value index -> its leaf's position in ``tree``
        self.encoding = encoding

    @classmethod
    def of(
        cls, values: Sequence[Sequence[Any]], encoding: Sequence[str], *, sort_leaves: bool = True
    ) -> StandardMerkleTree:
        if not values:
            raise ValueError("a Merkle tree needs at least one leaf")
        types = list(encoding)
        hashed = [(leaf_hash(types, value), i) for i, value in enumerate(values)]
        if sort_leaves:
            hashed.sort()  # bytes order == the JavaScript library's BigInt order for 32 bytes
        size = 2 * len(hashed) - 1
        tree: list[bytes] = [b""] * size
        tree_index = [0] * len(hashed)
        for position, (digest, value_index) in enumerate(hashed):
            tree[size - 1 - position] = digest
            tree_index[value_index] = size - 1 - position
        for i in range(size - 1 - len(hashed), -1, -1):
            tree[i] = node_hash(tree[2 * i + 1], tree[2 * i + 2])
        return cls(tree, [list(v) for v in values], tree_index, types)

    @property
    def root(self) -> bytes:
        return self.tree[0]

    def __len__(self) -> int:
        return len(self.values)

    def proof(self, value_index: int) -> list[bytes]:
        index = self.tree_index[value_index]
        out = []
        while index > 0:
            out.append(self.tree[index - (-1) ** (index % 2)])
            index = (index - 1) // 2
        return out

    def multiproof(self, value_indices: Sequence[int]) -> MultiProof:
        """The multiproof of several values, as ``getMultiProof`` of the JavaScript library."""
        indices = sorted((self.tree_index[v] for v in value_indices), reverse=True)
        if len(set(indices)) != len(indices):
            raise ValueError("cannot prove a value twice")
        by_position = {self.tree_index[v]: v for v in value_indices}
        stack = list(indices)
        proof: list[bytes] = []
        flags: list[bool] = []
        head = 0  # stack is a queue: consumed from ``head``
        while head < len(stack) and stack[head] > 0:
            j = stack[head]
            head += 1
            sibling = j - (-1) ** (j % 2)
            if head < len(stack) and stack[head] == sibling:
                flags.append(True)
                head += 1
            else:
                flags.append(False)
                proof.append(self.tree[sibling])
            stack.append((j - 1) // 2)
        if not indices:
            proof.append(self.tree[0])
        return MultiProof([by_position[i] for i in indices], proof, flags)

    def leaf(self, value_index: int) -> bytes:
        return self.tree[self.tree_index[value_index]]

    # --- the JavaScript library's dump format ---------------------------------------------

    def dump(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "leafEncoding": self.encoding,
            "tree": ["0x" + node.hex() for node in self.tree],
            "values": [
                {"value": [_json_value(v) for v in value], "treeIndex": self.tree_index[i]}
                for i, value in enumerate(self.values)
            ],
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> StandardMerkleTree:
        """A dumped tree, checked node by node (a tampered file is refused)."""
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown Merkle tree format {data.get('format')!r}")
        encoding = list(data["leafEncoding"])
        tree = [bytes.fromhex(str(node)[2:]) for node in data["tree"]]
        values = [list(entry["value"]) for entry in data["values"]]
        tree_index = [int(entry["treeIndex"]) for entry in data["values"]]
        loaded = cls(tree, values, tree_index, encoding)
        loaded.validate()
        return loaded

    def validate(self) -> None:
        size = len(self.tree)
        for i in range(size):
            left, right = 2 * i + 1, 2 * i + 2
            if right < size and self.tree[i] != node_hash(self.tree[left], self.tree[right]):
                raise ValueError(f"Merkle tree node {i} is not the hash of its children")
        for i, value in enumerate(self.values):
            if self.tree[self.tree_index[i]] != leaf_hash(self.encoding, value):
                raise ValueError(f"Merkle tree leaf of value {i} does not match the value")


def _json_value(value: Any) -> Any:
    """Numbers as decimal strings (JSON has no uint256); everything else as it is."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value


def process_proof(leaf: bytes, proof: Sequence[bytes]) -> bytes:
    node = leaf
    for sibling in proof:
        node = node_hash(node, sibling)
    return node


def process_multiproof(
    leaves: Sequence[bytes], proof: Sequence[bytes], flags: Sequence[bool]
) -> bytes:
    """The root a multiproof leads to, as ``MerkleProof.processMultiProof`` computes it."""
    if len(leaves) + len(proof) != len(flags) + 1:
        raise ValueError("invalid multiproof")
    queue = list(leaves)
    siblings = list(proof)
    head = 0
    for flag in flags:
        a = queue[head]
        head += 1
        if flag:
            b = queue[head]
            head += 1
        else:
            b = siblings.pop(0)
        queue.append(node_hash(a, b))
    if flags:
        return queue[-1]
    return leaves[0] if leaves else proof[0]
