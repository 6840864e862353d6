// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IShareClass} from "../interfaces/IShareClass.sol";
import {HolderAccount} from "./HolderAccount.sol";

/// @title Lock-up lots of one wallet in one class
/// @notice A lot locks `amount` shares and releases them linearly from `start` to `end`, nothing
/// before `cliff`; a plain lock-up has `start == cliff == end`. The summary fields of
/// {HolderAccount} (`lotSum`, `lotsEnd`, `lotCount`) let a transfer decide without reading any lot
/// when nothing is locked any more, or when the balance covers the transfer plus every lot; a single
/// plain lock-up lives inline in the summary and needs no lot slot at all.
///
/// Storage stays bounded whatever a holder's history: every insertion first prunes the lots that
/// have ended, plain lots with the same release time merge, and at most `maxLots` lots may be live
/// (beyond that, {IShareClass-TooManyLockupLots}). So a lock-up check reads at most `maxLots` slots.
///
/// Functions take the summary as a memory copy that the caller writes back once.
library LockupBook {
    /// @dev The shares of `lot` still locked at time `t`. Vesting rounds the vested part down.
    function lockedOf(IShareClass.LockupLot memory lot, uint256 t) internal pure returns (uint256) {
        if (t >= lot.end) return 0;
        if (t < lot.cliff) return lot.amount;
        // here start <= cliff <= t < end, so end > start
        return lot.amount - (uint256(lot.amount) * (t - lot.start)) / (lot.end - lot.start);
    }

    /// @dev The shares locked at time `t` (`t` not before the last pruning).
    function lockedAt(HolderAccount memory account, mapping(uint256 => IShareClass.LockupLot) storage lots, uint256 t)
        internal
        view
        returns (uint256 locked)
    {
        if (account.lotSum == 0 || t >= account.lotsEnd) return 0;
        uint256 n = account.lotCount;
        if (n == 0) return account.lotSum;
        for (uint256 i = 0; i < n; ++i) {
            locked += lockedOf(lots[i], t);
        }
    }

    /// @dev The live lots at time `t`, the inline one included.
    function live(HolderAccount memory account, mapping(uint256 => IShareClass.LockupLot) storage lots, uint256 t)
        internal
        view
        returns (IShareClass.LockupLot[] memory result)
    {
        if (account.lotSum == 0 || t >= account.lotsEnd) return new IShareClass.LockupLot[](0);
        uint256 n = account.lotCount;
        if (n == 0) {
            result = new IShareClass.LockupLot[](1);
            result[0] = IShareClass.LockupLot(account.lotSum, account.lotsEnd, account.lotsEnd, account.lotsEnd);
            return result;
        }
        result = new IShareClass.LockupLot[](n);
        uint256 k;
        for (uint256 i = 0; i < n; ++i) {
            IShareClass.LockupLot memory lot = lots[i];
            if (lot.end > t) result[k++] = lot;
        }
        assembly ("memory-safe") {
            mstore(result, k)
        }
    }

    /// @dev Add `lot` (with `lot.end > t`): prune, merge with a plain lot of the same release time,
    /// or append; reverts with {IShareClass-TooManyLockupLots} beyond `maxLots` live lots.
    function add(
        HolderAccount memory account,
        mapping(uint256 => IShareClass.LockupLot) storage lots,
        IShareClass.LockupLot memory lot,
        uint256 t,
        uint256 maxLots,
        address holder
    ) internal {
        prune(account, lots, t);
        bool plain = lot.start == lot.end;
        uint256 n = account.lotCount;
        if (n == 0) {
            if (account.lotSum == 0) {
                if (plain) {
                    account.lotSum = lot.amount;
                    account.lotsEnd = lot.end;
                    return;
                }
            } else if (plain && account.lotsEnd == lot.end) {
                account.lotSum += lot.amount;
                return;
            } else {
                // move the inline lot into the array
                uint48 end = account.lotsEnd;
                lots[0] = IShareClass.LockupLot(account.lotSum, end, end, end);
                n = 1;
            }
        } else if (plain) {
            for (uint256 i = 0; i < n; ++i) {
                IShareClass.LockupLot storage existing = lots[i];
                if (existing.start == existing.end && existing.end == lot.end) {
                    existing.amount += lot.amount;
                    account.lotSum += lot.amount;
                    return;
                }
            }
        }
        if (n >= maxLots) revert IShareClass.TooManyLockupLots(holder, maxLots);
        lots[n] = lot;
        account.lotCount = uint8(n + 1);
        account.lotSum += lot.amount;
        if (lot.end > account.lotsEnd) account.lotsEnd = lot.end;
    }

    /// @dev Drop the lots that have ended by `t` (or were emptied); a single remaining plain lot
    /// moves inline.
    function prune(HolderAccount memory account, mapping(uint256 => IShareClass.LockupLot) storage lots, uint256 t) internal {
        if (account.lotSum == 0) return;
        if (t >= account.lotsEnd) {
            _clear(account);
            return;
        }
        uint256 n = account.lotCount;
        if (n == 0) return;
        uint256 kept = 0;
        uint256 sum = 0;
        uint48 end = 0;
        for (uint256 i = 0; i < n; ++i) {
            IShareClass.LockupLot memory lot = lots[i];
            if (lot.end <= t || lot.amount == 0) continue;
            if (kept != i) lots[kept] = lot;
            ++kept;
            sum += lot.amount;
            if (lot.end > end) end = lot.end;
        }
        _setSummary(account, lots, kept, sum, end);
    }

    /// @dev Remove `amount` locked shares (at most the locked balance at `t`), taking the lots with
    /// the latest end first, and return them as lots that keep the remaining schedule: a lot taken
    /// whole moves unchanged; a lot split before its cliff keeps its schedule; a lot split while
    /// vesting is rebased to start at `t` with what is still locked, so both halves keep releasing
    /// in proportion until the same end.
    function take(
        HolderAccount memory account,
        mapping(uint256 => IShareClass.LockupLot) storage lots,
        uint256 amount,
        uint256 t
    ) internal returns (IShareClass.LockupLot[] memory pieces) {
        prune(account, lots, t);
        if (amount == 0 || account.lotSum == 0) return pieces;
        uint256 n = account.lotCount;
        if (n == 0) {
            // the inline plain lot
            uint48 end = account.lotsEnd;
            if (amount > account.lotSum) amount = account.lotSum;
            pieces = new IShareClass.LockupLot[](1);
            pieces[0] = IShareClass.LockupLot(uint112(amount), end, end, end);
            account.lotSum -= uint112(amount);
            if (account.lotSum == 0) account.lotsEnd = 0;
            return pieces;
        }
        pieces = new IShareClass.LockupLot[](n);
        uint256 k;
        while (amount != 0) {
            uint256 latest = n;
            uint48 latestEnd;
            for (uint256 i = 0; i < n; ++i) {
                IShareClass.LockupLot storage candidate = lots[i];
                if (candidate.amount != 0 && candidate.end >= latestEnd) {
                    latest = i;
                    latestEnd = candidate.end;
                }
            }
            if (latest == n) break;
            IShareClass.LockupLot memory lot = lots[latest];
            uint256 locked = lockedOf(lot, t);
            if (amount >= locked) {
                // the whole lot goes, schedule unchanged
                pieces[k++] = lot;
                lots[latest].amount = 0;
                amount -= locked;
            } else if (t < lot.cliff) {
                // nothing released yet (locked == amount): split keeping the schedule
                pieces[k++] = IShareClass.LockupLot(uint112(amount), lot.start, lot.cliff, lot.end);
                lots[latest].amount = lot.amount - uint112(amount);
                amount = 0;
            } else {
                uint48 now48 = uint48(t);
                pieces[k++] = IShareClass.LockupLot(uint112(amount), now48, now48, lot.end);
                lots[latest] = IShareClass.LockupLot(uint112(locked - amount), now48, now48, lot.end);
                amount = 0;
            }
        }
        assembly ("memory-safe") {
            mstore(pieces, k)
        }
        prune(account, lots, t);
    }

    function _setSummary(
        HolderAccount memory account,
        mapping(uint256 => IShareClass.LockupLot) storage lots,
        uint256 kept,
        uint256 sum,
        uint48 end
    ) private view {
        if (kept == 0) {
            _clear(account);
            return;
        }
        account.lotSum = uint112(sum);
        account.lotsEnd = end;
        // a single plain lot lives inline
        account.lotCount = (kept == 1 && lots[0].start == lots[0].end) ? 0 : uint8(kept);
    }

    function _clear(HolderAccount memory account) private pure {
        account.lotSum = 0;
        account.lotsEnd = 0;
        account.lotCount = 0;
    }
}
