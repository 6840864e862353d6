// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What a class token keeps per wallet, packed in one storage slot so that a transfer reads
/// it once per side: it is both the lock-up summary checked for the sender and the delegation read
/// by the vote accounting of both sides. Bit layout (low to high): lotSum 0-111, lotsEnd 112-159,
/// lotCount 160-167, delegation 168-175, countedIndex 176-207.
/// @param lotSum sum of the amounts of the live lock-up lots (an upper bound on the locked balance)
/// @param lotsEnd the latest end of those lots: from then on nothing is locked
/// @param lotCount lots stored in the lot array; 0 with `lotSum > 0` means a single plain lock-up
/// of `lotSum` shares until `lotsEnd`, kept inline (no lot slot)
/// @param delegation 0: never chose (votes for itself); 1: chose itself; 2: chose the address kept aside
/// @param countedIndex the registry investor index this wallet counts toward while its balance is positive
struct HolderAccount {
    uint112 lotSum;
    uint48 lotsEnd;
    uint8 lotCount;
    uint8 delegation;
    uint32 countedIndex;
}
