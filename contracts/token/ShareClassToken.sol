// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IERC1404} from "../interfaces/IERC1404.sol";
import {IHolderRegistry} from "../interfaces/IHolderRegistry.sol";
import {IShareClass} from "../interfaces/IShareClass.sol";
import {HolderRecord} from "../registry/HolderRecord.sol";
import {HolderAccount} from "./HolderAccount.sol";
import {LockupBook} from "./LockupBook.sol";
import {RestrictionCodes} from "./RestrictionCodes.sol";

/// @title One share class of an offering
/// @notice ERC-20 shares with ERC-2612 permits and ERC-5805 votes on a timestamp clock, restricted
/// per SPEC §8 (ERC-1404): a qualified-holder registry, frozen wallets, blocked jurisdictions,
/// lock-up and vesting lots, an investor cap and an authorized-shares cap.
///
/// Every balance change ends in {_settle}: the holder book-keeping, then OpenZeppelin's ERC20 and
/// ERC20Votes update. Transfers, transferFrom and redemptions reach it through {_update}, which
/// enforces {_restriction}, the one view {detectTransferRestriction} answers from; issuance through
/// {_issue}, which enforces {_issuanceCode}, the part of {_restriction} that applies when `from` is
/// zero; the issuer's forced transfers and recoveries apply the receiver's rules themselves.
///
/// Roles: DEFAULT_ADMIN_ROLE (the offering's timelock: caps, jurisdictions, roles), ISSUER_ROLE
/// (issue, redeem, forced transfer, recovery), PAUSER_ROLE (pause, unpause).
///
/// Gas: a holder's lock-up summary and delegation share one slot ({HolderAccount}); the registry
/// answers both wallets of a transfer in one call; the pause flag, the investor cap, the holder
/// count and a filter of the blocked jurisdictions share one slot.
contract ShareClassToken is IShareClass, ERC20, ERC20Permit, ERC20Votes, AccessControl, Pausable, Multicall {
    using HolderRecord for uint256;
    using LockupBook for HolderAccount;

    /// @notice May issue, redeem, force transfers and recover wallets.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @notice May pause and unpause transfers.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice The most live lock-up lots a wallet may have; bounds the gas of a lock-up check.
    uint256 public constant MAX_LOCKUP_LOTS = 16;

    uint8 private constant _DELEGATION_NONE = 0;
    uint8 private constant _DELEGATION_SELF = 1;
    uint8 private constant _DELEGATION_OTHER = 2;
    // Bit offset of `countedIndex` in the HolderAccount word (checked by the storage-layout test).
    uint256 private constant _COUNTED_SHIFT = 176;
    uint256 private constant _FILTER_BITS = 181;

    // These three pack into the slot of Pausable's `_paused` (it is the last base with storage; a
    // test checks the layout), so one read of that slot serves a whole transfer check.
    uint32 private _maxHolders;
    uint32 private _holderCount;
    /// @dev Bit `uint16(code) % 181` is set for every blocked jurisdiction: a clear bit proves a
    /// jurisdiction is not blocked without reading `_blocked`.
    uint184 private _blockedFilter;

    // Offsets of the fields above in that slot (bits); `_paused` is its lowest byte.
    uint256 private constant _MAX_HOLDERS_SHIFT = 8;
    uint256 private constant _HOLDER_COUNT_SHIFT = 40;
    uint256 private constant _FILTER_SHIFT = 72;

    uint256 private _authorized;
    IHolderRegistry private immutable _registry;
    uint8 private immutable _decimals;

    mapping(bytes2 jurisdiction => bool) private _blocked;
    /// @dev How many blocked jurisdictions share each bit of `_blockedFilter`.
    mapping(uint256 bit => uint256 count) private _blockedPerFilterBit;
    /// @dev Wallets with a positive balance per registry investor index, sixteen 16-bit counters a slot.
    mapping(uint256 slot => uint256 counters) private _walletCounts;
    mapping(address wallet => HolderAccount) private _accounts;
    /// @dev The delegatee of a wallet that delegates to another wallet (delegation mode 2).
    mapping(address wallet => address) private _delegatees;
    mapping(address wallet => mapping(uint256 index => LockupLot)) private _lots;

    /// @param name_ token name (also the EIP-712 domain name of permits and delegations)
    /// @param symbol_ token symbol
    /// @param decimals_ decimals of one share (0: whole shares)
    /// @param authorized_ the authorized-shares cap, in base units
    /// @param maxHolders_ the investor cap (0: none)
    /// @param registry_ the offering's holder registry
    /// @param admin gets DEFAULT_ADMIN_ROLE (the deployer, who hands it to the timelock)
    /// @param issuer gets ISSUER_ROLE and PAUSER_ROLE
    constructor(
        string memory name_,
        string memory symbol_,
        uint8 decimals_,
        uint256 authorized_,
        uint32 maxHolders_,
        address registry_,
        address admin,
        address issuer
    ) ERC20(name_, symbol_) ERC20Permit(name_) {
        _decimals = decimals_;
        _registry = IHolderRegistry(registry_);
        _authorized = authorized_;
        _maxHolders = maxHolders_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ISSUER_ROLE, issuer);
        _grantRole(PAUSER_ROLE, issuer);
        emit AuthorizedChanged(0, authorized_);
        emit MaxHoldersChanged(0, maxHolders_);
    }

    // ------------------------------------------------------------------ issuer actions

    /// @inheritdoc IShareClass
    function issue(address to, uint256 amount, uint64 lockedUntil) external onlyRole(ISSUER_ROLE) {
        _issue(to, amount, lockedUntil, lockedUntil, lockedUntil, _registry.recordOf(to));
        emit SharesIssued(to, amount, lockedUntil);
    }

    /// @inheritdoc IShareClass
    function issueBatch(address[] calldata to, uint256[] calldata amounts, uint64[] calldata lockedUntil)
        external
        onlyRole(ISSUER_ROLE)
    {
        uint256 n = to.length;
        if (amounts.length != n) revert BatchLengthMismatch(n, amounts.length);
        if (lockedUntil.length != n) revert BatchLengthMismatch(n, lockedUntil.length);
        uint256[] memory records = _registry.recordsOfBatch(to);
        for (uint256 i = 0; i < n; ++i) {
            uint64 until = lockedUntil[i];
            _issue(to[i], amounts[i], until, until, until, records[i]);
            emit SharesIssued(to[i], amounts[i], until);
        }
    }

    /// @inheritdoc IShareClass
    function issueVested(address to, uint256 amount, uint64 start, uint64 cliff, uint64 end)
        external
        onlyRole(ISSUER_ROLE)
    {
        if (!(start <= cliff && cliff <= end && start < end)) revert InvalidVestingSchedule(start, cliff, end);
        _issue(to, amount, start, cliff, end, _registry.recordOf(to));
        emit SharesIssuedVested(to, amount, start, cliff, end);
    }

    /// @inheritdoc IShareClass
    function redeem(address from, uint256 amount) external onlyRole(ISSUER_ROLE) {
        if (amount == 0) revert InvalidShareAmount(amount);
        uint256 balance = balanceOf(from);
        if (amount > balance) {
            revert TransferRestricted(RestrictionCodes.INSUFFICIENT_BALANCE, from, address(0), amount);
        }
        _releaseLocked(from, amount, balance);
        _burn(from, amount);
        emit SharesRedeemed(from, amount);
    }

    /// @inheritdoc IShareClass
    function forceTransfer(address from, address to, uint256 amount, string calldata reason)
        external
        onlyRole(ISSUER_ROLE)
    {
        if (amount == 0) revert InvalidShareAmount(amount);
        if (from == address(0)) revert ERC20InvalidSender(from);
        uint256 toRecord = _registry.recordOf(to);
        uint256 balance = balanceOf(from);
        uint256 hot = _hotSlot();
        uint8 code = _receiverCode(toRecord, hot);
        if (code == RestrictionCodes.OK && amount > balance) code = RestrictionCodes.INSUFFICIENT_BALANCE;
        if (code == RestrictionCodes.OK && _exceedsHolderCap(from, to, toRecord, amount, balance, hot)) {
            code = RestrictionCodes.HOLDER_LIMIT_REACHED;
        }
        if (code != RestrictionCodes.OK) revert TransferRestricted(code, from, to, amount);
        _moveWithLockups(from, to, amount, balance, toRecord);
        emit ForcedTransfer(from, to, amount, reason);
    }

    /// @inheritdoc IShareClass
    function recover(address lostWallet, address newWallet) external onlyRole(ISSUER_ROLE) {
        (uint256 lostRecord, uint256 newRecord) = _registry.recordsOf(lostWallet, newWallet);
        HolderAccount memory lost = _account(lostWallet);
        // A lost wallet already removed from the registry is recognised by the investor it counts toward.
        uint32 lostIndex = lostRecord.isRegistered() ? lostRecord.investorIndex() : lost.countedIndex;
        if (lostWallet == newWallet || !newRecord.isRegistered() || newRecord.investorIndex() != lostIndex) {
            revert InvestorMismatch(lostWallet, newWallet);
        }
        // The delegation follows, unless the new wallet already chose one (by default both vote
        // for themselves, so only a delegation to another wallet has to move).
        if (lost.delegation == _DELEGATION_OTHER && _account(newWallet).delegation == _DELEGATION_NONE) {
            _delegate(newWallet, _delegatees[lostWallet]);
        }
        uint256 amount = balanceOf(lostWallet);
        if (amount != 0) _moveWithLockups(lostWallet, newWallet, amount, amount, newRecord);
        emit WalletRecovered(lostWallet, newWallet, amount);
    }

    /// @inheritdoc IShareClass
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IShareClass
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------ governance (timelock)

    /// @inheritdoc IShareClass
    function setAuthorized(uint256 newAuthorized) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 supply = totalSupply();
        if (newAuthorized < supply) revert AuthorizedBelowSupply(newAuthorized, supply);
        emit AuthorizedChanged(_authorized, newAuthorized);
        _authorized = newAuthorized;
    }

    /// @inheritdoc IShareClass
    function setMaxHolders(uint32 newMaxHolders) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint32 count = _holderCount;
        if (newMaxHolders != 0 && newMaxHolders < count) revert MaxHoldersBelowHolderCount(newMaxHolders, count);
        emit MaxHoldersChanged(_maxHolders, newMaxHolders);
        _maxHolders = newMaxHolders;
    }

    /// @inheritdoc IShareClass
    function setJurisdictionBlocked(bytes2 jurisdiction, bool blocked) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!HolderRecord.isValidJurisdiction(jurisdiction)) revert InvalidJurisdiction(jurisdiction);
        if (_blocked[jurisdiction] == blocked) return;
        _blocked[jurisdiction] = blocked;
        uint256 bit = uint256(uint16(jurisdiction)) % _FILTER_BITS;
        uint256 sharing = _blockedPerFilterBit[bit];
        sharing = blocked ? sharing + 1 : sharing - 1;
        _blockedPerFilterBit[bit] = sharing;
        if (sharing == 0) {
            _blockedFilter &= ~uint184(1 << bit);
        } else {
            _blockedFilter |= uint184(1 << bit);
        }
        emit JurisdictionBlockChanged(jurisdiction, blocked);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IERC1404
    function detectTransferRestriction(address from, address to, uint256 value) external view returns (uint8 code) {
        (code,) = _restriction(from, to, value);
    }

    /// @inheritdoc IERC1404
    function messageForTransferRestriction(uint8 restrictionCode) external pure returns (string memory) {
        return RestrictionCodes.message(restrictionCode);
    }

    /// @inheritdoc IShareClass
    function authorized() external view returns (uint256) {
        return _authorized;
    }

    /// @inheritdoc IShareClass
    function maxHolders() external view returns (uint32) {
        return _maxHolders;
    }

    /// @inheritdoc IShareClass
    function holderCount() external view returns (uint32) {
        return _holderCount;
    }

    /// @inheritdoc IShareClass
    function holdingWalletsOf(uint32 investorIndex) external view returns (uint256) {
        return _walletCount(investorIndex);
    }

    /// @inheritdoc IShareClass
    function isJurisdictionBlocked(bytes2 jurisdiction) external view returns (bool) {
        return _blocked[jurisdiction];
    }

    /// @inheritdoc IShareClass
    function blockedJurisdictions() external view returns (bytes2[] memory list) {
        list = new bytes2[](26 * 26);
        uint256 n;
        for (uint16 first = 0x41; first <= 0x5A; ++first) {
            for (uint16 second = 0x41; second <= 0x5A; ++second) {
                bytes2 code = bytes2((first << 8) | second);
                if (_blocked[code]) list[n++] = code;
            }
        }
        assembly ("memory-safe") {
            mstore(list, n)
        }
    }

    /// @inheritdoc IShareClass
    function registry() external view returns (IHolderRegistry) {
        return _registry;
    }

    /// @inheritdoc IShareClass
    function lockedBalanceOf(address holder) public view returns (uint256) {
        return _accounts[holder].lockedAt(_lots[holder], block.timestamp);
    }

    /// @inheritdoc IShareClass
    function unlockedBalanceOf(address holder) external view returns (uint256) {
        uint256 balance = balanceOf(holder);
        uint256 locked = lockedBalanceOf(holder);
        return balance > locked ? balance - locked : 0;
    }

    /// @inheritdoc IShareClass
    function lockupLotsOf(address holder) external view returns (LockupLot[] memory) {
        return _accounts[holder].live(_lots[holder], block.timestamp);
    }

    /// @notice Shares have `decimals` decimals (0: whole shares).
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice The clock of checkpoints: the block timestamp (ERC-6372).
    function clock() public view override returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice ERC-6372 clock description.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @notice The delegate of `account`: itself unless it delegated to another wallet. Every
    /// holder is thus self-delegated from its first receipt on, without a delegate step or a
    /// storage write (SPEC §10).
    function delegates(address account) public view override returns (address) {
        if (account != address(0) && _accounts[account].delegation == _DELEGATION_OTHER) return _delegatees[account];
        return account; // the zero address (mints and burns) has no delegate
    }

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    // ------------------------------------------------------------------ the rules

    /// @dev The choke point of transfer, transferFrom, issuance (`from` zero) and redemption (`to` zero).
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        (uint8 code, uint256 toRecord) = _restriction(from, to, value);
        if (code != RestrictionCodes.OK) revert TransferRestricted(code, from, to, value);
        if (from == address(0)) {
            uint256 newSupply = totalSupply() + value;
            if (newSupply > _authorized) revert AuthorizedSharesExceeded(newSupply, _authorized);
        }
        _settle(from, to, value, toRecord, 0);
    }

    /// @dev The restriction code (SPEC §8) of moving `value` from `from` to `to` now, and the
    /// receiver's registry record. Issuance (`from` zero) obeys codes 3-6 and 9; redemption (`to`
    /// zero) only needs the balance.
    function _restriction(address from, address to, uint256 value)
        internal
        view
        returns (uint8 code, uint256 toRecord)
    {
        if (to == address(0)) {
            return (value > balanceOf(from) ? RestrictionCodes.INSUFFICIENT_BALANCE : RestrictionCodes.OK, 0);
        }
        if (from == address(0)) {
            toRecord = _registry.recordOf(to);
            return (_issuanceCode(to, toRecord, value), toRecord);
        }
        uint256 hot = _hotSlot();
        if (hot & 1 != 0) return (RestrictionCodes.PAUSED, 0); // Pausable's `_paused`
        uint256 fromRecord;
        (fromRecord, toRecord) = _registry.recordsOf(from, to);
        if (fromRecord.frozen()) return (RestrictionCodes.SENDER_FROZEN, toRecord);
        code = _receiverCode(toRecord, hot);
        if (code != RestrictionCodes.OK) return (code, toRecord);
        uint256 balance = balanceOf(from);
        if (value > balance) return (RestrictionCodes.INSUFFICIENT_BALANCE, toRecord);
        // Fast path: the balance covers the transfer plus every lot, locked or not (`lotSum` is the
        // low 112 bits of the account word), or every lot has ended (`lotsEnd`, the next 48 bits).
        HolderAccount storage stored = _accounts[from];
        uint256 word;
        assembly ("memory-safe") {
            word := sload(stored.slot)
        }
        if (value + uint112(word) > balance && block.timestamp < uint48(word >> 112)) {
            uint256 locked = _account(from).lockedAt(_lots[from], block.timestamp);
            if (locked >= balance || value > balance - locked) return (RestrictionCodes.SHARES_LOCKED, toRecord);
        }
        if (_exceedsHolderCap(from, to, toRecord, value, balance, hot)) {
            return (RestrictionCodes.HOLDER_LIMIT_REACHED, toRecord);
        }
        return (RestrictionCodes.OK, toRecord);
    }

    /// @dev Issuance obeys codes 3-6 and 9.
    function _issuanceCode(address to, uint256 toRecord, uint256 value) private view returns (uint8 code) {
        uint256 hot = _hotSlot();
        code = _receiverCode(toRecord, hot);
        if (code == RestrictionCodes.OK && _exceedsHolderCap(address(0), to, toRecord, value, 0, hot)) {
            code = RestrictionCodes.HOLDER_LIMIT_REACHED;
        }
    }

    /// @dev Codes 3-6: the receiver is frozen, not registered, expired, or in a blocked jurisdiction.
    function _receiverCode(uint256 record, uint256 hot) private view returns (uint8) {
        if (record.frozen()) return RestrictionCodes.RECEIVER_FROZEN;
        if (!record.isRegistered()) return RestrictionCodes.RECEIVER_NOT_QUALIFIED;
        if (block.timestamp >= record.expiresAt()) return RestrictionCodes.RECEIVER_QUALIFICATION_EXPIRED;
        bytes2 jurisdiction = record.jurisdiction();
        uint256 bit = _FILTER_SHIFT + (uint256(uint16(jurisdiction)) % _FILTER_BITS);
        if ((hot >> bit) & 1 != 0 && _blocked[jurisdiction]) {
            return RestrictionCodes.JURISDICTION_BLOCKED;
        }
        return RestrictionCodes.OK;
    }

    /// @dev Code 9: `to` would make its investor a new holder and the count would pass the cap
    /// (a sender's investor leaving at the same time frees a place).
    function _exceedsHolderCap(
        address from,
        address to,
        uint256 toRecord,
        uint256 value,
        uint256 fromBalance,
        uint256 hot
    ) private view returns (bool) {
        uint256 cap = uint32(hot >> _MAX_HOLDERS_SHIFT);
        if (cap == 0 || value == 0 || from == to || balanceOf(to) != 0) return false;
        if (_walletCount(toRecord.investorIndex()) != 0) return false;
        uint256 projected = uint256(uint32(hot >> _HOLDER_COUNT_SHIFT)) + 1;
        if (from != address(0) && value == fromBalance && _walletCount(_accounts[from].countedIndex) == 1) {
            --projected;
        }
        return projected > cap;
    }

    /// @dev Book-keeping of every balance change, then the ERC20 and vote accounting: the
    /// per-investor wallet counts behind the holder count, and the receiver's
    /// new lock-up lot if any (`lot`: a {LockupLot} packed as in storage, 0 for none), all written
    /// to the receiver's account slot at once.
    function _settle(address from, address to, uint256 value, uint256 toRecord, uint256 lot) private {
        bool moves = value != 0 && from != to;
        if (to != address(0) && (moves || lot != 0)) {
            // the receiver's account slot, handled as a word (layout in HolderAccount.sol)
            HolderAccount storage stored = _accounts[to];
            uint256 word;
            assembly ("memory-safe") {
                word := sload(stored.slot)
            }
            uint256 updated = word;
            if (moves && balanceOf(to) == 0) {
                uint32 index = toRecord.investorIndex();
                updated = (updated & ~(uint256(type(uint32).max) << _COUNTED_SHIFT)) | (uint256(index) << _COUNTED_SHIFT);
                if (_changeWalletCount(index, true)) ++_holderCount;
            }
            if (lot != 0 && uint112(word) == 0 && uint48(lot >> 112) == uint48(lot >> 208)) {
                // no lot yet (so no lot fields set) and a plain lock-up: it lives inline (see LockupBook)
                updated |= uint112(lot) | ((lot >> 208) << 112);
                lot = 0;
            }
            if (updated != word) {
                assembly ("memory-safe") {
                    sstore(stored.slot, updated)
                }
            }
            if (lot != 0) {
                HolderAccount memory account = _account(to);
                account.add(_lots[to], _unpackLot(lot), block.timestamp, MAX_LOCKUP_LOTS, to);
                _saveAccount(to, account);
            }
        }
        if (moves && from != address(0) && balanceOf(from) == value) {
            HolderAccount storage account = _accounts[from];
            uint32 index = account.countedIndex;
            account.countedIndex = 0;
            if (_changeWalletCount(index, false)) --_holderCount;
        }
        super._update(from, to, value);
    }

    /// @dev Votes delegation kept in {HolderAccount} (mode) and `_delegatees` (another wallet);
    /// otherwise as {Votes-_delegate}. Delegating to the zero address is refused: every share votes.
    function _delegate(address account, address delegatee) internal override {
        if (delegatee == address(0)) revert InvalidDelegatee(account, delegatee);
        address previous = delegates(account);
        HolderAccount memory state = _account(account);
        _setDelegation(state, account, delegatee);
        _saveAccount(account, state);
        emit DelegateChanged(account, previous, delegatee);
        _moveDelegateVotes(previous, delegatee, _getVotingUnits(account));
    }

    function _setDelegation(HolderAccount memory state, address account, address delegatee) private {
        if (delegatee == account) {
            state.delegation = _DELEGATION_SELF;
        } else {
            state.delegation = _DELEGATION_OTHER;
            _delegatees[account] = delegatee;
        }
    }

    /// @dev Mint `amount` to `to` (registry record `toRecord`) under codes 3-6 and 9 and the
    /// authorized cap, locked on the schedule if it has not ended yet.
    function _issue(address to, uint256 amount, uint64 start, uint64 cliff, uint64 end, uint256 toRecord) private {
        if (amount == 0) revert InvalidShareAmount(amount);
        uint8 code = _issuanceCode(to, toRecord, amount);
        if (code != RestrictionCodes.OK) revert TransferRestricted(code, address(0), to, amount);
        uint256 newSupply = totalSupply() + amount;
        if (newSupply > _authorized) revert AuthorizedSharesExceeded(newSupply, _authorized);
        uint256 lot = 0;
        if (end > block.timestamp) {
            // start <= cliff <= end, so checking the end checks all three
            lot = uint256(SafeCast.toUint112(amount)) | (uint256(start) << 112) | (uint256(cliff) << 160)
                | (uint256(SafeCast.toUint48(end)) << 208);
        }
        _settle(address(0), to, amount, toRecord, lot);
    }

    function _unpackLot(uint256 word) private pure returns (LockupLot memory) {
        return LockupLot(uint112(word), uint48(word >> 112), uint48(word >> 160), uint48(word >> 208));
    }

    /// @dev The issuer's moves: unlocked shares first, then locked ones, which keep their schedule
    /// at the receiver.
    function _moveWithLockups(address from, address to, uint256 amount, uint256 balance, uint256 toRecord) private {
        LockupLot[] memory moved = _releaseLocked(from, amount, balance);
        _settle(from, to, amount, toRecord, 0);
        // slither-disable-next-line incorrect-equality (an array length, not a balance: nothing to game)
        if (moved.length == 0) return;
        HolderAccount memory account = _account(to);
        for (uint256 i = 0; i < moved.length; ++i) {
            account.add(_lots[to], moved[i], block.timestamp, MAX_LOCKUP_LOTS, to);
        }
        _saveAccount(to, account);
    }

    /// @dev Before `amount` of `balance` leaves `holder` by redemption or forced transfer: take the
    /// part not covered by unlocked shares out of the lots, and return it.
    function _releaseLocked(address holder, uint256 amount, uint256 balance)
        private
        returns (LockupLot[] memory released)
    {
        HolderAccount memory account = _account(holder);
        if (account.lotSum == 0) return released;
        uint256 t = block.timestamp;
        uint256 locked = account.lockedAt(_lots[holder], t);
        uint256 unlocked = balance > locked ? balance - locked : 0;
        uint256 fromLocked = amount > unlocked ? amount - unlocked : 0;
        released = account.take(_lots[holder], fromLocked, t);
        _saveAccount(holder, account);
    }

    /// @dev Add (`up`) or remove a wallet with a positive balance for investor `index`; true when the
    /// investor starts or stops holding this class. Sixteen 16-bit counters share a slot, so a batch
    /// of new investors (consecutive indices) writes one new slot per sixteen.
    function _changeWalletCount(uint32 index, bool up) private returns (bool holderChanged) {
        if (index == 0) return false;
        uint256 key = index >> 4;
        uint256 shift = (uint256(index) & 15) * 16;
        uint256 counters = _walletCounts[key];
        uint16 count = uint16(counters >> shift);
        uint16 updated = up ? count + 1 : count - 1; // checked: at most 65,535 wallets per investor
        _walletCounts[key] = (counters & ~(uint256(type(uint16).max) << shift)) | (uint256(updated) << shift);
        return up ? count == 0 : updated == 0;
    }

    function _walletCount(uint32 index) private view returns (uint256) {
        return uint16(_walletCounts[index >> 4] >> ((uint256(index) & 15) * 16));
    }

    /// @dev The slot of `_paused`, `_maxHolders`, `_holderCount` and `_blockedFilter`, read once.
    function _hotSlot() private view returns (uint256 word) {
        assembly ("memory-safe") {
            word := sload(_maxHolders.slot)
        }
    }

    function _account(address wallet) private view returns (HolderAccount memory) {
        return _accounts[wallet];
    }

    function _saveAccount(address wallet, HolderAccount memory account) private {
        _accounts[wallet] = account;
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return super.supportsInterface(interfaceId);
    }
}
