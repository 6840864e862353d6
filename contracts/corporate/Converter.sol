// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IConverter} from "../interfaces/IConverter.sol";
import {IShareClass} from "../interfaces/IShareClass.sol";
import {LockupBook} from "../token/LockupBook.sol";

/// @title Conversion of one share class into another (SPEC §14, issue 15)
/// @notice One per conversion route of an offering (the offering file's `converts_to` and
/// `conversion_ratio` of the source class), its terms immutable. It holds, on the source class,
/// the right to redeem (burn) and, on the target class, the right to issue; governance (the
/// timelock, or the deployer before it hands the tokens over) grants both. Nobody has a role on
/// this contract but the timelock, whose one power is {mandate}: the issuer cannot move shares
/// through it, so a conversion is never the issuer's hand (the holder converts their own shares,
/// or governance converts the class).
///
/// Lock-ups carry over: the shares leave the source class as its {IShareClass-redeem} takes them
/// (unlocked first, then locked, the lot with the latest end first) and each locked piece is issued
/// in the target class on the schedule it had (a vesting lot already past its cliff is issued from
/// now to its end with what is still locked: the same line). Each locked piece rounds down to whole
/// target base units; the rest of the converted amount is issued unlocked, so the holder receives
/// exactly `shares * ratioNumerator / ratioDenominator`.
contract Converter is IConverter, AccessControl {
    /// @notice The restriction code of a conversion that would not make whole target base units.
    uint8 public constant FRACTIONAL_CONVERSION = 30;
    uint8 private constant _INSUFFICIENT_BALANCE = 7;

    IShareClass private immutable _source;
    IShareClass private immutable _target;
    uint256 private immutable _numerator;
    uint256 private immutable _denominator;
    bool private _mandated;

    /// @param source_ the class converted from; `target_` the class converted into
    /// @param numerator target base units per `denominator` source base units (the offering file's
    /// ratio with both classes' decimals applied)
    /// @param admin DEFAULT_ADMIN_ROLE: the offering's timelock
    constructor(IShareClass source_, IShareClass target_, uint256 numerator, uint256 denominator, address admin) {
        if (numerator == 0 || denominator == 0 || source_ == target_) revert InvalidConversionTerms();
        _source = source_;
        _target = target_;
        _numerator = numerator;
        _denominator = denominator;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IConverter
    function convert(uint256 shares) external returns (uint256 converted) {
        if (shares == 0 || mulmod(shares, _numerator, _denominator) != 0) {
            revert ConversionRestricted(shares == 0 ? _INSUFFICIENT_BALANCE : FRACTIONAL_CONVERSION, msg.sender, shares);
        }
        converted = (shares * _numerator) / _denominator;
        _convert(msg.sender, shares, converted);
        emit SharesConverted(msg.sender, shares, converted, false);
    }

    /// @inheritdoc IConverter
    function convertHolders(address[] calldata holders) external returns (uint256 count) {
        if (!_mandated) revert ConversionNotMandated();
        for (uint256 i = 0; i < holders.length; ++i) {
            address holder = holders[i];
            uint256 shares = IERC20(address(_source)).balanceOf(holder);
            // a holder with nothing (converted already, or never a holder) is passed over: shares
            // sent to it first would only be converted with the rest, which is its right anyway
            // slither-disable-next-line incorrect-equality
            if (shares == 0) continue;
            uint8 code = _restriction(holder, shares, shares);
            if (code != 0) {
                emit ConversionSkipped(holder, code, shares);
                continue;
            }
            uint256 converted = (shares * _numerator) / _denominator;
            _convert(holder, shares, converted);
            emit SharesConverted(holder, shares, converted, true);
            ++count;
        }
    }

    /// @inheritdoc IConverter
    function mandate(IShareClass source_, IShareClass target_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        // the two classes are named in the call so that a class's consent (the governor matches
        // a protected call by the class tokens among its arguments) covers its conversion
        if (source_ != _source || target_ != _target) revert InvalidConversionTerms();
        _mandated = true;
        emit ConversionMandated();
    }

    /// @inheritdoc IConverter
    function restrictionOf(address holder, uint256 shares) external view returns (uint8) {
        return _restriction(holder, shares, IERC20(address(_source)).balanceOf(holder));
    }

    /// @inheritdoc IConverter
    function convertedAmount(uint256 shares) external view returns (uint256) {
        return (shares * _numerator) / _denominator;
    }

    /// @inheritdoc IConverter
    function source() external view returns (IShareClass) {
        return _source;
    }

    /// @inheritdoc IConverter
    function target() external view returns (IShareClass) {
        return _target;
    }

    /// @inheritdoc IConverter
    function ratioNumerator() external view returns (uint256) {
        return _numerator;
    }

    /// @inheritdoc IConverter
    function ratioDenominator() external view returns (uint256) {
        return _denominator;
    }

    /// @inheritdoc IConverter
    function mandated() external view returns (bool) {
        return _mandated;
    }

    /// @dev Code 7 when `shares` exceed `balance`, 30 when they make a fraction, else the target
    /// class's issuance code for the converted amount.
    function _restriction(address holder, uint256 shares, uint256 balance) private view returns (uint8) {
        // `shares == 0` tests the amount asked for, not a balance
        // slither-disable-next-line incorrect-equality
        if (shares == 0 || shares > balance) return _INSUFFICIENT_BALANCE;
        if (mulmod(shares, _numerator, _denominator) != 0) return FRACTIONAL_CONVERSION;
        return _target.detectTransferRestriction(address(0), holder, (shares * _numerator) / _denominator);
    }

    /// @dev Redeem `shares` of `holder` in the source class and issue `converted` in the target
    /// class, the locked pieces on their schedules. The tokens are the offering's own (immutable
    /// here): nothing else is called.
    function _convert(address holder, uint256 shares, uint256 converted) private {
        uint256 unlocked = _source.unlockedBalanceOf(holder);
        IShareClass.LockupLot[] memory pieces = shares > unlocked
            ? _lockedPieces(_source.lockupLotsOf(holder), shares - unlocked)
            : new IShareClass.LockupLot[](0);
        _source.redeem(holder, shares);
        uint256 issued = 0;
        for (uint256 i = 0; i < pieces.length; ++i) {
            IShareClass.LockupLot memory piece = pieces[i];
            uint256 amount = (uint256(piece.amount) * _numerator) / _denominator;
            if (amount == 0) continue;
            issued += amount;
            if (piece.start == piece.end) {
                _target.issue(holder, amount, piece.end);
            } else {
                _target.issueVested(holder, amount, piece.start, piece.cliff, piece.end);
            }
        }
        if (converted > issued) _target.issue(holder, converted - issued, 0);
    }

    /// @dev The locked pieces that leave with `amount` locked shares, taken as the source token's
    /// redemption takes them (LockupBook's `_take`): the lot with the latest end first (the last
    /// such lot on a tie); a lot not past its cliff keeps its schedule, one already vesting is
    /// rebased to vest from now to its end. Each piece's amount is the locked shares it carries.
    function _lockedPieces(IShareClass.LockupLot[] memory lots, uint256 amount)
        private
        view
        returns (IShareClass.LockupLot[] memory pieces)
    {
        uint256 t = block.timestamp;
        uint256 n = lots.length;
        pieces = new IShareClass.LockupLot[](n);
        uint256 k = 0;
        while (amount != 0) {
            uint256 latest = n;
            uint48 latestEnd = 0;
            for (uint256 i = 0; i < n; ++i) {
                if (lots[i].amount != 0 && lots[i].end >= latestEnd) {
                    latest = i;
                    latestEnd = lots[i].end;
                }
            }
            if (latest == n) break;
            IShareClass.LockupLot memory lot = lots[latest];
            uint256 locked = LockupBook.lockedOf(lot, t);
            uint256 taken = amount < locked ? amount : locked;
            pieces[k++] = t < lot.cliff
                ? IShareClass.LockupLot(uint112(taken), lot.start, lot.cliff, lot.end)
                : IShareClass.LockupLot(uint112(taken), uint48(t), uint48(t), lot.end);
            lots[latest].amount = 0;
            amount -= taken;
        }
        assembly ("memory-safe") {
            mstore(pieces, k)
        }
    }
}
