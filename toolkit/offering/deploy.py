"""Deploy an offering: registry, class tokens, votes source, timelock and governor, wired as
SPEC §10 says, and recorded in ``deployments/<chain_id>.json``.

Order and roles:

1. ``HolderRegistry(admin=deployer, registrar=deployer)``, then ``IssuerBound(admin=deployer)``;
2. the ``LockupBook`` library, then one ``ShareClassToken`` per class linked to it (admin =
   deployer, issuer = deployer, who also gets PAUSER_ROLE);
3. ``ClassWeightedVotes(tokens, votes_per_share)``;
4. ``EquityTimelock(delay, proposers=[governor], executors=[0x0], admin=0x0)`` — the governor
   does not exist yet, so its address is predicted from the deployer's nonce (it is deployed by
   the very next transaction, and the prediction is checked);
5. ``EquityGovernor(...)``, with each class's protective provisions (``consent``: the selectors
   of ``toolkit.offering.consent``'s table, and ``consent_threshold_percent``);
6. on the issuer bound, one ``multicall``: each class's limit (``issuer_limit_percent`` per
   ``issuer_limit_window``) and launch allowance (``initial_issuance``), then the same hand-over
   as below; with ``before_handover`` given (the offering file's launch rounds,
   ``toolkit.rounds.launch``), its transactions;
   per token, one ``multicall``: block the offering's jurisdictions, for good or until a date
   (the deployer is still its admin), point it at the issuer bound, the calls ``before_handover``
   returned for the class (a launch round's MINTER_ROLE and mint allowance), grant DEFAULT_ADMIN_ROLE to
   the timelock, renounce the deployer's;
   one ``Converter`` per class with ``converts_to`` (SPEC §14; admin: the timelock) gets its
   powers in the same token multicalls: redeeming in the class it converts from (ISSUER_ROLE),
   issuing in the class it converts into (MINTER_ROLE with an allowance of the source class's
   authorized shares at the ratio): the offering file's terms, which the holders invested under;
   and the offering's ``ShareRepurchase`` (buybacks with a holder's signed consent,
   governance's pro-rata programs) its power to redeem in every class (ISSUER_ROLE);
7. on the registry: bind the class tokens (once, so it can refuse re-keying a wallet that holds
   shares), give the classes that have them their category rules (SPEC §15, before any holder),
   then the same hand-over;
8. ``HolderView``: stateless, no roles (what a holder may sell now, SPEC §12);
9. the ``SecondaryMarket`` (SPEC §12; no roles); with a class that has ``rofr_days``, first the
   ``RightOfFirstRefusal`` (admin and exerciser: the timelock; the issuer too with
   ``rofr_exerciser = "issuer"``) given the market's predicted address, the market given its
   address, and the escrow registered in the registry as the investor ``COMPANY`` (before the
   registry's hand-over; category "accredited" where a class has category rules), so that the
   class tokens' receiver rules admit it.

Periods of dated rules ("1y" of a preset) count from the latest block's time when deploying.

The deployer keeps REGISTRAR_ROLE, ISSUER_ROLE and PAUSER_ROLE: the issuer's day-to-day roles;
with ``issuer`` given (a Safe multisig), those roles go to it from the constructors instead and
the deployer keeps no role at all.
The name is checked against the record before anything is sent. The governor's proposal
threshold is the offering file's, as is: votes count whole shares (SPEC §10).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import ChainError, UsageError
from toolkit.inputs import CATEGORIES, ZERO_ADDRESS, category_mask
from toolkit.offering.consent import consent_selectors
from toolkit.offering.contracts import (
    CONVERTER,
    GOVERNOR,
    HOLDER_VIEW,
    ISSUER_BOUND,
    LOCKUP_BOOK,
    MARKET,
    REGISTRY,
    REPURCHASE,
    ROFR,
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
from toolkit.offering.liquidation import base_unit_ratio
from toolkit.offering.offering_file import Offering, ShareClassSpec

if TYPE_CHECKING:
    from web3 import Web3

    from toolkit.chain.tx import Transactor, TxResult

DEFAULT_ADMIN_ROLE = b"\x00" * 32
ISSUER_ROLE_NAME = "ISSUER_ROLE"
MINTER_ROLE_NAME = "MINTER_ROLE"


LaunchHook = Callable[
    [str, str, Mapping[str, str]], tuple[Mapping[str, Sequence[str]], Sequence["TxResult"]]
]
"""``before_handover(name, timelock, token address by class id)``, called before the class tokens move
to the timelock: it may send transactions of its own and returns, per class id, calldata the
deployer runs on that token while it is still the admin."""


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


def _deploy_market(
    deploy: Callable[..., str],
    w3: Web3,
    transactor: Transactor,
    offering: Offering,
    address_of: Mapping[str, str],
    timelock: str,
    issuer: str,
) -> tuple[str | None, str]:
    """The SecondaryMarket, after the RightOfFirstRefusal when a class has ``rofr_days``: the
    right's contract is told the market's address (predicted from the deployer's nonce: the very
    next transaction deploys it, and the prediction is checked)."""
    held = [c for c in offering.classes if c.rofr_days]
    if not held:
        return None, deploy(MARKET, ZERO_ADDRESS, label="deploy SecondaryMarket")
    from web3.types import Nonce
    from web3.utils.address import get_create_address

    deployer = w3.to_checksum_address(transactor.address)
    nonce = int(w3.eth.get_transaction_count(deployer, "pending"))
    predicted = str(get_create_address(deployer, Nonce(nonce + 1)))
    exerciser = issuer if offering.governance.rofr_exerciser == "issuer" else ZERO_ADDRESS
    rofr = deploy(
        ROFR,
        predicted,
        timelock,
        exerciser,
        [address_of[c.id] for c in held],
        [c.rofr_days for c in held],
        label="deploy RightOfFirstRefusal",
    )
    market = deploy(MARKET, rofr, label="deploy SecondaryMarket")
    if market.lower() != predicted.lower():
        raise ChainError(
            f"the market was deployed at {market}, not at the predicted {predicted}: "
            "another transaction from the deployer got in between",
            hint="deploy again from an account that sends nothing else meanwhile",
        )
    return rofr, market


ESCROW_INVESTOR = "COMPANY"  # the escrow of held trades is registered as the company itself
ESCROW_JURISDICTION = "XX"  # ISO 3166-1 user-assigned: no country's block applies to it


def escrow_registration(
    registry: Any, rofr: str, deployer: str, issuer: str, offering: Offering
) -> list[str]:
    """Registry calls (the deployer still its admin) admitting the right of first refusal's escrow
    as a holder: investor ``COMPANY``, never expiring; with the registrar role granted for the
    call and renounced when the registrar is another account (a Safe)."""
    from toolkit.inputs.values import investor_id_bytes

    role = registry.functions.REGISTRAR_ROLE().call()
    calls = []
    if issuer.lower() != deployer.lower():
        calls.append(registry.encode_abi("grantRole", [role, deployer]))
    escrow = [
        rofr,
        investor_id_bytes(ESCROW_INVESTOR),
        ESCROW_JURISDICTION.encode(),
        2**40 - 1,
        True,
    ]
    calls.append(registry.encode_abi("addHolder", escrow))
    if any(c.has_category_rules and c.rofr_days for c in offering.classes):
        calls.append(registry.encode_abi("setCategory", [rofr, CATEGORIES["accredited"], 0]))
    if issuer.lower() != deployer.lower():
        calls.append(registry.encode_abi("renounceRole", [role, deployer]))
    return calls


def deploy_offering(
    transactor: Transactor,
    offering: Offering,
    *,
    name: str,
    cwd: Path,
    on_step: Callable[[str], None] | None = None,
    issuer: str | None = None,
    before_handover: LaunchHook | None = None,
) -> DeployReport:
    """Deploy and wire every contract of ``offering``, record it, and report each transaction.
    ``issuer``: who gets the registrar, issuer and pauser roles (default: the deployer);
    ``before_handover``: wiring of the offering's launch rounds (see ``LaunchHook``)."""
    chain = transactor.chain
    w3 = chain.w3
    replace_stale = check_name_free(chain.chain_id, name, cwd, w3)
    templates = {
        n: artifact(n)
        for n in (
            REGISTRY,
            ISSUER_BOUND,
            LOCKUP_BOOK,
            SHARE_CLASS,
            VOTES,
            TIMELOCK,
            GOVERNOR,
            HOLDER_VIEW,
            MARKET,
            CONVERTER,
            REPURCHASE,
            ROFR,
        )
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
    issuer_bound = deploy(ISSUER_BOUND, deployer, label="deploy IssuerBound")
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
        [
            (token, c.consent_threshold_percent, consent_selectors(c.consent))
            for c, token in zip(offering.classes, tokens, strict=True)
            if c.consent
        ],
        label="deploy EquityGovernor",
    )
    if governor.lower() != predicted_governor.lower():
        raise ChainError(
            f"the governor was deployed at {governor}, not at the predicted {predicted_governor}: "
            "another transaction from the deployer got in between",
            hint="deploy again from an account that sends nothing else meanwhile",
        )

    bound = w3.eth.contract(
        address=w3.to_checksum_address(issuer_bound), abi=templates[ISSUER_BOUND]["abi"]
    )
    limits = []
    for share_class, address in zip(offering.classes, tokens, strict=True):
        limit = [address, governance.issuer_limit_percent, governance.issuer_limit_window]
        limits.append(bound.encode_abi("setIssuerLimit", limit))
        launch = [address, share_class.initial_issuance_units]
        limits.append(bound.encode_abi("setApprovedIssuance", launch))
    limits.append(bound.encode_abi("grantRole", [DEFAULT_ADMIN_ROLE, timelock]))
    limits.append(bound.encode_abi("renounceRole", [DEFAULT_ADMIN_ROLE, deployer]))
    label = "set the issuer's limits and hand the issuer bound to the timelock"
    step(label)
    results.append(transactor.transact(bound.functions.multicall(limits), label=label))
    address_of = {c.id: t for c, t in zip(offering.classes, tokens, strict=True)}
    converters: dict[str, str] = {}  # source class id -> its Converter
    for share_class in offering.classes:
        target_id = share_class.liquidation.converts_to
        if target_id is None:
            continue
        target = next(c for c in offering.classes if c.id == target_id)
        ratio = base_unit_ratio(
            share_class.liquidation.conversion_ratio, share_class.decimals, target.decimals
        )
        converters[share_class.id] = deploy(
            CONVERTER,
            address_of[share_class.id],
            address_of[target_id],
            ratio.numerator,
            ratio.denominator,
            timelock,
            label=f"deploy Converter {share_class.id} -> {target_id}",
        )

    repurchase = deploy(REPURCHASE, tokens, timelock, issuer, label="deploy ShareRepurchase")

    from toolkit.chain.clock import latest_timestamp

    start = latest_timestamp(w3)
    token_abi = templates[SHARE_CLASS]["abi"]
    issuer_role = w3.keccak(text=ISSUER_ROLE_NAME)
    minter_role = w3.keccak(text=MINTER_ROLE_NAME)
    launch_calls: Mapping[str, Sequence[str]] = {}
    if before_handover is not None:
        by_class = {c.id: t for c, t in zip(offering.classes, tokens, strict=True)}
        launch_calls, launched = before_handover(name, timelock, by_class)
        results.extend(launched)
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
        calls.append(token.encode_abi("setIssuerBound", [issuer_bound]))
        # a converter redeems in the class it converts from and issues, out of an allowance
        # (never the issuer's bound), in the class it converts into
        for source in offering.classes:
            converter = converters.get(source.id)
            if converter is not None and source.id == share_class.id:
                calls.append(token.encode_abi("grantRole", [issuer_role, converter]))
            if converter is not None and source.liquidation.converts_to == share_class.id:
                ratio = base_unit_ratio(
                    source.liquidation.conversion_ratio, source.decimals, share_class.decimals
                )
                allowance = source.authorized_units * ratio.numerator // ratio.denominator
                calls.append(token.encode_abi("grantRole", [minter_role, converter]))
                calls.append(token.encode_abi("setMintAllowance", [converter, allowance]))
        calls += launch_calls.get(share_class.id, ())
        calls.append(token.encode_abi("grantRole", [issuer_role, repurchase]))
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
    rofr, market = _deploy_market(deploy, w3, transactor, offering, address_of, timelock, issuer)
    if rofr is not None:
        calls = escrow_registration(registry_contract, rofr, deployer, issuer, offering)
        label = "register the right of first refusal's escrow as the company"
        step(label)
        results.append(
            transactor.transact(registry_contract.functions.multicall(calls), label=label)
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
    holder_view = deploy(HOLDER_VIEW, label="deploy HolderView")

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
        market=market,
        issuer_bound=issuer_bound,
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
                converts_to=c.liquidation.converts_to,
                converter=converters.get(c.id),
                rofr_days=c.rofr_days,
            )
            for c, address in zip(offering.classes, tokens, strict=True)
        ),
        repurchase=repurchase,
        rofr=rofr,
        governance={
            "voting_delay": governance.voting_delay,
            "voting_period": governance.voting_period,
            "quorum_percent": governance.quorum_percent,
            "proposal_threshold": governance.proposal_threshold,
            "timelock_delay": governance.timelock_delay,
            "issuer_limit_percent": governance.issuer_limit_percent,
            "issuer_limit_window": governance.issuer_limit_window,
        },
        holder_view=holder_view,
    )
    path = record_deployment(deployment, cwd, replace_stale=replace_stale)
    return DeployReport(deployment=deployment, transactions=tuple(results), path=path)
