"""The indexer against a real anvil: the cap table from the chain, incremental runs, reorgs."""

from __future__ import annotations

from pathlib import Path

from tests.captable.conftest import DAY, Offering
from toolkit.captable.indexer import IndexedState, Indexer
from toolkit.captable.log_reader import RangePolicy


def indexer(offering: Offering, workdir: Path, **kwargs: object) -> Indexer:
    return Indexer.for_offering(offering.node.rpc_url, offering.view, workdir, **kwargs)  # type: ignore[arg-type]


def index(offering: Offering, workdir: Path, *, confirmations: int = 0, as_of: int | None = None) -> tuple[IndexedState, Indexer]:
    ix = indexer(offering, workdir)
    try:
        return ix.state_at(confirmations=confirmations, as_of=as_of), ix
    finally:
        ix.close()


def populate(offering: Offering) -> None:
    """A history touching every event the cap table reads."""
    a, b, c, d = offering.holders[:4]
    offering.qualify(a, "INV-A")
    offering.qualify(b, "INV-B")
    offering.qualify(c, "INV-C")
    offering.qualify(d, "INV-C")  # a second wallet of investor C
    now = offering.now()
    offering.issue("COMMON", a, 1_000, locked_until=now + 30 * DAY)
    offering.issue("COMMON", b, 500)
    offering.issue_vested("FOUNDERS", c, 400, now, now + 10 * DAY, now + 100 * DAY)
    offering.issue("PREFERRED", b, 70)
    offering.transfer("COMMON", b, c, 120)
    offering.force_transfer("COMMON", a, b, 300)  # moves locked shares too
    offering.redeem("PREFERRED", b, 20)
    offering.recover("FOUNDERS", c, d)


def assert_matches_chain(offering: Offering, state: IndexedState) -> None:
    for cls in offering.view.classes:
        ledger_class = state.ledger.classes[cls.id]
        assert ledger_class.total_supply == offering.total_supply(cls.id, state.block)
        for wallet in offering.holders[:5]:
            assert ledger_class.shares_of(wallet.lower()) == offering.balance(cls.id, wallet, state.block), (cls.id, wallet)
            assert state.locked.get((cls.id, wallet.lower()), 0) == offering.locked(cls.id, wallet, state.block), (cls.id, wallet)


def test_the_ledger_from_events_matches_the_token_balances_locks_and_supply(offering: Offering, workdir: Path) -> None:
    populate(offering)
    state, _ = index(offering, workdir)
    assert state.block == offering.head()
    assert_matches_chain(offering, state)
    assert state.locked  # lock-ups and vesting are read back
    d = offering.holders[3].lower()
    assert state.ledger.investor_of(d) == "INV-C"
    assert state.ledger.classes["COMMON"].authorized == 10_000_000


def test_a_second_run_reads_only_the_new_blocks(offering: Offering, workdir: Path) -> None:
    populate(offering)
    first_state, first = index(offering, workdir)
    assert first.report.rebuilt and first.report.logs > 0
    b = offering.holders[1]
    offering.issue("COMMON", b, 5)
    second_state, second = index(offering, workdir)
    assert not second.report.rebuilt
    assert second.report.from_block == first_state.block + 1
    assert second.report.logs == 2  # Transfer + SharesIssued of the one new issuance
    assert second_state.ledger.classes["COMMON"].shares_of(b.lower()) == offering.balance("COMMON", b)


def test_a_run_with_no_new_blocks_reads_no_logs(offering: Offering, workdir: Path) -> None:
    populate(offering)
    index(offering, workdir)
    _, again = index(offering, workdir)
    assert again.report.logs == 0
    assert again.client.requests <= 4  # head check, block time, locked balances


def test_blocks_within_the_confirmations_are_read_but_not_cached(offering: Offering, workdir: Path) -> None:
    populate(offering)
    head = offering.head()
    state, ix = index(offering, workdir, confirmations=3)
    assert state.block == head - 3
    cached = ix.cache.load(offering.view.fingerprint())
    assert cached is not None and cached.head == head - 3


