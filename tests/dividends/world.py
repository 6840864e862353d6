"""An offering, a stablecoin and the distribution factory on the session's anvil, with helpers
to register holders, issue shares and declare, claim and push dividends straight through web3.

Entitlements are computed by the toolkit's pure core from balances read at the record block;
the tree is the toolkit's StandardMerkleTree. Contract tests, the property test and the gas
benchmark share this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from tests.contracts.offering_chain import NEVER, Chain, ClassSpec, Offering, cc, investor_id
from tests.raw_rpc import RawRpc
from toolkit.compile import build_dir, compile_project
from toolkit.dividends.entitlements import (
    ClassRate,
    Entitlement,
    Entitlements,
    Withholding,
    compute_entitlements,
    entitlement_tree,
)
from toolkit.dividends.merkle import StandardMerkleTree

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CLASSES = (
    ClassSpec("COMMON", votes_per_share=1, authorized=10**12),
    ClassSpec("PREFERRED", votes_per_share=0, authorized=10**12, decimals=2),
)
TAX = Web3.to_checksum_address("0x" + "7a" * 20)
DUST = Web3.to_checksum_address("0x" + "d5" * 20)
USD = 10**6  # the stablecoin has 6 decimals
DAY = 86_400
BALANCE_OF = "0x70a08231"
RESERVED_SELECTOR = "0x" + Web3.keccak(text="reserved()")[:4].hex()
STATE_WORDS_SELECTOR = "0x" + Web3.keccak(text="stateWords(uint256,uint256)")[:4].hex()


def fixture_artifacts() -> dict[str, dict[str, Any]]:
    """The hostile test tokens (compiled from tests/, never shipped)."""
    import json

    compile_project(FIXTURES)
    folder = build_dir(FIXTURES)
    return {
        name: json.loads((folder / f"{name}.json").read_text())
        for name in ("FeeOnTransferToken", "ReentrantToken")
    }


def synthetic_wallet(index: int) -> str:
    """A made-up holder's wallet, sorted in index order, digits only (its own checksum)."""
    return "0x" + f"{index + 10**9:040d}"


def entitlement_args(e: Entitlement) -> tuple[int, str, str, int, int]:
    return e.leaf()


@dataclass
class Declared:
    """A declared (funded) distribution, with the tree it was declared from."""

    contract: Contract
    entitlements: Entitlements
    tree: StandardMerkleTree
    record_block: int
    deadline: int
    declarer: str
    receipt: Any

    def leaf(self, index: int) -> Entitlement:
        return self.entitlements.leaves[index]

    def proof(self, index: int) -> list[bytes]:
        return self.tree.proof(index)


