// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HolderRecord} from "../registry/HolderRecord.sol";
import {ICategoryRules} from "./ICategoryRules.sol";
import {IOfferingErrors} from "./IOfferingErrors.sol";

/// @title The qualified-holder registry of one offering
/// @notice Maps wallets to investors (several wallets may belong to one investor) with the
/// investor's jurisdiction, qualification expiry, accreditation and a per-wallet frozen flag.
/// Every class token of the offering reads it on every transfer. It also keeps each wallet's
/// investor category and the per-class category rules ({ICategoryRules}).
interface IHolderRegistry is IOfferingErrors, ICategoryRules {
    /// @notice `wallet` was registered for `investorId`.
    event HolderAdded(
        address indexed wallet, bytes16 indexed investorId, bytes2 jurisdiction, uint40 expiresAt, bool accredited
    );
    /// @notice The jurisdiction, expiry or accreditation of `wallet` changed.
    event HolderUpdated(
        address indexed wallet, bytes16 indexed investorId, bytes2 jurisdiction, uint40 expiresAt, bool accredited
    );
    /// @notice `wallet` is no longer registered (its frozen flag, if set, is kept).
    event HolderRemoved(address indexed wallet, bytes16 indexed investorId);
    /// @notice `wallet` was frozen (`frozen` true) or unfrozen.
    event HolderFrozen(address indexed wallet, bool frozen);
    /// @notice The offering's class tokens were bound to the registry (once, at deployment).
    event ClassesBound(address[] tokens);

    /// @notice The wallet is the zero address.
    error InvalidWallet(address wallet);
    /// @notice The investor id is zero (zero means "not registered").
    error InvalidInvestorId(bytes16 investorId);
    /// @notice The wallet is already registered (to `investorId`); update or remove it first.
    error HolderAlreadyRegistered(address wallet, bytes16 investorId);
    /// @notice The wallet is not registered.
    error HolderNotRegistered(address wallet);
    /// @notice `wallet` was registered under another investor and still holds shares of
    /// `classToken`: re-keying it would leave them counted for its old investor. Move or redeem its
    /// shares first, or add it again under its old investor id.
    error WalletHoldsShares(address wallet, address classToken);
    /// @notice The class tokens are bound already (binding happens once, at deployment).
    error ClassesAlreadyBound();
    /// @notice `token` is not a class token that reads this registry.
    error InvalidClassToken(address token);
    /// @notice At most `max` class tokens may be bound.
    error TooManyClasses(uint256 count, uint256 max);

    /// @notice Register `wallet` for `investorId`. REGISTRAR_ROLE. Emits {HolderAdded}. A wallet
    /// last registered under another investor id is refused with {WalletHoldsShares} while it holds
    /// shares of any bound class token (so every holding wallet counts for the investor it belongs to).
    function addHolder(address wallet, bytes16 investorId, bytes2 jurisdiction, uint40 expiresAt, bool accredited)
        external;

    /// @notice Register several wallets at once; all arrays have the same length. REGISTRAR_ROLE.
    /// Emits one {HolderAdded} per wallet; reverts whole on any bad entry.
    function addHolders(
        address[] calldata wallets,
        bytes16[] calldata investorIds,
        bytes2[] calldata jurisdictions,
        uint40[] calldata expiresAt,
        bool[] calldata accredited
    ) external;

    /// @notice Change the jurisdiction, expiry and accreditation of a registered wallet (its investor
    /// id and frozen flag are kept). REGISTRAR_ROLE. Emits {HolderUpdated}.
    function updateHolder(address wallet, bytes2 jurisdiction, uint40 expiresAt, bool accredited) external;

    /// @notice Unregister `wallet`: it can no longer receive shares. Its frozen flag and investor
    /// index stay in its record. REGISTRAR_ROLE. Emits {HolderRemoved}.
    function removeHolder(address wallet) external;

    /// @notice Tell the registry the offering's class tokens (at most 8), whose balances it checks
    /// before re-keying a wallet. Once only, by DEFAULT_ADMIN_ROLE (the deployer, before it hands
    /// the role to the timelock). Emits {ClassesBound}.
    function bindClasses(address[] calldata tokens) external;

    /// @notice The bound class tokens.
    function classTokens() external view returns (address[] memory);

    /// @notice Freeze or unfreeze `wallet` (registered or not). REGISTRAR_ROLE. Emits {HolderFrozen}.
    function setFrozen(address wallet, bool frozen) external;

    /// @notice The record of `wallet`; `investorId` is zero when it is not registered.
    function holderOf(address wallet)
        external
        view
        returns (bytes16 investorId, bytes2 jurisdiction, uint40 expiresAt, bool accredited, bool frozen);

    /// @notice The investor id of `wallet`, zero when it is not registered.
    function investorOf(address wallet) external view returns (bytes16);

    /// @notice True when `wallet` is registered and its qualification has not expired
    /// (`block.timestamp < expiresAt`). A frozen wallet can still be qualified.
    function isQualified(address wallet) external view returns (bool);

    /// @notice The dense index (1, 2, ...) the registry gave `investorId` when its first wallet was
    /// added; 0 if it never had a wallet. Indices are never reused.
    function investorIndexOf(bytes16 investorId) external view returns (uint32);

    /// @notice How many distinct investor ids were ever registered.
    function investorCount() external view returns (uint32);

    /// @notice The packed record word of `wallet` (layout in `HolderRecord.sol`), for class tokens.
    function recordOf(address wallet) external view returns (HolderRecord);

    /// @notice The packed record words of two wallets in one call, for class tokens.
    function recordsOf(address a, address b) external view returns (HolderRecord, HolderRecord);

    /// @notice The packed record words of many wallets in one call, for batch issuance.
    function recordsOfBatch(address[] calldata wallets) external view returns (HolderRecord[] memory);
}
