"""Deploy and drive an offering's contracts on a real node, straight through web3.

`deploy_offering` wires the contracts exactly as SPEC §10 and contracts/README.md say (and as
the toolkit's deployer does): the registry, the LockupBook library and the class tokens linked to
it with the deployer as admin, the votes source, a timelock whose only proposer is the
governor-to-be (its address predicted from the deployer's nonce) and that has no admin, the
governor, then the class tokens bound to the registry, and the admin role of the registry and of
every token handed to the timelock and renounced by the deployer, who keeps the issuer's roles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector, keccak
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError, ContractPanicError
from web3.logs import DISCARD
from web3.utils.address import get_create_address

from tests.raw_rpc import RawRpc
from toolkit.chain.rpc import RpcError
from toolkit.offering.contracts import linked

DEFAULT_ADMIN_ROLE = b"\x00" * 32
ISSUER_ROLE = keccak(text="ISSUER_ROLE")
PAUSER_ROLE = keccak(text="PAUSER_ROLE")
REGISTRAR_ROLE = keccak(text="REGISTRAR_ROLE")
PROPOSER_ROLE = keccak(text="PROPOSER_ROLE")
EXECUTOR_ROLE = keccak(text="EXECUTOR_ROLE")
CANCELLER_ROLE = keccak(text="CANCELLER_ROLE")
ZERO = "0x0000000000000000000000000000000000000000"
NEVER = 2**40 - 1
DAY = 86_400

TEMPLATES = (
    "HolderRegistry",
    "ShareClassToken",
    "ClassWeightedVotes",
    "EquityGovernor",
    "EquityTimelock",
    "LockupBook",
    "IssuerBound",
    "SplitAgent",
)


def investor_id(name: str) -> bytes:
    """An investor id as the registry stores it: ASCII, right-padded with zero bytes."""
    return name.encode().ljust(16, b"\x00")


def selector(signature: str) -> bytes:
    """The 4-byte selector of a function signature such as ``setAuthorized(uint256)``."""
    return bytes(function_signature_to_4byte_selector(signature))


def cc(code: str) -> bytes:
    """An ISO 3166-1 alpha-2 jurisdiction as two ASCII bytes."""
    return code.encode()


@dataclass(frozen=True)
class ClassSpec:
    id: str
    votes_per_share: int = 1
    authorized: int = 1_000_000
    max_holders: int = 0
    decimals: int = 0
    blocked: tuple[str, ...] = ()
    # what the issuer may move beyond its rolling bound at launch (base units; None: authorized)
    launch_allowance: int | None = None
    # issue 11, class consent: the functions (signatures) whose calls concerning the class need
    # its separate consent, and the share of its outstanding shares that must vote for
    consent: tuple[str, ...] = ()
    consent_threshold_percent: int = 50

    @property
    def name(self) -> str:
        return f"Test {self.id}"

    @property
    def symbol(self) -> str:
        return f"T-{self.id}"


@dataclass(frozen=True)
class GovernanceSpec:
    voting_delay: int = DAY
    voting_period: int = 7 * DAY
    proposal_threshold: int = 1
    quorum_percent: int = 50
    timelock_delay: int = 2 * DAY
    issuer_limit_percent: int = 20
    issuer_limit_window: int = 365 * DAY


@dataclass
class Offering:
    w3: Web3
    deployer: str
    registry: Contract
    classes: dict[str, Contract]
    votes: Contract
    timelock: Contract
    governor: Contract
    specs: dict[str, ClassSpec] = field(default_factory=dict)
    lockup_book: Contract | None = None  # the class tokens' linked library
    issuer_bound: Contract | None = None  # counts the issuer's moves (issue 11)

    def token(self, class_id: str) -> Contract:
        return self.classes[class_id]

    @property
    def contracts(self) -> dict[str, Contract]:
        named = {"HolderRegistry": self.registry, "ClassWeightedVotes": self.votes}
        named.update({"EquityTimelock": self.timelock, "EquityGovernor": self.governor})
        if self.issuer_bound is not None:
            named["IssuerBound"] = self.issuer_bound
        for class_id, token in self.classes.items():
            named[f"ShareClassToken:{class_id}"] = token
        return named


class Chain:
    """A web3 connection plus the compiled templates and a revert decoder."""

    def __init__(
        self,
        w3: Web3,
        load_artifact: Callable[[str], dict[str, Any]],
        extra_abis: Sequence[Any] = (),
    ):
        self.w3 = w3
        self._raw_rpc: RawRpc | None = None
        self._block_gas_limit = 0
        self.artifacts = {name: load_artifact(name) for name in TEMPLATES}
        self._errors: dict[bytes, tuple[str, list[str]]] = {}
        for abi in [a["abi"] for a in self.artifacts.values()] + list(extra_abis):
            self._index_errors(abi)

    def _index_errors(self, abi: list[dict[str, Any]]) -> None:
        for item in abi:
            if item["type"] == "error":
                types = [i["type"] for i in item["inputs"]]
                selector = function_signature_to_4byte_selector(
                    f"{item['name']}({','.join(types)})"
                )
                self._errors[selector] = (item["name"], types)

    # ---------------------------------------------------------------- deploying

    def deploy(
        self, name: str, *args: Any, sender: str, abi: Any = None, bytecode: str | None = None
    ) -> Contract:
        artifact = self.artifacts.get(name, {})
        factory = self.w3.eth.contract(
            abi=abi or artifact["abi"], bytecode=bytecode or artifact["bytecode"]
        )
        tx_hash = factory.constructor(*args).transact({"from": sender})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        assert receipt["status"] == 1, f"deploying {name} failed"
        return self.w3.eth.contract(address=receipt["contractAddress"], abi=abi or artifact["abi"])

    def deploy_offering(
        self,
        deployer: str,
        classes: Sequence[ClassSpec],
        governance: GovernanceSpec = GovernanceSpec(),
    ) -> Offering:
        registry = self.deploy("HolderRegistry", deployer, deployer, sender=deployer)
        bound = self.deploy("IssuerBound", deployer, sender=deployer)
        library = self.deploy("LockupBook", sender=deployer)
        token_code = linked(self.artifacts["ShareClassToken"], {"LockupBook": library.address})
        tokens: dict[str, Contract] = {}
        for spec in classes:
            tokens[spec.id] = self.deploy(
                "ShareClassToken",
                spec.name,
                spec.symbol,
                spec.decimals,
                spec.authorized,
                spec.max_holders,
                registry.address,
                deployer,
                deployer,
                sender=deployer,
                bytecode=token_code["bytecode"],
            )
        votes = self.deploy(
            "ClassWeightedVotes",
            [tokens[s.id].address for s in classes],
            [s.votes_per_share for s in classes],
            sender=deployer,
        )
        nonce = self.w3.eth.get_transaction_count(deployer)
        predicted_governor = get_create_address(deployer, nonce + 1)
        timelock = self.deploy(
            "EquityTimelock",
            governance.timelock_delay,
            [predicted_governor],
            [ZERO],
            ZERO,
            sender=deployer,
        )
        governor = self.deploy(
            "EquityGovernor",
            "Test Governor",
            votes.address,
            timelock.address,
            governance.voting_delay,
            governance.voting_period,
            governance.proposal_threshold,
            governance.quorum_percent,
            [
                (tokens[s.id].address, s.consent_threshold_percent, [selector(f) for f in s.consent])
                for s in classes
                if s.consent
            ],
            sender=deployer,
        )
        assert governor.address == predicted_governor
        limits = []
        for spec in classes:
            address = tokens[spec.id].address
            launch = spec.authorized if spec.launch_allowance is None else spec.launch_allowance
            limits.append(
                bound.encode_abi(
                    "setIssuerLimit",
                    [address, governance.issuer_limit_percent, governance.issuer_limit_window],
                )
            )
            limits.append(bound.encode_abi("setApprovedIssuance", [address, launch]))
        limits.append(bound.encode_abi("grantRole", [DEFAULT_ADMIN_ROLE, timelock.address]))
        limits.append(bound.encode_abi("renounceRole", [DEFAULT_ADMIN_ROLE, deployer]))
        self.send(bound.functions.multicall(limits), deployer)
        for spec in classes:
            token = tokens[spec.id]
            calls = [
                token.encode_abi("setJurisdictionBlocked", [cc(code), True])
                for code in spec.blocked
            ]
            calls.append(token.encode_abi("setIssuerBound", [bound.address]))
            calls.append(token.encode_abi("grantRole", [DEFAULT_ADMIN_ROLE, timelock.address]))
            calls.append(token.encode_abi("renounceRole", [DEFAULT_ADMIN_ROLE, deployer]))
            self.send(token.functions.multicall(calls), deployer)
        self.send(registry.functions.bindClasses([t.address for t in tokens.values()]), deployer)
        self.send(registry.functions.grantRole(DEFAULT_ADMIN_ROLE, timelock.address), deployer)
        self.send(registry.functions.renounceRole(DEFAULT_ADMIN_ROLE, deployer), deployer)
        return Offering(
            self.w3,
            deployer,
            registry,
            tokens,
            votes,
            timelock,
            governor,
            {s.id: s for s in classes},
            library,
            bound,
        )

    # ---------------------------------------------------------------- transactions

    def send(self, call: Any, sender: str, gas: int | None = None) -> Any:
        """Send a transaction and return its receipt (web3's); a revert raises `Reverted`.

        As web3's ``transact`` does: without ``gas``, the estimate (plus web3's 100,000
        buffer) refuses a reverting call, decoded, and nothing is sent; with ``gas`` it is
        mined whatever happens. Over the bare JSON-RPC client (tests/raw_rpc.py): web3's
        transaction layer made five HTTP requests through ``requests`` per transaction."""
        raw = self._raw()
        tx = {"from": sender, "to": call.address, "data": call._encode_transaction_data()}
        if gas is None:
            try:
                estimate = int(raw.rpc.call("eth_estimateGas", [tx]), 16)
            except RpcError as error:
                raise self._reverted(error) from None
            gas = min(estimate + 100_000, self._block_gas_limit)
        receipt = raw.send(call.address, tx["data"], sender, gas)
        if receipt["status"] != "0x1":
            raise Reverted("(reverted in the block)", ())
        return self.w3.eth.get_transaction_receipt(receipt["transactionHash"])

    def _raw(self) -> RawRpc:
        if self._raw_rpc is None:
            self._raw_rpc = RawRpc(str(getattr(self.w3.provider, "endpoint_uri", "")))
            latest = self._raw_rpc.rpc.call("eth_getBlockByNumber", ["latest", False])
            self._block_gas_limit = int(latest["gasLimit"], 16)
        return self._raw_rpc

    def revert_of(self, call: Any, sender: str) -> tuple[str, tuple[Any, ...]]:
        """The decoded custom error `call` reverts with (as an eth_call from `sender`)."""
        try:
            call.call({"from": sender})
        except (ContractCustomError, ContractLogicError, ContractPanicError) as exc:
            error = self._reverted(exc)
            return error.name, error.args_
        raise AssertionError("the call did not revert")

    def deploy_revert_of(self, name: str, *args: Any, sender: str) -> tuple[str, tuple[Any, ...]]:
        """The decoded custom error deploying template `name` with `args` reverts with."""
        artifact = self.artifacts[name]
        factory = self.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        data = factory.constructor(*args).data_in_transaction
        try:
            self.w3.eth.call({"from": sender, "data": data})
        except (ContractCustomError, ContractLogicError, ContractPanicError) as exc:
            error = self._reverted(exc)
            return error.name, error.args_
        raise AssertionError("the deployment did not revert")

    def decode_revert(self, exc: Exception) -> Reverted:
        """The custom error carried by a web3 contract exception."""
        return self._reverted(exc)

    def _reverted(self, exc: Exception) -> Reverted:
        data = getattr(exc, "data", None)
        if isinstance(data, dict):  # some providers nest it
            data = data.get("data")
        raw = bytes.fromhex(data[2:]) if isinstance(data, str) and data.startswith("0x") else b""
        known = self._errors.get(raw[:4])
        if known is None:
            return Reverted(f"undecoded revert {exc}", ())
        name, types = known
        values = decode(types, raw[4:])
        return Reverted(
            name,
            tuple(
                Web3.to_checksum_address(v) if t == "address" else v
                for t, v in zip(types, values, strict=True)
            ),
        )

    # ---------------------------------------------------------------- time

    def now(self) -> int:
        return self._raw().now()

    def mine_at(self, timestamp: int) -> None:
        """Mine an empty block at `timestamp` (the next transactions come after it)."""
        self._raw().mine_at(timestamp)

    def next_block_at(self, timestamp: int) -> None:
        """The next mined block (the next transaction's) gets `timestamp`."""
        self._raw().rpc.call("evm_setNextBlockTimestamp", [timestamp])

    def advance(self, seconds: int) -> None:
        self.mine_at(self.now() + seconds)


def events(contract: Contract, name: str, receipt: Any) -> list[dict[str, Any]]:
    """The arguments of every `name` event `contract` emitted in the transaction."""
    return [
        dict(e["args"])
        for e in getattr(contract.events, name)().process_receipt(receipt, errors=DISCARD)
    ]


class Reverted(Exception):
    def __init__(self, name: str, args: tuple[Any, ...]):
        super().__init__(f"{name}{args}")
        self.name = name
        self.args_ = args
