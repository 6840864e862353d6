"""Stateful property test: random issue / transfer / lock / freeze / pause / recover / delegate /
expire / force-transfer / redeem / block sequences, and the registrar's add / remove / re-add under
another investor id, against the real contracts on anvil.

After every step it checks, per class: the sum of balances equals the total supply and never
exceeds the authorized shares; every wallet holds at least its locked shares; the holder count is
the number of distinct investors (as the registry last knew each wallet) with a positive balance
and never exceeds the cap; the votes add up to the total supply; and the aggregated votes are the
weighted sum of the class votes. Each transfer is checked against `detectTransferRestriction` at
the same timestamp (the outcome must match) and against an independent model of the registry (no
frozen, unregistered, expired or blocked receiver gains shares; a frozen sender sends nothing),
and must not move locked shares. Forced transfers, redemptions and recoveries must conserve the
locked shares they move; a recovery reaches only a new wallet of the same investor that may
receive; a re-key of a wallet holding shares is refused.

Investor categories (SPEC §15): COMMON caps retail investors, PREFERRED admits accredited and
retail investors only and holds transfers for a while (a holding period that ends during the run,
with no transaction); wallets of one investor may carry different categories, and the registrar
changes categories (some with their own expiry) at random. After every step the registry's
per-category investor counts of each class must equal the model's (an investor counts under the
category of the wallet it entered through, moved by every later category change of its wallets),
no move may push a category past its cap, and no receiver of a category a class refuses gains
shares.

Time is driven by the test: every transaction goes into a block at a timestamp chosen beforehand,
and predictions are read from the pending block at that same timestamp.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.conftest import RunningNode
from tests.contracts.offering_chain import NEVER, ZERO, Chain, Offering, Reverted, cc, investor_id
from toolkit.chain.rpc import JsonRpcClient, RpcError

CLASSES = ("COMMON", "FOUNDERS", "PREFERRED")
WEIGHTS = {"COMMON": 1, "FOUNDERS": 10, "PREFERRED": 0}
GAS = 3_000_000
NONE, ACCREDITED, QUALIFIED_PURCHASER, PROFESSIONAL, RETAIL = range(5)
# wallet -> (investor, jurisdiction, category); wallet 8 starts unregistered (the registrar may add it)
INVESTORS = {
    1: ("A", "DE", ACCREDITED),
    2: ("A", "DE", RETAIL),
    3: ("B", "FR", RETAIL),
    4: ("B", "FR", RETAIL),
    5: ("C", "GB", RETAIL),
    6: ("D", "US", PROFESSIONAL),
    7: ("E", "SG", NONE),
}
# per class: (allowed categories, holding period from the start, cap per category)
CATEGORY_RULES: dict[str, tuple[set[int], int, dict[int, int]]] = {
    "COMMON": (set(), 0, {RETAIL: 2}),
    "PREFERRED": ({ACCREDITED, RETAIL}, 2_000, {}),
}

wallet_indices = st.integers(min_value=1, max_value=8)
investor_ids = st.sampled_from(["A", "B", "C", "D", "E", "F", "G"])
classes = st.sampled_from(CLASSES)
amounts = st.integers(min_value=1, max_value=40_000)


@dataclass
class Holder:
    investor: str
    jurisdiction: str
    registered: bool = True
    expires_at: int = NEVER
    frozen: bool = False
    category: int = NONE
    category_until: int = 0

    def category_at(self, t: int) -> int:
        return self.category if self.category_until == 0 or t < self.category_until else NONE


@dataclass
class Model:
    """What the test believes the registry and the class settings are."""

    holders: dict[str, Holder] = field(default_factory=dict)
    frozen_unregistered: set[str] = field(default_factory=set)
    paused: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(CLASSES, False))
    blocked: dict[str, set[str]] = field(
        default_factory=lambda: {"COMMON": {"US"}, "FOUNDERS": set(), "PREFERRED": set()}
    )

    def frozen(self, wallet: str) -> bool:
        holder = self.holders.get(wallet)
        return holder.frozen if holder else wallet in self.frozen_unregistered

    def receiver_refused(self, class_id: str, wallet: str, t: int) -> bool:
        holder = self.holders.get(wallet)
        if self.frozen(wallet) or holder is None or not holder.registered:
            return True
        return t >= holder.expires_at or holder.jurisdiction in self.blocked[class_id]

    holding_end: dict[str, int] = field(default_factory=dict)
    # class -> investor -> the category the class counts it under (while it holds)
    counted: dict[str, dict[str, int]] = field(
        default_factory=lambda: {c: {} for c in CATEGORY_RULES}
    )

    def category_refused(self, class_id: str, wallet: str, t: int) -> bool:
        """Code 10: the class admits only some categories and the receiver's is not one."""
        rules = CATEGORY_RULES.get(class_id)
        holder = self.holders.get(wallet)
        return bool(rules and rules[0] and holder and holder.category_at(t) not in rules[0])

    def investor(self, wallet: str) -> str | None:
        holder = self.holders.get(wallet)
        return holder.investor if holder else None


