// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IShareClass} from "./IShareClass.sol";

/// @title Conversion of one share class into another at a fixed ratio (SPEC §14)
/// @notice A holder converts their own shares ({convert}); a mandatory conversion of a whole class
/// is switched on by governance ({mandate}) and then carried out in batches by anyone
/// ({convertHolders}). The shares of the source class are redeemed and the target class issues
/// `shares * ratioNumerator / ratioDenominator` base units to the same wallet, lock-ups and vesting
/// carried over, under the target class's issuance rules (codes 3-6, 9-11).
interface IConverter {
    /// @notice `shares` of `holder` cannot convert: restriction `code` (the target class's
    /// issuance codes of SPEC §8, 7 for a balance too small, 30 when they would not make whole
    /// base units of the target class).
    error ConversionRestricted(uint8 code, address holder, uint256 shares);
    /// @notice {convertHolders} before governance mandated the conversion of the class.
    error ConversionNotMandated();
    /// @notice The ratio needs a non-zero numerator and denominator, and two different classes.
    error InvalidConversionTerms();

    /// @notice `holder` converted `shares` base units of the source class into `converted` base
    /// units of the target class (`mandatory`: in governance's conversion of the whole class).
    event SharesConverted(address indexed holder, uint256 shares, uint256 converted, bool mandatory);
    /// @notice A mandatory batch left `holder` unconverted: the target class refuses them (`code`).
    event ConversionSkipped(address indexed holder, uint8 code, uint256 shares);
    /// @notice Governance mandated the conversion of every holder of the source class.
    event ConversionMandated();

    /// @notice Convert `shares` base units of the caller's source-class shares: unlocked shares
    /// first, then locked ones (latest release first, as {IShareClass-redeem} takes them), each
    /// locked piece issued in the target class on the schedule it had. Anyone, for their own shares.
    /// Emits {SharesConverted}. Returns the target-class base units received.
    function convert(uint256 shares) external returns (uint256 converted);

    /// @notice Convert the whole balance of each of `holders` (after {mandate}); a holder the
    /// target class refuses is skipped ({ConversionSkipped}), an empty one passed over, so a batch
    /// may be sent again. Anyone. Returns how many holders were converted.
    function convertHolders(address[] calldata holders) external returns (uint256 converted);

    /// @notice Mandate the conversion of the whole source class. DEFAULT_ADMIN_ROLE (the timelock).
    /// `source` and `target` must be this converter's classes ({InvalidConversionTerms}): naming
    /// them lets the governor require the consent of either class (issue 11, `convert-all`).
    /// Emits {ConversionMandated}.
    function mandate(IShareClass source, IShareClass target) external;

    /// @notice The restriction a conversion of `shares` of `holder` would meet now (0: none).
    function restrictionOf(address holder, uint256 shares) external view returns (uint8);

    /// @notice The target-class base units `shares` source-class base units convert into
    /// (rounded down; {restrictionOf} says 30 when not exact).
    function convertedAmount(uint256 shares) external view returns (uint256);

    /// @notice The class converted from.
    function source() external view returns (IShareClass);

    /// @notice The class converted into.
    function target() external view returns (IShareClass);

    /// @notice Target base units per `ratioDenominator` source base units.
    function ratioNumerator() external view returns (uint256);

    /// @notice See {ratioNumerator}.
    function ratioDenominator() external view returns (uint256);

    /// @notice True once governance mandated the conversion of the whole class.
    function mandated() external view returns (bool);
}
