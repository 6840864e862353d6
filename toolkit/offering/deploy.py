"""Deploy an offering: registry, class tokens, votes source, timelock and governor, wired as
SPEC §10 says, and recorded in ``deployments/<chain_id>.json``.

Order and roles:

1. ``HolderRegistry(admin=deployer, registrar=deployer)``;
2. the ``LockupBook`` library, then one ``ShareClassToken`` per class linked to it (admin =
   deployer, issuer = deployer, who also gets PAUSER_ROLE);
3. ``ClassWeightedVotes(tokens, votes_per_share)``;
4. ``EquityTimelock(delay, proposers=[governor], executors=[0x0], admin=0x0)`` — the governor
   does not exist yet, so its address is predicted from the deployer's nonce (it is deployed by
   the very next transaction, and the prediction is checked);
5. ``EquityGovernor(...)``;
6. per token, one ``multicall``: block the offering's jurisdictions, for good or until a date
   (the deployer is still its admin), grant DEFAULT_ADMIN_ROLE to the timelock, renounce the
   deployer's;
7. on the registry: bind the class tokens (once, so it can refuse re-keying a wallet that holds
   shares), give the classes that have them their category rules (SPEC §15, before any holder),
   then the same hand-over.

Periods of dated rules ("1y" of a preset) count from the latest block's time when deploying.

The deployer keeps REGISTRAR_ROLE, ISSUER_ROLE and PAUSER_ROLE: the issuer's day-to-day roles;
with ``issuer`` given (a Safe multisig), those roles go to it from the constructors instead and
the deployer keeps no role at all.
The name is checked against the record before anything is sent. The governor's proposal
threshold is the offering file's, as is: votes count whole shares (SPEC §10).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import ChainError, UsageError
from toolkit.inputs import CATEGORIES, ZERO_ADDRESS, category_mask
from toolkit.offering.contracts import (
    GOVERNOR,
    LOCKUP_BOOK,
    REGISTRY,
    SHARE_CLASS,
    TIMELOCK,
    VOTES,
    artifact,
    linked,
)
from toolkit.offering.deployments import (
    ClassDeployment,
    Deployment,
    is_on_chain,
    read_deployments,
    record_deployment,
)
from toolkit.offering.offering_file import Offering, ShareClassSpec

if TYPE_CHECKING:
    from web3 import Web3

    from toolkit.chain.tx import Transactor, TxResult

DEFAULT_ADMIN_ROLE = b"\x00" * 32


@dataclass(frozen=True)
class DeployReport:
    deployment: Deployment
    transactions: tuple[TxResult, ...]
    path: Path


def default_name(offering: Offering) -> str:
    """The offering file's stem ("offering" for offering.toml)."""
    return offering.path.stem


def check_name_free(chain_id: int, name: str, cwd: Path, w3: Web3 | None = None) -> bool:
    """Refuse a name recorded on this chain; True when the record is stale and may be
    replaced (its contracts are not on this node: a local node restarted without state)."""
    if not name.strip():
        raise UsageError("the offering name is empty", hint="pass --name NAME")
    recorded = read_deployments(chain_id, cwd).get(name)
    if recorded is None:
        return False
    if w3 is not None and not is_on_chain(w3, recorded):
        return True
    raise UsageError(
        f"an offering named {name!r} is already recorded on chain {chain_id}",
        hint="choose another --name (nothing was sent)",
    )


def category_rules(share_class: ShareClassSpec, start: int) -> tuple[int, int, list[int]]:
    """The registry's ``CategoryRuleSet`` of a class (allowed mask, holding-period end, caps of
    categories 1-4) for a deployment at ``start``."""
    caps = dict(share_class.max_holders_by_category)
    holding = share_class.holding_period
    return (
        category_mask(share_class.allowed_categories),
        holding.at(start) if holding is not None else 0,
        [caps.get(name, 0) for name in CATEGORIES],
    )


