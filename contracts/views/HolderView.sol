// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IShareClass} from "../interfaces/IShareClass.sol";

/// @title How much a holder can sell now, and when more unlocks
/// @notice A stateless view over any class token's lock-up lots (SPEC §12, issue 13 point 3):
/// the holder's balance, the shares still locked, the shares transferable now (what no lock-up
/// holds back) and the next unlock: when, and how many more shares are transferable then.
/// It reads the token's `balanceOf` and `lockupLotsOf` and applies the token's own rule for what a
/// lot still locks ({lockedAt}), so `locked` always equals the token's `lockedBalanceOf`.
///
/// The next unlock is the earliest of each lot's next release:
/// - a plain lock-up (`start == cliff == end`) releases everything at `end`;
/// - a vesting lot before its cliff releases what has vested by then at the cliff (if anything);
/// - a vesting lot that vests continuously is counted in whole UTC days: its next release is the
///   first midnight (UTC) by which at least one more base unit has vested, or its `end` if sooner.
/// The shares of the next unlock are what becomes transferable by that moment, from every lot
/// (a vesting lot keeps vesting until a sooner plain release, and that part counts too).
/// Transfer rules other than lock-ups (pause, frozen wallets, receiver qualification, holding
/// periods) are the restriction code's business (`detectTransferRestriction`), not this view's.
///
/// Deployed once per offering by the toolkit (`holder_view` in the deployment record); any class
/// token of any offering may be passed to it.
contract HolderView {
    /// @notice Continuous vesting is counted in whole days of this length (UTC midnights).
    uint256 public constant DAY = 1 days;

    /// @notice A holder's position in one class at one moment (share amounts in base units).
    /// `nextUnlockAt` is 0 (and `nextUnlockShares` 0) when nothing is locked.
    struct Sellable {
        uint256 balance;
        uint256 locked;
        uint256 transferable;
        uint64 nextUnlockAt;
        uint256 nextUnlockShares;
    }

    /// @notice What `holder` may transfer of `token` now, and its next unlock.
    function sellableOf(IShareClass token, address holder) external view returns (Sellable memory) {
        return sellableAt(token.lockupLotsOf(holder), IERC20(address(token)).balanceOf(holder), block.timestamp);
    }

    /// @notice The same for a holder of `balance` with these `lots`, at time `t` (unix seconds).
    function sellableAt(IShareClass.LockupLot[] memory lots, uint256 balance, uint256 t)
        public
        pure
        returns (Sellable memory position)
    {
        uint256 next = type(uint256).max;
        for (uint256 i = 0; i < lots.length; ++i) {
            position.locked += lockedAt(lots[i], t);
            uint256 release = nextReleaseOf(lots[i], t);
            if (release != 0 && release < next) next = release;
        }
        position.balance = balance;
        position.transferable = _free(balance, position.locked);
        if (next == type(uint256).max) return position;
        uint256 lockedThen;
        for (uint256 i = 0; i < lots.length; ++i) {
            lockedThen += lockedAt(lots[i], next);
        }
        position.nextUnlockAt = uint64(next);
        position.nextUnlockShares = _free(balance, lockedThen) - position.transferable;
    }

    /// @notice The shares `lot` still locks at time `t`: the token's rule (`LockupBook.lockedOf`),
    /// the vested part rounded down.
    function lockedAt(IShareClass.LockupLot memory lot, uint256 t) public pure returns (uint256) {
        if (t >= lot.end) return 0;
        if (t < lot.cliff) return lot.amount;
        return lot.amount - (uint256(lot.amount) * (t - lot.start)) / (lot.end - lot.start);
    }

    /// @notice When `lot` next releases shares after time `t` (see the contract's notice for the
    /// rule); 0 when it locks nothing any more.
    function nextReleaseOf(IShareClass.LockupLot memory lot, uint256 t) public pure returns (uint256) {
        if (t >= lot.end || lot.amount == 0) return 0;
        if (lot.start == lot.end) return lot.end;
        uint256 duration = lot.end - lot.start;
        uint256 released = lot.amount - lockedAt(lot, t);
        // the first second at which one more base unit has vested (after `t` whenever t >= cliff)
        uint256 vested = lot.start + Math.ceilDiv((released + 1) * duration, lot.amount);
        if (vested <= lot.cliff) return lot.cliff; // released at once by the cliff
        return Math.min(Math.ceilDiv(vested, DAY) * DAY, lot.end);
    }

    function _free(uint256 balance, uint256 locked) private pure returns (uint256) {
        return balance > locked ? balance - locked : 0;
    }
}
