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
/// have ended, plain lots with the same release time merge, and at most {MAX_LOTS} lots may be live
/// (beyond that, {IShareClass-TooManyLockupLots}). So a lock-up check reads at most {MAX_LOTS} slots.
///
/// @dev A linked library: the lock-up checks a transfer needs ({lockedAt}) are internal and compiled
/// into the token; the bookkeeping of issuance with a second lot, forced transfers, redemptions and
/// recoveries ({add}, {addAll}, {release}) and the {live} view are external, run by DELEGATECALL
/// on the token's storage, and keep the token's code small. Each takes the wallet's account word
/// and returns it updated (delegation and counted index untouched): the caller stores it.
library LockupBook {
    /// @notice The most live lock-up lots a wallet may have in one class.
    uint256 internal constant MAX_LOTS = 16;

    /// @dev The summary fields of an account, as a memory struct the algorithms below update.
    struct Summary {
        uint112 lotSum;
        uint48 lotsEnd;
        uint8 lotCount;
    }

    // ------------------------------------------------------------------ internal (in the token)

    /// @dev The shares of `lot` still locked at time `t`. Vesting rounds the vested part down.
    function lockedOf(IShareClass.LockupLot memory lot, uint256 t) internal pure returns (uint256) {
        if (t >= lot.end) return 0;
        if (t < lot.cliff) return lot.amount;
        // here start <= cliff <= t < end, so end > start
        return lot.amount - (uint256(lot.amount) * (t - lot.start)) / (lot.end - lot.start);
    }

    /// @dev The shares locked at time `t` (`t` not before the last pruning).
    function lockedAt(HolderAccount account, mapping(uint256 => IShareClass.LockupLot) storage lots, uint256 t)
        internal
        view
        returns (uint256 locked)
    {
        uint256 sum = account.lotSum();
        if (sum == 0 || t >= account.lotsEnd()) return 0;
        uint256 n = account.lotCount();
        if (n == 0) return sum;
        for (uint256 i = 0; i < n; ++i) {
            locked += lockedOf(lots[i], t);
        }
    }

    /// @dev True for a packed lot (the {IShareClass-LockupLot} storage layout) with start == end.
    function isPlain(uint256 packedLot) internal pure returns (bool) {
        return uint48(packedLot >> 112) == uint48(packedLot >> 208);
    }

    // ------------------------------------------------------------------ external (linked)

    /// @notice The live lots at time `t`, the inline one included.
    function live(HolderAccount account, mapping(uint256 => IShareClass.LockupLot) storage lots, uint256 t)
        external
        view
        returns (IShareClass.LockupLot[] memory result)
    {
        Summary memory s = _load(account);
        if (s.lotSum == 0 || t >= s.lotsEnd) return new IShareClass.LockupLot[](0);
        uint256 n = s.lotCount;
        if (n == 0) {
            result = new IShareClass.LockupLot[](1);
            result[0] = IShareClass.LockupLot(s.lotSum, s.lotsEnd, s.lotsEnd, s.lotsEnd);
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

    /// @notice Add a lot given packed as in storage (with an end after `t`); see {addAll}.
    function add(
        HolderAccount account,
        mapping(uint256 => IShareClass.LockupLot) storage lots,
        uint256 packedLot,
        uint256 t,
        address holder
    ) external returns (HolderAccount) {
        IShareClass.LockupLot memory lot = IShareClass.LockupLot(
            uint112(packedLot), uint48(packedLot >> 112), uint48(packedLot >> 160), uint48(packedLot >> 208)
        );
        Summary memory s = _load(account);
        _add(s, lots, lot, t, holder);
        return _store(account, s);
    }

    /// @notice Add `added` lots (each ending after `t`): prune, merge each with a plain lot of the
    /// same release time, or append; reverts with {IShareClass-TooManyLockupLots} beyond
    /// {MAX_LOTS} live lots.
    function addAll(
        HolderAccount account,
        mapping(uint256 => IShareClass.LockupLot) storage lots,
        IShareClass.LockupLot[] memory added,
        uint256 t,
        address holder
    ) external returns (HolderAccount) {
        Summary memory s = _load(account);
        for (uint256 i = 0; i < added.length; ++i) {
            _add(s, lots, added[i], t, holder);
        }
        return _store(account, s);
    }

    /// @notice Before `amount` of `balance` leaves the wallet by redemption, forced transfer or
    /// recovery: take the part its unlocked shares do not cover out of the lots, and return it
    /// (see {_take} for how the pieces keep their schedule).
    function release(
        HolderAccount account,
        mapping(uint256 => IShareClass.LockupLot) storage lots,
        uint256 amount,
        uint256 balance,
        uint256 t
    ) external returns (HolderAccount, IShareClass.LockupLot[] memory pieces) {
        uint256 locked = lockedAt(account, lots, t);
        uint256 unlocked = balance > locked ? balance - locked : 0;
        Summary memory s = _load(account);
        pieces = _take(s, lots, amount > unlocked ? amount - unlocked : 0, t);
        return (_store(account, s), pieces);
    }

    // ------------------------------------------------------------------ private

    function _load(HolderAccount account) private pure returns (Summary memory) {
        return Summary(account.lotSum(), account.lotsEnd(), account.lotCount());
    }

    function _store(HolderAccount account, Summary memory s) private pure returns (HolderAccount) {
        return account.withLots(s.lotSum, s.lotsEnd, s.lotCount);
    }

    function _add(
        Summary memory s,
        mapping(uint256 => IShareClass.LockupLot) storage lots,
        IShareClass.LockupLot memory lot,
        uint256 t,
        address holder
    ) private {
        _prune(s, lots, t);
        bool plain = lot.start == lot.end;
        uint256 n = s.lotCount;
        if (n == 0) {
            if (s.lotSum == 0) {
                if (plain) {
                    s.lotSum = lot.amount;
                    s.lotsEnd = lot.end;
                    return;
                }
            } else if (plain && s.lotsEnd == lot.end) {
                s.lotSum += lot.amount;
                return;
            } else {
                // move the inline lot into the array
                uint48 end = s.lotsEnd;
                lots[0] = IShareClass.LockupLot(s.lotSum, end, end, end);
                n = 1;
            }
        } else if (plain) {
            for (uint256 i = 0; i < n; ++i) {
                IShareClass.LockupLot storage existing = lots[i];
                if (existing.start == existing.end && existing.end == lot.end) {
                    existing.amount += lot.amount;
                    s.lotSum += lot.amount;
                    return;
                }
            }
        }
        if (n >= MAX_LOTS) revert IShareClass.TooManyLockupLots(holder, MAX_LOTS);
        lots[n] = lot;
        s.lotCount = uint8(n + 1);
        s.lotSum += lot.amount;
        if (lot.end > s.lotsEnd) s.lotsEnd = lot.end;
    }

    /// @dev Drop the lots that have ended by `t` (or were emptied); a single remaining plain lot
    /// moves inline.
    function _prune(Summary memory s, mapping(uint256 => IShareClass.LockupLot) storage lots, uint256 t) private {
        if (s.lotSum == 0) return;
        if (t >= s.lotsEnd) {
            _clear(s);
            return;
        }
        uint256 n = s.lotCount;
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
        if (kept == 0) {
            _clear(s);
            return;
        }
        s.lotSum = uint112(sum);
        s.lotsEnd = end;
        // a single plain lot lives inline
        s.lotCount = (kept == 1 && lots[0].start == lots[0].end) ? 0 : uint8(kept);
    }

    /// @dev Remove `amount` locked shares (at most the locked balance at `t`), taking the lots with
    /// the latest end first, and return them as lots that keep the remaining schedule: a lot taken
    /// whole moves unchanged; a lot split before its cliff keeps its schedule; a lot split while
    /// vesting is rebased to start at `t` with what is still locked, so both halves keep releasing
    /// in proportion until the same end.
    function _take(
        Summary memory s,
        mapping(uint256 => IShareClass.LockupLot) storage lots,
        uint256 amount,
        uint256 t
    ) private returns (IShareClass.LockupLot[] memory pieces) {
        _prune(s, lots, t);
        if (amount == 0 || s.lotSum == 0) return pieces;
        uint256 n = s.lotCount;
        if (n == 0) {
            // the inline plain lot
            uint48 end = s.lotsEnd;
            if (amount > s.lotSum) amount = s.lotSum;
            pieces = new IShareClass.LockupLot[](1);
            pieces[0] = IShareClass.LockupLot(uint112(amount), end, end, end);
            s.lotSum -= uint112(amount);
            if (s.lotSum == 0) s.lotsEnd = 0;
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
        _prune(s, lots, t);
    }

    function _clear(Summary memory s) private pure {
        s.lotSum = 0;
        s.lotsEnd = 0;
        s.lotCount = 0;
    }
}