def deploy_offering(
    transactor: Transactor,
    offering: Offering,
    *,
    name: str,
    cwd: Path,
    on_step: Callable[[str], None] | None = None,
    issuer: str | None = None,
) -> DeployReport:
    """Deploy and wire every contract of ``offering``, record it, and report each transaction.
    ``issuer``: who gets the registrar, issuer and pauser roles (default: the deployer)."""
    chain = transactor.chain
    w3 = chain.w3
    replace_stale = check_name_free(chain.chain_id, name, cwd, w3)
    templates = {
        n: artifact(n) for n in (REGISTRY, LOCKUP_BOOK, SHARE_CLASS, VOTES, TIMELOCK, GOVERNOR)
    }
    deployer = transactor.address
    issuer = issuer or deployer
    results: list[TxResult] = []

    def step(label: str) -> None:
        if on_step is not None:
            on_step(label)

    def deploy(template: str, *args: Any, label: str) -> str:
        step(label)
        result = transactor.deploy(templates[template], *args, label=label)
        results.append(result)
        if result.contract_address is None:
            raise ChainError(f"{label}: the receipt has no contract address")
        return str(w3.to_checksum_address(result.contract_address))

    registry = deploy(REGISTRY, deployer, issuer, label="deploy HolderRegistry")
    lockup_book = deploy(LOCKUP_BOOK, label="deploy LockupBook")
    templates[SHARE_CLASS] = linked(templates[SHARE_CLASS], {LOCKUP_BOOK: lockup_book})
    tokens: list[str] = []
    for share_class in offering.classes:
        tokens.append(
            deploy(
                SHARE_CLASS,
                share_class.name,
                share_class.symbol,
                share_class.decimals,
                share_class.authorized_units,
                share_class.max_holders,
                registry,
                deployer,
                issuer,
                label=f"deploy ShareClassToken {share_class.id}",
            )
        )
    votes = deploy(
        VOTES,
        tokens,
        [c.votes_per_share for c in offering.classes],
        label="deploy ClassWeightedVotes",
    )

    from web3.types import Nonce
    from web3.utils.address import get_create_address

    nonce = int(w3.eth.get_transaction_count(w3.to_checksum_address(deployer), "pending"))
    predicted_governor = str(get_create_address(w3.to_checksum_address(deployer), Nonce(nonce + 1)))
    governance = offering.governance
    timelock = deploy(
        TIMELOCK,
        governance.timelock_delay,
        [predicted_governor],
        [ZERO_ADDRESS],
        ZERO_ADDRESS,
        label="deploy EquityTimelock",
    )
    governor = deploy(
        GOVERNOR,
        f"{offering.company} Governor",
        votes,
        timelock,
        governance.voting_delay,
        governance.voting_period,
        governance.proposal_threshold,
        governance.quorum_percent,
        label="deploy EquityGovernor",
    )
    if governor.lower() != predicted_governor.lower():
        raise ChainError(
            f"the governor was deployed at {governor}, not at the predicted {predicted_governor}: "
            "another transaction from the deployer got in between",
            hint="deploy again from an account that sends nothing else meanwhile",
        )

    from toolkit.chain.clock import latest_timestamp

    start = latest_timestamp(w3)
    token_abi = templates[SHARE_CLASS]["abi"]
    for share_class, address in zip(offering.classes, tokens, strict=True):
        token = w3.eth.contract(address=w3.to_checksum_address(address), abi=token_abi)
        calls = [
            token.encode_abi("setJurisdictionBlocked", [code.encode("ascii"), True])
            for code in share_class.blocked_jurisdictions
        ]
        calls += [
            token.encode_abi("setJurisdictionBlockedUntil", [code.encode("ascii"), until.at(start)])
            for code, until in share_class.blocked_jurisdictions_until
        ]
        calls.append(token.encode_abi("grantRole", [DEFAULT_ADMIN_ROLE, timelock]))
        calls.append(token.encode_abi("renounceRole", [DEFAULT_ADMIN_ROLE, deployer]))
        label = f"hand {share_class.id} to the timelock"
        step(label)
        results.append(transactor.transact(token.functions.multicall(calls), label=label))

    registry_contract = w3.eth.contract(
        address=w3.to_checksum_address(registry), abi=templates[REGISTRY]["abi"]
    )
    step("bind the class tokens to the registry")
    results.append(
        transactor.transact(
            registry_contract.functions.bindClasses(tokens),
            label="bind the class tokens to the registry",
        )
    )
    rules = [
        registry_contract.encode_abi("setCategoryRules", [token, category_rules(c, start)])
        for c, token in zip(offering.classes, tokens, strict=True)
        if c.has_category_rules
    ]
    if rules:
        label = "set the classes' category rules"
        step(label)
        results.append(
            transactor.transact(registry_contract.functions.multicall(rules), label=label)
        )
    step("hand the registry to the timelock")
    results.append(
        transactor.transact(
            registry_contract.functions.grantRole(DEFAULT_ADMIN_ROLE, timelock),
            label="grant the registry's admin role to the timelock",
        )
    )
    results.append(
        transactor.transact(
            registry_contract.functions.renounceRole(DEFAULT_ADMIN_ROLE, deployer),
            label="renounce the deployer's admin role on the registry",
        )
    )

    deployment = Deployment(
        name=name,
        chain_id=chain.chain_id,
        company=offering.company,
        block=results[0].block,
        offering_file=str(offering.path),
        offering_hash=offering.sha256,
        deployer=deployer,
        registry=registry,
        votes=votes,
        governor=governor,
        timelock=timelock,
        classes=tuple(
            ClassDeployment(
                id=c.id,
                address=address,
                name=c.name,
                symbol=c.symbol,
                decimals=c.decimals,
                votes_per_share=c.votes_per_share,
                authorized=c.authorized_units,
                max_holders=c.max_holders,
                blocked_jurisdictions=c.blocked_jurisdictions,
                reserved=c.reserved_units,
            )
            for c, address in zip(offering.classes, tokens, strict=True)
        ),
        governance={
            "voting_delay": governance.voting_delay,
            "voting_period": governance.voting_period,
            "quorum_percent": governance.quorum_percent,
            "proposal_threshold": governance.proposal_threshold,
            "timelock_delay": governance.timelock_delay,
        },
    )
    path = record_deployment(deployment, cwd, replace_stale=replace_stale)
    return DeployReport(deployment=deployment, transactions=tuple(results), path=path)
