// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {ICategoryRules} from "../interfaces/ICategoryRules.sol";
import {IHolderRegistry} from "../interfaces/IHolderRegistry.sol";
import {IShareClass} from "../interfaces/IShareClass.sol";
import {CategoryRules} from "./CategoryRules.sol";
import {HolderRecord, HolderRecordLibrary} from "./HolderRecord.sol";

/// @title The qualified-holder registry of one offering
/// @notice Wallet -> investor id, jurisdiction, qualification expiry, accreditation and frozen
/// flag, one storage slot per wallet (see {HolderRecord}). The registrar (the issuer's account)
/// keeps it; the admin (the offering's timelock) grants and revokes the registrar role.
///
/// The registry also knows the offering's class tokens (bound once by the deployer): a wallet
/// that holds shares of any of them cannot be re-added under another investor id, so every
/// holding wallet counts for the investor it belongs to and the tokens' holder counts stay exact.
///
/// Categories (SPEC §15) live in the same record, with their own expiry; the per-class category
/// rules and counts are {CategoryRules}'. Multicall lets the registrar add a holder and set its
/// category in one transaction.
contract HolderRegistry is IHolderRegistry, CategoryRules, AccessControl, Multicall {
    /// @notice May add, update, remove, freeze and unfreeze holders.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @notice The most class tokens one offering may bind (the toolkit's and the votes source's limit).
    uint256 public constant MAX_CLASSES = 8;

    mapping(address wallet => HolderRecord record) private _records;
    mapping(bytes16 investorId => uint32 index) private _investorIndex;
    uint32 private _investorCount;
    address[] private _classTokens;

    /// @param admin gets DEFAULT_ADMIN_ROLE (the deployer, who hands it to the timelock)
    /// @param registrar gets REGISTRAR_ROLE (the issuer's day-to-day account)
    constructor(address admin, address registrar) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REGISTRAR_ROLE, registrar);
    }

    /// @inheritdoc IHolderRegistry
    function addHolder(address wallet, bytes16 investorId, bytes2 jurisdiction, uint40 expiresAt, bool accredited)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        _addHolder(wallet, investorId, jurisdiction, expiresAt, accredited);
    }

    /// @inheritdoc IHolderRegistry
    function addHolders(
        address[] calldata wallets,
        bytes16[] calldata investorIds,
        bytes2[] calldata jurisdictions,
        uint40[] calldata expiresAt,
        bool[] calldata accredited
    ) external onlyRole(REGISTRAR_ROLE) {
        uint256 n = wallets.length;
        if (investorIds.length != n) revert BatchLengthMismatch(n, investorIds.length);
        if (jurisdictions.length != n) revert BatchLengthMismatch(n, jurisdictions.length);
        if (expiresAt.length != n) revert BatchLengthMismatch(n, expiresAt.length);
        if (accredited.length != n) revert BatchLengthMismatch(n, accredited.length);
        for (uint256 i = 0; i < n; ++i) {
            _addHolder(wallets[i], investorIds[i], jurisdictions[i], expiresAt[i], accredited[i]);
        }
    }

    /// @inheritdoc IHolderRegistry
    function updateHolder(address wallet, bytes2 jurisdiction, uint40 expiresAt, bool accredited)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        HolderRecord record = _records[wallet];
        if (!record.isRegistered()) revert HolderNotRegistered(wallet);
        if (!HolderRecordLibrary.isValidJurisdiction(jurisdiction)) revert InvalidJurisdiction(jurisdiction);
        bytes16 investorId = record.investorId();
        _records[wallet] = HolderRecordLibrary.pack(
            investorId, jurisdiction, expiresAt, accredited, record.frozen(), record.investorIndex()
        ).withCategory(record.category(), record.categoryUntil());
        emit HolderUpdated(wallet, investorId, jurisdiction, expiresAt, accredited);
    }

    /// @inheritdoc IHolderRegistry
    function removeHolder(address wallet) external onlyRole(REGISTRAR_ROLE) {
        HolderRecord record = _records[wallet];
        if (!record.isRegistered()) revert HolderNotRegistered(wallet);
        // The frozen flag survives (a frozen wallet stays frozen when it is unregistered), and so
        // does the investor index, which a later {addHolder} compares with the new investor's.
        _records[wallet] = record.removed();
        emit HolderRemoved(wallet, record.investorId());
    }

    /// @inheritdoc IHolderRegistry
    function bindClasses(address[] calldata tokens) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_classTokens.length != 0) revert ClassesAlreadyBound();
        uint256 n = tokens.length;
        if (n > MAX_CLASSES) revert TooManyClasses(n, MAX_CLASSES);
        for (uint256 i = 0; i < n; ++i) {
            address token = tokens[i];
            if (token.code.length == 0 || address(IShareClass(token).registry()) != address(this)) {
                revert InvalidClassToken(token);
            }
            _classTokens.push(token);
        }
        emit ClassesBound(tokens);
    }

    /// @inheritdoc ICategoryRules
    function setCategory(address wallet, uint8 category, uint32 until) external onlyRole(REGISTRAR_ROLE) {
        HolderRecord record = _records[wallet];
        if (!record.isRegistered()) revert HolderNotRegistered(wallet);
        if (category > HolderRecordLibrary.MAX_CATEGORY) revert InvalidCategory(category);
        _records[wallet] = record.withCategory(category, until);
        _recount(_classTokens, record.investorIndex(), category);
        emit HolderCategorySet(wallet, record.investorId(), category, until);
    }

    /// @inheritdoc ICategoryRules
    function setCategoryRules(address token, CategoryRuleSet calldata rules) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_isBound(token)) revert InvalidClassToken(token);
        if (_setCategoryRules(token, rules, IShareClass(token).holderCount())) {
            IShareClass(token).enableCategoryRules();
        }
    }

    /// @inheritdoc ICategoryRules
    function categoryOf(address wallet) external view returns (uint8 category, uint32 until) {
        HolderRecord record = _records[wallet];
        return (record.category(), record.categoryUntil());
    }

    /// @inheritdoc IHolderRegistry
    function setFrozen(address wallet, bool frozen) external onlyRole(REGISTRAR_ROLE) {
        if (wallet == address(0)) revert InvalidWallet(wallet);
        _records[wallet] = _records[wallet].withFrozen(frozen);
        emit HolderFrozen(wallet, frozen);
    }

    /// @inheritdoc IHolderRegistry
    function holderOf(address wallet)
        external
        view
        returns (bytes16 investorId, bytes2 jurisdiction, uint40 expiresAt, bool accredited, bool frozen)
    {
        HolderRecord record = _records[wallet];
        return (record.investorId(), record.jurisdiction(), record.expiresAt(), record.accredited(), record.frozen());
    }

    /// @inheritdoc IHolderRegistry
    function investorOf(address wallet) external view returns (bytes16) {
        return _records[wallet].investorId();
    }

    /// @inheritdoc IHolderRegistry
    function isQualified(address wallet) external view returns (bool) {
        HolderRecord record = _records[wallet];
        return record.isRegistered() && block.timestamp < record.expiresAt();
    }

    /// @inheritdoc IHolderRegistry
    function investorIndexOf(bytes16 investorId) external view returns (uint32) {
        return _investorIndex[investorId];
    }

    /// @inheritdoc IHolderRegistry
    function investorCount() external view returns (uint32) {
        return _investorCount;
    }

    /// @inheritdoc IHolderRegistry
    function classTokens() external view returns (address[] memory) {
        return _classTokens;
    }

    /// @inheritdoc IHolderRegistry
    function recordOf(address wallet) external view returns (HolderRecord) {
        return _records[wallet];
    }

    /// @inheritdoc IHolderRegistry
    function recordsOf(address a, address b) external view returns (HolderRecord, HolderRecord) {
        return (_records[a], _records[b]);
    }

    /// @inheritdoc IHolderRegistry
    function recordsOfBatch(address[] calldata wallets) external view returns (HolderRecord[] memory records) {
        records = new HolderRecord[](wallets.length);
        for (uint256 i = 0; i < wallets.length; ++i) {
            records[i] = _records[wallets[i]];
        }
    }

    function _addHolder(address wallet, bytes16 investorId, bytes2 jurisdiction, uint40 expiresAt, bool accredited)
        private
    {
        if (wallet == address(0)) revert InvalidWallet(wallet);
        if (investorId == bytes16(0)) revert InvalidInvestorId(investorId);
        if (!HolderRecordLibrary.isValidJurisdiction(jurisdiction)) revert InvalidJurisdiction(jurisdiction);
        HolderRecord record = _records[wallet];
        if (record.isRegistered()) revert HolderAlreadyRegistered(wallet, record.investorId());
        uint32 index = _investorIndex[investorId];
        if (index == 0) {
            index = ++_investorCount;
            _investorIndex[investorId] = index;
        }
        uint32 previous = record.investorIndex();
        if (previous != 0 && previous != index) _requireNoShares(wallet);
        _records[wallet] =
            HolderRecordLibrary.pack(investorId, jurisdiction, expiresAt, accredited, record.frozen(), index);
        emit HolderAdded(wallet, investorId, jurisdiction, expiresAt, accredited);
    }

    function _recordOf(address wallet) internal view override returns (HolderRecord) {
        return _records[wallet];
    }

    function _isBound(address token) private view returns (bool) {
        uint256 n = _classTokens.length;
        for (uint256 i = 0; i < n; ++i) {
            if (_classTokens[i] == token) return true;
        }
        return false;
    }

    /// @dev Refuse a re-key of `wallet` while it holds shares of a bound class token.
    function _requireNoShares(address wallet) private view {
        uint256 n = _classTokens.length;
        for (uint256 i = 0; i < n; ++i) {
            address token = _classTokens[i];
            if (IERC20(token).balanceOf(wallet) != 0) revert WalletHoldsShares(wallet, token);
        }
    }
}