class DividendWorld:
    def __init__(self, chain: Chain, offering: Offering, accounts: list[str], load: Any) -> None:
        self.chain = chain
        self.w3 = chain.w3
        self.offering = offering
        self.accounts = accounts
        self.issuer = accounts[0]
        self.artifacts = {
            name: load(name) for name in ("Distribution", "DistributionFactory", "TestStablecoin")
        }
        for artifact in self.artifacts.values():
            chain._index_errors(artifact["abi"])
        self.stablecoin = self.deploy("TestStablecoin", "Test Tether USD", "USDT", 6, self.issuer)
        self.factory = self.deploy("DistributionFactory")
        self.jurisdiction: dict[str, str] = {}
        self.raw = RawRpc(str(getattr(self.w3.provider, "endpoint_uri", "")))
        self.rpc = self.raw.rpc
        # made once: a contract class built from the ABI costs twice what an instance of it does
        self._distribution_class = self.w3.eth.contract(abi=self.artifacts["Distribution"]["abi"])

    # --- set-up ---------------------------------------------------------------------------

    def deploy(self, name: str, *args: Any, artifact: dict[str, Any] | None = None) -> Contract:
        data = artifact or self.artifacts[name]
        return self.chain.deploy(
            name, *args, sender=self.issuer, abi=data["abi"], bytecode=data["bytecode"]
        )

    def distribution(self, address: str) -> Contract:
        return self._distribution_class(address=address)

    def send(self, call: Any, sender: str | None = None) -> Any:
        """Send; returns web3's receipt. A refusal raises ``Reverted`` and sends nothing."""
        return self.w3.eth.get_transaction_receipt(self.transact(call, sender))  # type: ignore[arg-type]

    def transact(self, call: Any, sender: str | None = None) -> str:
        """Send over the bare JSON-RPC client and return the transaction's hash (web3's
        transaction layer costs more CPU than anvil does, and the property test sends
        thousands); a refusal (from the estimate) raises ``Reverted`` and sends nothing."""
        data = call._encode_transaction_data()
        receipt, refused = self.raw.transact(
            call.address, data, sender or self.issuer, self.chain.decode_revert
        )
        if refused is not None:
            raise refused
        assert receipt is not None
        return str(receipt["transactionHash"])

    def register(
        self, wallet: str, investor: str, jurisdiction: str = "DE", expires_at: int = NEVER
    ) -> None:
        registry = self.offering.registry
        self.transact(
            registry.functions.addHolder(
                wallet, investor_id(investor), cc(jurisdiction), expires_at, True
            )
        )
        self.jurisdiction[wallet.lower()] = jurisdiction

    def issue(self, class_id: str, wallet: str, amount: int) -> None:
        self.transact(self.offering.token(class_id).functions.issue(wallet, amount, 0))

    def transfer(self, class_id: str, sender: str, to: str, amount: int) -> None:
        self.transact(self.offering.token(class_id).functions.transfer(to, amount), sender)

    def freeze(self, wallet: str, frozen: bool = True) -> None:
        self.transact(self.offering.registry.functions.setFrozen(wallet, frozen))

    def mint(self, to: str, amount: int) -> None:
        self.transact(self.stablecoin.functions.mint(to, amount))

    def balance(self, wallet: str, token: Contract | None = None) -> int:
        return int((token or self.stablecoin).functions.balanceOf(wallet).call())

    # --- declaring ------------------------------------------------------------------------

    def read(self, calls: list[tuple[str, str]], block: int | str = "latest") -> list[int]:
        """Raw ``eth_call``s (target, calldata) in one JSON-RPC batch, each answer as an integer
        (web3's contract objects cost milliseconds a call: the property test reads a lot)."""
        tag = hex(block) if isinstance(block, int) else block
        answers = self.rpc.batch_or_raise(
            [("eth_call", [{"to": to, "data": data}, tag]) for to, data in calls]
        )
        return [int(a, 16) if a not in ("0x", "") else 0 for a in answers]

    def balance_calls(self, token: str, wallets: list[str]) -> list[tuple[str, str]]:
        return [(token, BALANCE_OF + "0" * 24 + w[2:].lower()) for w in wallets]

    def holdings_at(
        self, block: int, wallets: list[str] | None = None
    ) -> dict[str, dict[str, int]]:
        wallets = wallets or self.accounts
        calls: list[tuple[str, str]] = []
        for token in self.offering.classes.values():
            calls += self.balance_calls(token.address, wallets)
        answers = iter(self.read(calls, block))
        out: dict[str, dict[str, int]] = {}
        for class_id in self.offering.classes:
            shares = {w: next(answers) for w in wallets}
            out[class_id] = {w: s for w, s in shares.items() if s}
        return out

    def entitlements(
        self,
        holdings: Mapping[str, Mapping[str, int]],
        amounts: Mapping[str, Fraction],
        withholding: Withholding,
    ) -> Entitlements:
        rates = [
            ClassRate(
                class_id,
                self.offering.token(class_id).address,
                amounts[class_id],
                self.offering.specs[class_id].decimals,
            )
            for class_id in self.offering.classes
            if class_id in amounts
        ]
        return compute_entitlements(
            holdings,
            rates,
            withholding,
            lambda wallet: self.jurisdiction.get(wallet.lower()),
            checksum=Web3.to_checksum_address,
        )

    def synthetic_entitlements(self, count: int, *, us_every: int = 10) -> Entitlements:
        """``count`` made-up COMMON holders (1,000 to 90,999 shares, 0.0125 USDT a share),
        one in ``us_every`` in the US (30 % withheld). Their wallets are written in decimal
        digits only, so they need no checksum; none is registered: register the ones a test
        pays. Leaf ``i`` is wallet ``synthetic_wallet(i)``."""
        holdings = {
            "COMMON": {synthetic_wallet(i): 1_000 + (i * 7919) % 90_000 for i in range(count)}
        }
        us = {synthetic_wallet(i) for i in range(0, count, us_every)}
        rates = [ClassRate("COMMON", self.offering.token("COMMON").address, Fraction(12_500))]
        return compute_entitlements(
            holdings,
            rates,
            Withholding(Fraction(0), {"US": Fraction(30, 100)}),
            lambda wallet: "US" if wallet in us else "DE",
        )

    def declare(
        self,
        amounts: Mapping[str, Fraction] | None = None,
        withholding: Withholding | None = None,
        *,
        record_block: int | None = None,
        deadline_in: int = 30 * DAY,
        declarer: str | None = None,
        dust_account: str = DUST,
        token: Contract | None = None,
        entitlements: Entitlements | None = None,
        terms: dict[str, Any] | None = None,
    ) -> Declared:
        """Compute the entitlements at ``record_block`` (default: the latest block), fund and
        declare through the factory from ``declarer`` (default: the issuer)."""
        declarer = declarer or self.issuer
        token = token or self.stablecoin
        if record_block is None:
            record_block = int(self.rpc.call("eth_blockNumber"), 16)
            self.rpc.call("evm_mine")
        if entitlements is None:
            amounts = amounts or {"COMMON": Fraction(USD // 4), "PREFERRED": Fraction(USD)}
            withholding = withholding or Withholding(Fraction(0), {"US": Fraction(30, 100)})
            entitlements = self.entitlements(self.holdings_at(record_block), amounts, withholding)
        tree = entitlement_tree(entitlements)
        deadline = self.raw.now() + deadline_in
        funded = entitlements.funded
        if token.address == self.stablecoin.address:
            (balance,) = self.read(self.balance_calls(token.address, [declarer]))
            if balance < funded:
                self.mint(declarer, funded)
        self.transact(token.functions.approve(self.factory.address, funded), declarer)
        data = self.terms(entitlements, tree, record_block, deadline, token, dust_account)
        if terms:
            data.update(terms)
        receipt = self.send(self.factory.functions.declare(tuple(data.values())), declarer)
        (event,) = self.factory.events.DistributionDeclared().process_receipt(
            receipt, errors=DISCARD
        )
        contract = self.distribution(event["args"]["distribution"])
        return Declared(contract, entitlements, tree, record_block, deadline, declarer, receipt)

    def terms(
        self,
        entitlements: Entitlements,
        tree: StandardMerkleTree,
        record_block: int,
        deadline: int,
        token: Contract,
        dust_account: str = DUST,
    ) -> dict[str, Any]:
        return {
            "paymentToken": token.address,
            "registry": self.offering.registry.address,
            "root": tree.root,
            "leafCount": len(tree),
            "entitled": entitlements.entitled,
            "dust": entitlements.dust,
            "recordBlock": record_block,
            "claimDeadline": deadline,
            "taxAccount": TAX,
            "dustAccount": dust_account,
            "admin": self.offering.timelock.address,
            "distributor": self.issuer,
        }

    # --- paying ---------------------------------------------------------------------------

    def claim(self, declared: Declared, index: int, sender: str | None = None) -> Any:
        leaf = declared.leaf(index)
        return self.send(
            declared.contract.functions.claim(leaf.leaf(), declared.proof(index)),
            sender or leaf.wallet,
        )

    def claim_error(self, declared: Declared, index: int, sender: str | None = None) -> Any:
        leaf = declared.leaf(index)
        return self.chain.revert_of(
            declared.contract.functions.claim(leaf.leaf(), declared.proof(index)),
            sender or leaf.wallet,
        )

    def pay_call(self, declared: Declared, indices: list[int]) -> Any:
        multiproof = declared.tree.multiproof(indices)
        leaves = [declared.leaf(i).leaf() for i in multiproof.leaves]
        return declared.contract.functions.pay(leaves, multiproof.proof, multiproof.flags)

    def pay(self, declared: Declared, indices: list[int], sender: str | None = None) -> Any:
        return self.send(self.pay_call(declared, indices), sender)

    def state(self, declared: Declared, index: int) -> int:
        return int(declared.contract.functions.stateOf(index).call())