class Reads:
    """The calldata of every read the invariants make, encoded once: web3's contract layer costs
    milliseconds a call, more than anvil's work, and the invariants read some 50 values after
    each of the test's 400 steps. One multicall per class reads its totals and every wallet's
    balance, locked shares and votes."""

    TOTALS = ("totalSupply", "authorized", "holderCount", "maxHolders")

    def __init__(self, offering: Offering, wallets: list[str]) -> None:
        self.wallets = wallets
        self.classes: dict[str, tuple[str, str]] = {}
        for class_id in CLASSES:
            token = offering.token(class_id)
            calls = [token.encode_abi(name, []) for name in self.TOTALS]
            for wallet in wallets:
                calls += [
                    token.encode_abi(name, [wallet])
                    for name in ("balanceOf", "lockedBalanceOf", "getVotes")
                ]
            self.classes[class_id] = (token.address, token.encode_abi("multicall", [calls]))
        registry = offering.registry
        self.category_counts = {
            class_id: [
                (
                    registry.address,
                    registry.encode_abi(
                        "categoryHolderCount", [offering.token(class_id).address, category]
                    ),
                )
                for category in range(NONE, RETAIL + 1)
            ]
            for class_id in CATEGORY_RULES
        }
        votes = offering.votes
        self.votes = [(votes.address, votes.encode_abi("getVotes", [w])) for w in wallets]

    def class_state(self, answer: str) -> dict[str, dict[str, int]]:
        """A class multicall's answer: the totals (key "class") and each wallet's numbers."""
        (results,) = decode(["bytes[]"], bytes.fromhex(answer[2:]))
        values = [int.from_bytes(r, "big") for r in results]
        state = {"class": dict(zip(self.TOTALS, values[:4], strict=True))}
        for i, wallet in enumerate(self.wallets):
            balance, locked, votes = values[4 + 3 * i : 7 + 3 * i]
            state[wallet] = {"balance": balance, "locked": locked, "votes": votes}
        return state


