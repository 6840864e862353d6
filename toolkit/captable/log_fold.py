"""Raw logs folded straight into a ledger: the hot path of a cold read.

A cold read folds every log of the offering's history, and nine logs in ten are ERC-20
``Transfer``\\ s of a class token. Decoding each into a ``Transfer`` event, dispatching it in
``Ledger.apply`` and turning it back into a journal record with ``to_record`` cost more
Python work per log than decoding the node's JSON did. ``fold_logs`` reads a Transfer's
topics and data once, moves the shares through ``Ledger.transfer`` (the same choke point
``apply`` uses) and writes its journal record directly: no event object per log. Every other
log takes the general path (``LogDecoder.decode``, ``Ledger.apply``, ``to_record``).

The ledger and the records are exactly those of the general path (``tests/captable/
test_log_fold.py`` holds the two together). Pure: raw logs in, records out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from toolkit.captable.events import TRANSFER_TOPIC, LogDecoder, RawLog, from_record, to_record
from toolkit.captable.ledger import Ledger

TRANSFER = "Transfer"  # the record tag ``to_record`` gives a ``Transfer``

Record = Sequence[Any]  # ``events.to_record``'s fields; a tuple when written by ``fold_logs``


def fold_logs(logs: Sequence[RawLog], ledger: Ledger, decoder: LogDecoder) -> list[Record]:
    """Fold a chunk of raw logs (in chain order) into ``ledger``; their journal records.

    A log the offering does not index (or a removed one) changes nothing and has no record.
    """
    records: list[Record] = []
    append = records.append
    transfer = ledger.transfer
    class_of_token = decoder.class_of_token
    numbers: dict[str, int] = {}  # block numbers and times repeat within a chunk: parse once
    for log in logs:
        topics = log.topics
        class_id = class_of_token.get(log.address)
        if class_id is None or len(topics) != 3 or topics[0] != TRANSFER_TOPIC or log.removed:
            event = decoder.decode(log)
            if event is not None:
                ledger.apply(event)
                append(to_record(event))
            continue
        raw_block = log.block_number
        block = numbers.get(raw_block)
        if block is None:
            block = numbers[raw_block] = int(raw_block, 16)
        timestamp = raw_time = log.block_timestamp
        if isinstance(raw_time, str):
            timestamp = numbers.get(raw_time)
            if timestamp is None:
                timestamp = numbers[raw_time] = int(raw_time, 16)
        sender = "0x" + topics[1][26:].lower()
        receiver = "0x" + topics[2][26:].lower()
        amount = int(log.data, 16)
        transfer(class_id, sender, receiver, amount)
        append(
            (
                TRANSFER,
                block,
                int(log.log_index, 16),
                log.transaction_hash,
                timestamp,
                class_id,
                sender,
                receiver,
                amount,
            )
        )
    if records and records[-1][1] > ledger.block:  # in chain order: the last is the newest
        ledger.block = records[-1][1]
    return records


def fold_records(records: Iterable[Record], ledger: Ledger) -> Ledger:
    """Fold journal records (``events.to_record``, in chain order) into ``ledger``.

    The replay behind ``--as-of`` a past block: a Transfer record goes straight to
    ``Ledger.transfer`` (no event object), every other record through ``from_record`` and
    ``Ledger.apply``. The same ledger as ``ledger.apply_all(map(from_record, records))``
    (``tests/captable/test_log_fold.py``), about three times faster.
    """
    transfer = ledger.transfer
    apply = ledger.apply
    last_block = ledger.block
    for record in records:
        if record[0] == TRANSFER:
            transfer(record[5], record[6], record[7], record[8])
            if record[1] > last_block:
                last_block = record[1]
        else:
            apply(from_record(record))
    if last_block > ledger.block:
        ledger.block = last_block
    return ledger