def test_a_reorg_below_the_cached_head_is_detected_and_reread(offering: Offering, workdir: Path) -> None:
    a, b, c = offering.holders[:3]
    offering.qualify(a, "INV-A")
    offering.qualify(b, "INV-B")
    offering.qualify(c, "INV-C")
    offering.issue("COMMON", a, 100)
    fork_point = offering.node.snapshot()
    offering.issue("COMMON", b, 200)
    offering.issue("COMMON", b, 300)
    before, _ = index(offering, workdir)
    assert before.ledger.classes["COMMON"].shares_of(b.lower()) == 500

    offering.node.revert(fork_point)  # the two issuances to b are gone...
    offering.issue("COMMON", c, 7)  # ...and other blocks take their place
    offering.issue("COMMON", c, 8)
    offering.issue("COMMON", c, 9)
    after, ix = index(offering, workdir)
    assert ix.report.reorg_at is not None and ix.report.reorg_at < before.block
    assert after.ledger.classes["COMMON"].shares_of(b.lower()) == 0
    assert after.ledger.classes["COMMON"].shares_of(c.lower()) == 24
    assert_matches_chain(offering, after)
    replayed = list(ix.cache.replay())
    assert all(e.block <= after.block for e in replayed)
    assert sum(1 for e in replayed if getattr(e, "receiver", "") == b.lower()) == 0


def test_as_of_a_past_block_replays_the_journal_without_reading_logs(offering: Offering, workdir: Path) -> None:
    populate(offering)
    a, b = offering.holders[:2]
    middle = offering.head()
    offering.transfer("COMMON", b, a, 1)
    index(offering, workdir)
    past, ix = index(offering, workdir, as_of=middle)
    assert ix.report.replayed and ix.report.logs == 0
    assert past.block == middle
    assert_matches_chain(offering, past)


def test_log_ranges_shrink_on_refusal_and_still_read_everything(offering: Offering, workdir: Path) -> None:
    populate(offering)
    head = offering.head()
    tiny = indexer(offering, workdir, policy=RangePolicy(initial_span=1, max_span=2, target_logs=3))
    try:
        state = tiny.state_at(confirmations=0)
    finally:
        tiny.close()
    assert state.block == head
    assert_matches_chain(offering, state)


def test_locks_asked_for_during_a_long_read_and_after_it_are_the_chains(offering: Offering, workdir: Path) -> None:
    """Halfway through a read of many ranges the locks known so far are asked for at the
    target block, the rest after the read; a lock granted in the second half (and shares
    moved out of an early lock) still read as the chain has them."""
    populate(offering)  # locks granted early
    e = offering.holders[4]
    offering.qualify(e, "INV-E")
    offering.w3.provider.make_request("anvil_mine", [hex(20)])  # the late grant: second half
    offering.issue("COMMON", e, 250, locked_until=offering.now() + 60 * DAY)
    tiny = indexer(offering, workdir, policy=RangePolicy(initial_span=1, max_span=2, target_logs=3))
    try:
        state = tiny.state_at(confirmations=0)
        early = tiny.report.locked_early
    finally:
        tiny.close()
    assert early > 0  # the early locks were asked for during the read
    assert state.locked[("COMMON", e.lower())] == 250  # the late one after it
    assert_matches_chain(offering, state)


def test_a_date_resolves_to_the_last_block_at_or_before_it(offering: Offering, workdir: Path) -> None:
    from datetime import UTC, datetime

    populate(offering)
    block = offering.w3.eth.get_block(offering.head() - 2)
    ix = indexer(offering, workdir)
    try:
        found = ix.block_at_time(datetime.fromtimestamp(block["timestamp"], UTC))
    finally:
        ix.close()
    assert offering.w3.eth.get_block(found)["timestamp"] == block["timestamp"]
    assert found >= block["number"]