class OfferingMachine(RuleBasedStateMachine):
    chain: Chain
    offering: Offering
    node: RunningNode
    accounts: list[str]
    timelock: str
    rpc: JsonRpcClient
    reads: Reads

    def __init__(self) -> None:
        super().__init__()
        self.snapshot = self.node.snapshot()
        self.model = Model()
        self.issuer = self.accounts[0]
        self.wallets = {i: self.accounts[i] for i in range(1, 9)}
        self.t = self.chain.now() + 10
        registry = self.offering.registry.functions
        for class_id, (allowed, holding, caps) in CATEGORY_RULES.items():
            end = self.t + holding if holding else 0
            ruleset = (sum(1 << c for c in allowed), end, [caps.get(c, 0) for c in range(1, 5)])
            self.prepare()
            self.tx(registry.setCategoryRules(self.token(class_id).address, ruleset), self.timelock)
            self.model.holding_end[class_id] = end
        for index, (investor, jurisdiction, category) in INVESTORS.items():
            wallet = self.wallets[index]
            self.prepare()
            self.tx(
                registry.addHolder(wallet, investor_id(investor), cc(jurisdiction), NEVER, True),
                self.issuer,
            )
            self.prepare()
            self.tx(registry.setCategory(wallet, category, 0), self.issuer)
            self.model.holders[wallet] = Holder(investor, jurisdiction, category=category)
        self.balances = {c: dict.fromkeys(self.wallets.values(), 0) for c in CLASSES}
        # something to move from the first step on: unlocked, locked and vesting shares
        t = self.t
        for class_id, index, amount, locked_until in (
            ("COMMON", 1, 5_000, 0),
            ("COMMON", 3, 3_000, t + 1_500),
            ("COMMON", 5, 2_000, 0),
            ("FOUNDERS", 1, 400, 0),
            ("FOUNDERS", 3, 300, t + 3_000),
            ("PREFERRED", 1, 1_000, 0),
        ):
            self.prepare()
            self.tx(
                self.token(class_id).functions.issue(self.wallets[index], amount, locked_until),
                self.issuer,
            )
        self.prepare()
        self.tx(
            self.token("COMMON").functions.issueVested(
                self.wallets[7], 4_000, t, t + 500, t + 4_000
            ),
            self.issuer,
        )

    def teardown(self) -> None:
        self.node.revert(self.snapshot)

    # ------------------------------------------------------------------ plumbing

    def prepare(self) -> int:
        """The next block (and every `pending` read until then) gets a new timestamp T."""
        self.t += 1
        self.chain.next_block_at(self.t)
        return self.t

    def tx(self, call: Any, sender: str) -> Any:
        """Send `call` into the prepared block; a refusal raises Reverted (decoded).

        It is first run as an eth_call on the pending block (same state, same timestamp) so a
        refusal is decoded without mining a failed transaction. Both go through the bare
        JSON-RPC client: web3's transaction building (fees, receipt polling) costs more than
        the node's work."""
        request = {"from": sender, "to": call.address, "data": call._encode_transaction_data()}
        try:
            self.rpc.call("eth_call", [request, "pending"])
        except RpcError as error:
            raise self.chain.decode_revert(error) from None
        tx_hash = self.rpc.call("eth_sendTransaction", [{**request, "gas": hex(GAS)}])
        for _ in range(2_000):  # anvil mines it at once; its receipt may lag a moment
            receipt = self.rpc.call("eth_getTransactionReceipt", [tx_hash])
            if receipt is not None:
                break
            time.sleep(0.005)
        assert receipt is not None, f"no receipt for {tx_hash}"
        if int(receipt["status"], 16) != 1:
            raise Reverted("(reverted in the block)", ())
        return receipt

    def token(self, class_id: str) -> Any:
        return self.offering.token(class_id)

    TOTALS = Reads.TOTALS

    def snapshot_class(self, class_id: str, block: str = "latest") -> dict[str, dict[str, int]]:
        """Balance, locked shares and votes of every wallet, and the class totals (key "class"),
        in one call."""
        to, data = self.reads.classes[class_id]
        return self.reads.class_state(self.rpc.call("eth_call", [{"to": to, "data": data}, block]))

    def pick_sender(self, data: st.DataObject, state: dict[str, dict[str, int]]) -> int:
        """Mostly a wallet that holds the class (so transfers have something to move)."""
        holders = [i for i, w in self.wallets.items() if state[w]["balance"] > 0]
        if holders and data.draw(st.integers(0, 9), label="holder?") < 8:
            return int(data.draw(st.sampled_from(holders), label="sender"))
        return int(data.draw(wallet_indices, label="sender"))

    def pick_amount(self, data: st.DataObject, held: dict[str, int]) -> int:
        """Within the unlocked shares, all of them, into the locked ones, or beyond the balance."""
        balance, locked = held["balance"], held["locked"]
        unlocked = balance - locked
        kind = data.draw(
            st.sampled_from(["unlocked", "unlocked", "unlocked", "all", "locked", "beyond"]),
            label="kind",
        )
        if kind == "unlocked" and unlocked > 0:
            return int(data.draw(st.integers(1, unlocked), label="amount"))
        if kind == "all" and balance > 0:
            return balance
        if kind == "locked" and locked > 0:
            return int(data.draw(st.integers(unlocked + 1, balance), label="amount"))
        return balance + int(data.draw(st.integers(1, 1_000), label="amount"))

    # ------------------------------------------------------------------ rules

    @rule(
        class_id=classes,
        who=wallet_indices,
        amount=amounts,
        lock=st.sampled_from(["none", "plain", "vesting"]),
        back=st.integers(min_value=0, max_value=3_000),
        cliff=st.integers(min_value=0, max_value=3_000),
        span=st.integers(min_value=1, max_value=5_000),
    )
    def issue(
        self, class_id: str, who: int, amount: int, lock: str, back: int, cliff: int, span: int
    ) -> None:
        wallet, token = self.wallets[who], self.token(class_id)
        t = self.prepare()
        if lock == "vesting":
            start = t - back
            call = token.functions.issueVested(
                wallet, amount, start, start + cliff, start + cliff + span
            )
        else:
            call = token.functions.issue(wallet, amount, t + span if lock == "plain" else 0)
        code = token.functions.detectTransferRestriction(ZERO, wallet, amount).call(
            block_identifier="pending"
        )
        supply = token.functions.totalSupply().call()
        authorized = token.functions.authorized().call()
        try:
            self.tx(call, self.issuer)
        except Reverted as refused:
            if code != 0:
                assert (refused.name, refused.args_[0]) == ("TransferRestricted", code)
                assert self.model.receiver_refused(class_id, wallet, t) or code in (9, 10, 11)
                assert code != 10 or self.model.category_refused(class_id, wallet, t)
            elif supply + amount > authorized:
                assert refused.name == "AuthorizedSharesExceeded"
            else:
                assert refused.name == "TooManyLockupLots", refused
                assert len(token.functions.lockupLotsOf(wallet).call()) == 16
            return
        assert code == 0 and supply + amount <= authorized
        assert not self.model.receiver_refused(class_id, wallet, t)
        assert not self.model.category_refused(class_id, wallet, t)

    @rule(class_id=classes, receiver=wallet_indices, data=st.data())
    def transfer(self, class_id: str, receiver: int, data: st.DataObject) -> None:
        self.attempt_transfer(class_id, receiver, data, via_allowance=False)

    @rule(class_id=classes, receiver=wallet_indices, data=st.data())
    def transfer_from(self, class_id: str, receiver: int, data: st.DataObject) -> None:
        self.attempt_transfer(class_id, receiver, data, via_allowance=True)

    def attempt_transfer(
        self, class_id: str, receiver: int, data: st.DataObject, via_allowance: bool
    ) -> None:
        token = self.token(class_id)
        spender = self.accounts[9]
        t = self.prepare()
        before = self.snapshot_class(class_id, "pending")
        source = self.wallets[self.pick_sender(data, before)]
        target = self.wallets[receiver]
        amount = self.pick_amount(data, before[source])
        if via_allowance:
            self.tx(token.functions.approve(spender, amount), source)
            t = self.prepare()
            before = self.snapshot_class(class_id, "pending")
            call, caller = token.functions.transferFrom(source, target, amount), spender
        else:
            call, caller = token.functions.transfer(target, amount), source
        code = token.functions.detectTransferRestriction(source, target, amount).call(
            block_identifier="pending"
        )
        try:
            self.tx(call, caller)
        except Reverted as refused:
            assert code != 0, "refused though detectTransferRestriction said OK"
            assert refused.name == "TransferRestricted" and refused.args_ == (
                code,
                source,
                target,
                amount,
            )
            return
        assert code == 0, f"transfer went through though detectTransferRestriction said {code}"
        # an independent view of the rules: nobody refused by the registry model gains shares
        assert not self.model.paused[class_id]
        assert not self.model.frozen(source)
        assert not self.model.receiver_refused(class_id, target, t)
        if source != target:
            assert not self.model.category_refused(class_id, target, t)
            assert t >= self.model.holding_end.get(class_id, 0), "a transfer in the holding period"
        after = self.snapshot_class(class_id)
        # plain transfers never move locked shares (same timestamp before and after)
        assert after[source]["locked"] == before[source]["locked"]
        assert after[target]["locked"] == before[target]["locked"]
        if source != target:
            assert after[target]["balance"] == before[target]["balance"] + amount

    @rule(class_id=classes, receiver=wallet_indices, data=st.data())
    def force_transfer(self, class_id: str, receiver: int, data: st.DataObject) -> None:
        t = self.prepare()
        token = self.token(class_id)
        before = self.snapshot_class(class_id, "pending")
        source, target = self.wallets[self.pick_sender(data, before)], self.wallets[receiver]
        amount = self.pick_amount(data, before[source])
        try:
            self.tx(token.functions.forceTransfer(source, target, amount, "order"), self.issuer)
        except Reverted as refused:
            assert refused.name in ("TransferRestricted", "TooManyLockupLots"), refused
            if refused.name == "TransferRestricted":
                code = refused.args_[0]
                assert code in (3, 4, 5, 6, 7, 9, 10, 11)
                assert code not in (3, 4, 5, 6) or self.model.receiver_refused(class_id, target, t)
                assert code != 10 or self.model.category_refused(class_id, target, t)
                assert code != 7 or amount > before[source]["balance"]
            return
        assert not self.model.receiver_refused(class_id, target, t)
        assert source == target or not self.model.category_refused(class_id, target, t)
        after = self.snapshot_class(class_id)
        if source != target:
            # the locked part moves and stays locked: none created, none released
            moved_locked = max(0, amount - (before[source]["balance"] - before[source]["locked"]))
            assert after[source]["locked"] == before[source]["locked"] - moved_locked
            assert after[target]["locked"] == before[target]["locked"] + moved_locked

    @rule(class_id=classes, data=st.data())
    def redeem(self, class_id: str, data: st.DataObject) -> None:
        self.prepare()
        token = self.token(class_id)
        state = self.snapshot_class(class_id, "pending")
        wallet = self.wallets[self.pick_sender(data, state)]
        before = state[wallet]
        amount = self.pick_amount(data, before)
        try:
            self.tx(token.functions.redeem(wallet, amount), self.issuer)
        except Reverted as refused:
            assert refused.name == "TransferRestricted" and refused.args_[0] == 7
            assert amount > before["balance"]
            return
        after = self.snapshot_class(class_id)[wallet]
        unlocked = before["balance"] - before["locked"]
        assert after["locked"] == before["locked"] - max(0, amount - unlocked)

    @rule(lost=wallet_indices, replacement=wallet_indices)
    def recover(self, lost: int, replacement: int) -> None:
        old, new = self.wallets[lost], self.wallets[replacement]
        new_holder = self.model.holders.get(new)
        # the registry keeps a removed wallet's investor, so the lost wallet is recognised either way
        same = (
            old != new
            and new_holder is not None
            and new_holder.registered
            and (self.model.investor(old) == new_holder.investor)
        )
        for class_id in CLASSES:
            t = self.prepare()
            before = self.snapshot_class(class_id, "pending")
            try:
                self.tx(self.token(class_id).functions.recover(old, new), self.issuer)
            except Reverted as refused:
                assert refused.name in (
                    "InvestorMismatch",
                    "TransferRestricted",
                    "TooManyLockupLots",
                ), refused
                assert (refused.name == "InvestorMismatch") == (not same), refused
                if refused.name == "TransferRestricted":
                    # the new wallet may not receive: frozen, expired, in a blocked jurisdiction
                    # or of a category the class refuses
                    assert refused.args_[0] in (3, 5, 6, 10), refused
                    assert self.model.receiver_refused(
                        class_id, new, t
                    ) or self.model.category_refused(class_id, new, t)
                    event("recovery refused by a receiver rule")
                continue
            assert same and not self.model.receiver_refused(class_id, new, t)
            after = self.snapshot_class(class_id)
            assert after[old]["balance"] == 0 and after[old]["locked"] == 0
            assert after[new]["balance"] == before[new]["balance"] + before[old]["balance"]
            assert after[new]["locked"] == before[new]["locked"] + before[old]["locked"]

    @rule(class_id=classes, who=wallet_indices, to=wallet_indices)
    def delegate(self, class_id: str, who: int, to: int) -> None:
        self.prepare()
        self.tx(self.token(class_id).functions.delegate(self.wallets[to]), self.wallets[who])

    def freeze(self, who: int, frozen: bool) -> None:
        wallet = self.wallets[who]
        self.prepare()
        self.tx(self.offering.registry.functions.setFrozen(wallet, frozen), self.issuer)
        if wallet in self.model.holders:
            self.model.holders[wallet].frozen = frozen
        elif frozen:
            self.model.frozen_unregistered.add(wallet)
        else:
            self.model.frozen_unregistered.discard(wallet)

    def toggle_pause(self, class_id: str) -> None:
        token = self.token(class_id)
        self.prepare()
        self.tx(
            token.functions.unpause() if self.model.paused[class_id] else token.functions.pause(),
            self.issuer,
        )
        self.model.paused[class_id] = not self.model.paused[class_id]

    def set_expiry(self, who: int, offset: int) -> None:
        wallet = self.wallets[who]
        holder = self.model.holders[wallet]
        t = self.prepare()
        expires = max(1, t + offset)
        call = self.offering.registry.functions.updateHolder(
            wallet, cc(holder.jurisdiction), expires, True
        )
        try:
            self.tx(call, self.issuer)
        except Reverted as refused:
            assert refused.name == "HolderNotRegistered" and not holder.registered
            return
        holder.expires_at = expires

    def remove_or_readd(self, who: int) -> None:
        wallet = self.wallets[who]
        holder = self.model.holders[wallet]
        registry = self.offering.registry.functions
        self.prepare()
        if holder.registered:
            self.tx(registry.removeHolder(wallet), self.issuer)
            holder.registered = False
        else:
            call = registry.addHolder(
                wallet, investor_id(holder.investor), cc(holder.jurisdiction), NEVER, True
            )
            self.tx(call, self.issuer)
            holder.registered, holder.expires_at = True, NEVER

    def add(self, who: int, investor: str) -> None:
        """The registrar adds a wallet it never registered (under `investor`), or adds a removed
        one again under its investor."""
        wallet = self.wallets[who]
        holder = self.model.holders.get(wallet)
        if holder is not None and holder.registered:
            return
        if holder is None:
            holder = Holder(investor, "DE", registered=False, frozen=self.model.frozen(wallet))
            self.model.holders[wallet] = holder
            self.model.frozen_unregistered.discard(wallet)
        self.prepare()
        call = self.offering.registry.functions.addHolder(
            wallet, investor_id(holder.investor), cc(holder.jurisdiction), NEVER, True
        )
        self.tx(call, self.issuer)
        holder.registered, holder.expires_at = True, NEVER

    def rekey(self, who: int, investor: str) -> None:
        """The registrar removes a wallet and adds it again under another investor id: refused
        while the wallet holds shares of any class (it would keep counting for its old investor)."""
        wallet = self.wallets[who]
        holder = self.model.holders.get(wallet)
        if holder is None or holder.investor == investor:
            return
        registry = self.offering.registry.functions
        if holder.registered:
            self.prepare()
            self.tx(registry.removeHolder(wallet), self.issuer)
            holder.registered = False
        holds = any(self.token(c).functions.balanceOf(wallet).call() > 0 for c in CLASSES)
        self.prepare()
        call = registry.addHolder(
            wallet, investor_id(investor), cc(holder.jurisdiction), NEVER, True
        )
        try:
            self.tx(call, self.issuer)
        except Reverted as refused:
            assert refused.name == "WalletHoldsShares" and refused.args_[0] == wallet, refused
            assert holds
            event("re-key refused: the wallet holds shares")
            return
        event("re-key of an empty wallet")
        assert not holds, "a wallet holding shares was re-keyed"
        holder.investor, holder.registered, holder.expires_at = investor, True, NEVER

    def set_category(self, who: int, category: int, offset: int) -> None:
        """The registrar changes a wallet's category (with its own expiry when `offset` > 0): every
        class counting the wallet's investor counts it under the new category."""
        wallet = self.wallets[who]
        holder = self.model.holders.get(wallet)
        t = self.prepare()
        until = t + offset if offset > 0 else 0
        call = self.offering.registry.functions.setCategory(wallet, category, until)
        try:
            self.tx(call, self.issuer)
        except Reverted as refused:
            assert refused.name == "HolderNotRegistered" and not (holder and holder.registered)
            return
        assert holder is not None
        holder.category, holder.category_until = category, until
        for counted in self.model.counted.values():
            if holder.investor in counted:
                counted[holder.investor] = category
        self.recategorised = True

    def toggle_jurisdiction(self, class_id: str, code: str) -> None:
        blocked = code not in self.model.blocked[class_id]
        self.prepare()
        self.tx(
            self.token(class_id).functions.setJurisdictionBlocked(cc(code), blocked), self.timelock
        )
        if blocked:
            self.model.blocked[class_id].add(code)
        else:
            self.model.blocked[class_id].discard(code)

    @rule(
        action=st.sampled_from(
            [
                "freeze",
                "pause",
                "expiry",
                "remove",
                "add",
                "rekey",
                "rekey",
                "jurisdiction",
                "category",
                "category",
            ]
        ),
        class_id=classes,
        who=wallet_indices,
        investor=investor_ids,
        flag=st.booleans(),
        offset=st.integers(min_value=-100, max_value=3_000),
        code=st.sampled_from(["US", "FR", "GB"]),
        category=st.integers(min_value=NONE, max_value=RETAIL),
    )
    def administer(
        self,
        action: str,
        class_id: str,
        who: int,
        investor: str,
        flag: bool,
        offset: int,
        code: str,
        category: int,
    ) -> None:
        """The issuer's, the registrar's and governance's changes to the rules, one rule so that
        moves dominate."""
        registered = self.wallets[who] in self.model.holders
        if action == "freeze":
            self.freeze(who, flag)
        elif action == "pause":
            self.toggle_pause(class_id)
        elif action == "expiry" and registered:
            self.set_expiry(who, offset)
        elif action == "remove" and registered:
            self.remove_or_readd(who)
        elif action == "add":
            self.add(who, investor)
        elif action == "rekey":
            self.rekey(who, investor)
        elif action == "jurisdiction":
            self.toggle_jurisdiction(class_id, code)
        elif action == "category":
            self.set_category(who, category, offset)

    @rule(seconds=st.integers(min_value=1, max_value=4_000))
    def advance_time(self, seconds: int) -> None:
        self.t += seconds
        self.chain.mine_at(self.t)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def classes_are_consistent(self) -> None:
        reads = self.reads
        calls = [reads.classes[c] for c in CLASSES]
        for class_id in CATEGORY_RULES:
            calls += reads.category_counts[class_id]
        calls += reads.votes
        answers = self.rpc.batch_or_raise(
            [("eth_call", [{"to": to, "data": data}, "latest"]) for to, data in calls]
        )  # one round trip for every value the invariants read
        states = [reads.class_state(a) for a in answers[: len(CLASSES)]]
        numbers = [int(a, 16) for a in answers[len(CLASSES) :]]
        category_counts: dict[str, list[int]] = {}
        for class_id in CATEGORY_RULES:
            category_counts[class_id] = numbers[: RETAIL + 1]
            del numbers[: RETAIL + 1]
        votes_by_wallet: dict[str, int] = dict.fromkeys(self.wallets.values(), 0)
        for class_id, state in zip(CLASSES, states, strict=True):
            totals = state.pop("class")
            supply, authorized, count, cap = (totals[name] for name in self.TOTALS)
            assert sum(s["balance"] for s in state.values()) == supply
            assert supply <= authorized
            for wallet, s in state.items():
                assert s["balance"] >= s["locked"], (class_id, wallet, s)
                votes_by_wallet[wallet] += WEIGHTS[class_id] * s["votes"]
            assert sum(s["votes"] for s in state.values()) == supply
            holding = {self.model.investor(w) for w, s in state.items() if s["balance"] > 0}
            assert count == len(holding), (class_id, count, holding)
            assert cap == 0 or count <= cap
            if class_id in CATEGORY_RULES:
                self.check_category_counts(class_id, state, holding, category_counts[class_id])
            self.balances[class_id] = {w: s["balance"] for w, s in state.items()}
        self.recategorised = False
        aggregated = numbers  # the votes source's getVotes of every wallet
        assert dict(zip(votes_by_wallet, aggregated, strict=True)) == votes_by_wallet

    recategorised = False

    def check_category_counts(
        self,
        class_id: str,
        state: dict[str, dict[str, int]],
        holding: set[str | None],
        counts: list[int],
    ) -> None:
        """The registry's per-category counts of `class_id` against the model's: an investor that
        started holding in this step entered through its one wallet whose balance left zero (a step
        moves shares of a class once), and counts under that wallet's category."""
        counted = self.model.counted[class_id]
        for investor in set(counted) - holding:
            del counted[investor]
        for investor in holding - set(counted):
            entered = [
                w
                for w, s in state.items()
                if s["balance"] > 0
                and self.balances[class_id][w] == 0
                and self.model.investor(w) == investor
            ]
            assert len(entered) == 1, (class_id, investor, entered)
            assert investor is not None
            counted[investor] = self.model.holders[entered[0]].category
        caps = CATEGORY_RULES[class_id][2]
        for category, onchain in enumerate(counts):
            expected = sum(1 for c in counted.values() if c == category)
            assert onchain == expected, (class_id, category, onchain, counted)
            before = self.category_counts.get((class_id, category), 0)
            if category in caps and onchain > caps[category]:
                # only a category change may carry a count past its cap, never a move
                assert self.recategorised or onchain <= before, (class_id, category, onchain)
                event("a category change carried a count past its cap")
            self.category_counts[(class_id, category)] = onchain

    @property
    def category_counts(self) -> dict[tuple[str, int], int]:
        if not hasattr(self, "_category_counts"):
            self._category_counts: dict[tuple[str, int], int] = {}
        return self._category_counts


def test_offering_invariants_hold_under_random_operations(
    chain: Chain, offering: Offering, anvil: RunningNode, accounts: list[str], timelock: str
) -> None:
    OfferingMachine.chain = chain
    OfferingMachine.offering = offering
    OfferingMachine.node = anvil
    OfferingMachine.accounts = accounts
    OfferingMachine.timelock = timelock
    OfferingMachine.rpc = JsonRpcClient(anvil.rpc_url)
    OfferingMachine.reads = Reads(offering, accounts[1:9])
    run_state_machine_as_test(
        OfferingMachine,
        settings=settings(
            max_examples=8,
            stateful_step_count=50,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            derandomize=True,
        ),
    )
