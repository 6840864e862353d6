// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IERC1404} from "../interfaces/IERC1404.sol";
import {IHolderRegistry} from "../interfaces/IHolderRegistry.sol";
import {IIssuerBound} from "../interfaces/IIssuerBound.sol";
import {IShareClass} from "../interfaces/IShareClass.sol";
import {HolderRecord, HolderRecordLibrary} from "../registry/HolderRecord.sol";
import {ClassState, ClassStateLibrary} from "./ClassState.sol";
import {HolderAccount, HolderAccountLibrary} from "./HolderAccount.sol";
import {LockupBook} from "./LockupBook.sol";
import {RestrictionCodes} from "./RestrictionCodes.sol";
import {WalletCounts} from "./WalletCounts.sol";

/// @title One share class of an offering
/// @notice ERC-20 shares with ERC-2612 permits and ERC-5805 votes on a timestamp clock, restricted
/// per SPEC §8 (ERC-1404): a qualified-holder registry, frozen wallets, blocked jurisdictions,
/// lock-up and vesting lots, an investor cap and an authorized-shares cap.
///
/// Every balance change ends in {_settle}: the holder book-keeping, then OpenZeppelin's ERC20 and
/// ERC20Votes update. Transfers, transferFrom and redemptions reach it through {_update}, which
/// enforces {_restriction}, the one view {detectTransferRestriction} answers from; issuance through
/// {_issue}, which enforces {_issuanceCode}, the part of {_restriction} that applies when `from` is
/// zero; the issuer's forced transfers and recoveries apply the receiver's rules themselves
/// ({_issuerMove}).
///
/// Roles: DEFAULT_ADMIN_ROLE (the offering's timelock: caps, jurisdictions, roles, the issuer's
/// bound, minters' allowances), ISSUER_ROLE (issue, redeem, forced transfer, recovery: each move
/// counted by the offering's {IIssuerBound}), MINTER_ROLE (issue and issueVested out of an
/// allowance governance set: a shareholder-approved round), PAUSER_ROLE (pause, unpause).
///
/// Gas: the class's hot word ({ClassState}: pause flag, investor cap, holder count, a filter of the
/// blocked jurisdictions) is read once per transfer; a holder's lock-up summary and delegation share
/// one word ({HolderAccount}); the registry answers both wallets of a transfer in one call. The
/// lot bookkeeping off the transfer path lives in the linked library {LockupBook}.
contract ShareClassToken is IShareClass, ERC20, ERC20Permit, ERC20Votes, AccessControl, Multicall {
    using WalletCounts for WalletCounts.Map;

    /// @notice May issue, redeem, force transfers and recover wallets.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @notice May issue (issue, issueVested) out of its {mintAllowance}; granted by governance.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    /// @notice May pause and unpause transfers.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice The most live lock-up lots a wallet may have; bounds the gas of a lock-up check.
    uint256 public constant MAX_LOCKUP_LOTS = LockupBook.MAX_LOTS;

    /// @dev Pause flag, investor cap, holder count and jurisdiction filter: one slot, read once.
    ClassState private _state;
    uint256 private _authorized;
    IHolderRegistry private immutable _registry;
    uint8 private immutable _decimals;

    /// @dev Receivers of a jurisdiction are refused while `block.timestamp` is before this (0: never;
    /// `type(uint40).max`: until unblocked). A dated block lifts itself, with no transaction.
    mapping(bytes2 jurisdiction => uint256 until) private _blockedUntil;
    /// @dev How many blocked jurisdictions share each bit of the filter in `_state`.
    mapping(uint256 bit => uint256 count) private _blockedPerFilterBit;
    /// @dev Wallets with a positive balance per registry investor index.
    WalletCounts.Map private _walletCounts;
    mapping(address wallet => Wallet) private _wallets;
    /// @dev Counts the issuer's moves (zero: not bounded); set by the admin.
    IIssuerBound private _issuerBound;
    /// @dev What each MINTER_ROLE holder may still issue, in base units.
    mapping(address minter => uint256) private _mintAllowances;

    /// @dev What the token keeps per wallet, found with one hash of the wallet's address.
    /// @param account the lock-up summary, delegation mode and counted investor ({HolderAccount})
    /// @param delegatee the delegate of a wallet that delegates to another wallet (mode OTHER)
    /// @param lots the lock-up lots ({LockupBook})
    struct Wallet {
        HolderAccount account;
        address delegatee;
        mapping(uint256 index => LockupLot) lots;
    }

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
        _state = _state.withMaxHolders(maxHolders_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ISSUER_ROLE, issuer);
        _grantRole(PAUSER_ROLE, issuer);
        emit AuthorizedChanged(0, authorized_);
        emit MaxHoldersChanged(0, maxHolders_);
    }

    // ------------------------------------------------------------------ issuer actions

    /// @inheritdoc IShareClass
    function issue(address to, uint256 amount, uint64 lockedUntil) external {
        bool byIssuer = _mayIssue(amount);
        ClassState state = _state;
        uint256 schedule = _schedule(lockedUntil, lockedUntil, lockedUntil);
        _commit(state, _issue(to, amount, schedule, _registry.recordOf(to), state));
        emit SharesIssued(to, amount, lockedUntil);
        if (byIssuer) _counted(amount, totalSupply() - amount);
    }

    /// @inheritdoc IShareClass
    function issueBatch(address[] calldata to, uint256[] calldata amounts, uint64[] calldata lockedUntil)
        external
        onlyRole(ISSUER_ROLE)
    {
        uint256 n = to.length;
        if (amounts.length != n) revert BatchLengthMismatch(n, amounts.length);
        if (lockedUntil.length != n) revert BatchLengthMismatch(n, lockedUntil.length);
        HolderRecord[] memory records = _registry.recordsOfBatch(to);
        ClassState before = _state;
        ClassState state = before; // the holder count runs on in memory: one write per batch
        uint256 supply = totalSupply();
        for (uint256 i = 0; i < n; ++i) {
            uint64 until = lockedUntil[i];
            state = _issue(to[i], amounts[i], _schedule(until, until, until), records[i], state);
            emit SharesIssued(to[i], amounts[i], until);
        }
        _commit(before, state);
        _counted(totalSupply() - supply, supply);
    }

    /// @inheritdoc IShareClass
    function issueVested(address to, uint256 amount, uint64 start, uint64 cliff, uint64 end) external {
        bool byIssuer = _mayIssue(amount);
        if (!(start <= cliff && cliff <= end && start < end)) revert InvalidVestingSchedule(start, cliff, end);
        ClassState state = _state;
        _commit(state, _issue(to, amount, _schedule(start, cliff, end), _registry.recordOf(to), state));
        emit SharesIssuedVested(to, amount, start, cliff, end);
        if (byIssuer) _counted(amount, totalSupply() - amount);
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
        _counted(amount, totalSupply() + amount);
    }

    /// @inheritdoc IShareClass
    function forceTransfer(address from, address to, uint256 amount, string calldata reason)
        external
        onlyRole(ISSUER_ROLE)
    {
        if (amount == 0) revert InvalidShareAmount(amount);
        if (from == address(0)) revert ERC20InvalidSender(from);
        _issuerMove(from, to, amount, balanceOf(from), _registry.recordOf(to));
        emit ForcedTransfer(from, to, amount, reason);
        _counted(amount, totalSupply());
    }

    /// @inheritdoc IShareClass
    function recover(address lostWallet, address newWallet) external onlyRole(ISSUER_ROLE) {
        (HolderRecord lostRecord, HolderRecord newRecord) = _registry.recordsOf(lostWallet, newWallet);
        // The registry keeps a removed wallet's investor index, so a lost wallet already removed
        // is still recognised.
        bool sameInvestor = newRecord.isRegistered() && newRecord.investorIndex() == lostRecord.investorIndex();
        if (lostWallet == newWallet || !sameInvestor) revert InvestorMismatch(lostWallet, newWallet);
        // A refusal below undoes this.
        if (_takesOverDelegation(lostWallet, newWallet)) _delegate(newWallet, _wallets[lostWallet].delegatee);
        uint256 amount = balanceOf(lostWallet);
        _issuerMove(lostWallet, newWallet, amount, amount, newRecord);
        emit WalletRecovered(lostWallet, newWallet, amount);
        _counted(amount, totalSupply());
    }

    /// @inheritdoc IShareClass
    function pause() external onlyRole(PAUSER_ROLE) {
        _setPaused(true);
        emit Paused(_msgSender());
    }

    /// @inheritdoc IShareClass
    function unpause() external onlyRole(PAUSER_ROLE) {
        _setPaused(false);
        emit Unpaused(_msgSender());
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
    function setIssuerBound(IIssuerBound bound) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit IssuerBoundChanged(_issuerBound, bound);
        _issuerBound = bound;
    }

    /// @inheritdoc IShareClass
    function setMintAllowance(address minter, uint256 shares) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit MintAllowanceChanged(minter, _mintAllowances[minter], shares);
        _mintAllowances[minter] = shares;
    }

    /// @inheritdoc IShareClass
    function setMaxHolders(uint32 newMaxHolders) external onlyRole(DEFAULT_ADMIN_ROLE) {
        ClassState state = _state;
        uint32 count = state.holderCount();
        if (newMaxHolders != 0 && newMaxHolders < count) revert MaxHoldersBelowHolderCount(newMaxHolders, count);
        emit MaxHoldersChanged(state.maxHolders(), newMaxHolders);
        _state = state.withMaxHolders(newMaxHolders);
    }

    /// @inheritdoc IShareClass
    function setJurisdictionBlocked(bytes2 jurisdiction, bool blocked) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_setBlockedUntil(jurisdiction, blocked ? type(uint40).max : 0)) {
            emit JurisdictionBlockChanged(jurisdiction, blocked);
        }
    }

    /// @inheritdoc IShareClass
    function setJurisdictionBlockedUntil(bytes2 jurisdiction, uint40 until) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_setBlockedUntil(jurisdiction, until)) emit JurisdictionBlockedUntil(jurisdiction, until);
    }

    /// @inheritdoc IShareClass
    function enableCategoryRules() external {
        if (msg.sender != address(_registry)) revert OnlyRegistry(msg.sender);
        _state = _state.withCategoryRules();
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IERC1404
    function detectTransferRestriction(address from, address to, uint256 value) external view returns (uint8 code) {
        (code,) = _restriction(from, to, value, _state);
    }

    /// @inheritdoc IERC1404
    function messageForTransferRestriction(uint8 restrictionCode) external pure returns (string memory) {
        return RestrictionCodes.message(restrictionCode);
    }

    /// @inheritdoc IShareClass
    function paused() external view returns (bool) {
        return _state.paused();
    }

    /// @inheritdoc IShareClass
    function authorized() external view returns (uint256) {
        return _authorized;
    }

    /// @inheritdoc IShareClass
    function maxHolders() external view returns (uint32) {
        return _state.maxHolders();
    }

    /// @inheritdoc IShareClass
    function holderCount() external view returns (uint32) {
        return _state.holderCount();
    }

    /// @inheritdoc IShareClass
    function holdingWalletsOf(uint32 investorIndex) external view returns (uint256) {
        return _walletCounts.count(investorIndex);
    }

    /// @inheritdoc IShareClass
    function isJurisdictionBlocked(bytes2 jurisdiction) external view returns (bool) {
        return block.timestamp < _blockedUntil[jurisdiction];
    }

    /// @inheritdoc IShareClass
    function registry() external view returns (IHolderRegistry) {
        return _registry;
    }

    /// @inheritdoc IShareClass
    function issuerBound() external view returns (IIssuerBound) {
        return _issuerBound;
    }

    /// @inheritdoc IShareClass
    function mintAllowance(address minter) external view returns (uint256) {
        return _mintAllowances[minter];
    }

    /// @inheritdoc IShareClass
    function lockedBalanceOf(address holder) public view returns (uint256) {
        Wallet storage wallet = _wallets[holder];
        return LockupBook.lockedAt(wallet.account, wallet.lots, block.timestamp);
    }

    /// @inheritdoc IShareClass
    function unlockedBalanceOf(address holder) external view returns (uint256) {
        uint256 balance = balanceOf(holder);
        uint256 locked = lockedBalanceOf(holder);
        return balance > locked ? balance - locked : 0;
    }

    /// @inheritdoc IShareClass
    function lockupLotsOf(address holder) external view returns (LockupLot[] memory) {
        Wallet storage wallet = _wallets[holder];
        return LockupBook.live(wallet.account, wallet.lots, block.timestamp);
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
        Wallet storage wallet = _wallets[account];
        if (account != address(0) && wallet.account.delegation() == HolderAccountLibrary.DELEGATION_OTHER) {
            return wallet.delegatee;
        }
        return account; // the zero address (mints and burns) has no delegate
    }

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    // ------------------------------------------------------------------ the rules

    /// @dev The choke point of transfer, transferFrom and redemption (`to` zero); issuance goes
    /// through {_issue} (this token never calls `_mint`).
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        ClassState state = _state;
        (uint8 code, HolderRecord toRecord) = _restriction(from, to, value, state);
        if (code != RestrictionCodes.OK) revert TransferRestricted(code, from, to, value);
        ClassState settled = _settle(from, to, value, toRecord, 0, state);
        if (ClassState.unwrap(settled) != ClassState.unwrap(state)) _state = settled;
    }

    /// @dev The restriction code (SPEC §8) of moving `value` from `from` to `to` now, in class state
    /// `state`, and the receiver's registry record. Issuance (`from` zero) obeys codes 3-6 and 9;
    /// redemption (`to` zero) only needs the balance; a zero value meets codes 1-6 only.
    function _restriction(address from, address to, uint256 value, ClassState state)
        internal
        view
        returns (uint8 code, HolderRecord toRecord)
    {
        if (to == address(0)) {
            return (value > balanceOf(from) ? RestrictionCodes.INSUFFICIENT_BALANCE : RestrictionCodes.OK, toRecord);
        }
        if (from == address(0)) {
            toRecord = _registry.recordOf(to);
            return (_issuanceCode(to, toRecord, value, state), toRecord);
        }
        if (state.paused()) return (RestrictionCodes.PAUSED, toRecord);
        HolderRecord fromRecord;
        (fromRecord, toRecord) = _registry.recordsOf(from, to);
        if (fromRecord.frozen()) return (RestrictionCodes.SENDER_FROZEN, toRecord);
        code = _receiverCode(toRecord, state);
        if (code != RestrictionCodes.OK) return (code, toRecord);
        uint256 balance = balanceOf(from);
        if (value > balance) return (RestrictionCodes.INSUFFICIENT_BALANCE, toRecord);
        // Fast path: the balance covers the transfer plus every lot, locked or not, or every lot
        // has ended; only then are the lots read.
        Wallet storage sender = _wallets[from];
        HolderAccount account = sender.account;
        if (value != 0 && value + account.lotSum() > balance && block.timestamp < account.lotsEnd()) {
            uint256 locked = LockupBook.lockedAt(account, sender.lots, block.timestamp);
            if (value + locked > balance) return (RestrictionCodes.SHARES_LOCKED, toRecord);
        }
        return (_capCode(from, to, toRecord, value, balance, state, true), toRecord);
    }

    /// @dev Issuance obeys codes 3-6 and 9-11.
    function _issuanceCode(address to, HolderRecord toRecord, uint256 value, ClassState state)
        private
        view
        returns (uint8 code)
    {
        code = _receiverCode(toRecord, state);
        if (code == RestrictionCodes.OK) code = _capCode(address(0), to, toRecord, value, 0, state, false);
    }


    /// @dev Codes 3-6: the receiver is frozen, not registered, expired, or in a blocked jurisdiction.
    function _receiverCode(HolderRecord record, ClassState state) private view returns (uint8) {
        if (record.frozen()) return RestrictionCodes.RECEIVER_FROZEN;
        if (!record.isRegistered()) return RestrictionCodes.RECEIVER_NOT_QUALIFIED;
        if (block.timestamp >= record.expiresAt()) return RestrictionCodes.RECEIVER_QUALIFICATION_EXPIRED;
        bytes2 jurisdiction = record.jurisdiction();
        if (state.mayBeBlocked(jurisdiction) && block.timestamp < _blockedUntil[jurisdiction]) {
            return RestrictionCodes.JURISDICTION_BLOCKED;
        }
        return RestrictionCodes.OK;
    }

    /// @dev Codes 9-12: `to` would make its investor a new holder and the count would pass the cap
    /// (a sender's investor leaving at the same time frees a place); then, for a class with category
    /// rules, the registry's codes 10-12 (`isTransfer`: the holding period binds the move).
    function _capCode(
        address from,
        address to,
        HolderRecord toRecord,
        uint256 value,
        uint256 fromBalance,
        ClassState state,
        bool isTransfer
    ) private view returns (uint8) {
        uint256 cap = state.maxHolders();
        bool categories = state.hasCategoryRules();
        if ((cap == 0 && !categories) || value == 0 || from == to) return RestrictionCodes.OK;
        bool toIsNew = balanceOf(to) == 0 && _walletCounts.count(toRecord.investorIndex()) == 0;
        uint32 leaving = 0; // the sender's investor index when this move empties its holding
        if (toIsNew && from != address(0) && value == fromBalance) {
            // the sender's investor leaves when this is its last holding wallet
            uint32 index = _wallets[from].account.countedIndex();
            if (_walletCounts.count(index) == 1) leaving = index;
        }
        if (toIsNew && cap != 0 && uint256(state.holderCount()) + (leaving == 0 ? 1 : 0) > cap) {
            return RestrictionCodes.HOLDER_LIMIT_REACHED;
        }
        return categories ? _registry.categoryCode(to, leaving, toIsNew, isTransfer) : RestrictionCodes.OK;
    }

    /// @dev Book-keeping of every balance change, then the ERC20 and vote accounting: the
    /// per-investor wallet counts behind the holder count, and the receiver's new lock-up lot if
    /// any (`lot`: a {LockupLot} packed as in storage, 0 for none), written to the receiver's
    /// account word at once. Returns `state` with the holder count updated; the caller stores it
    /// ({_commit}), so that a batch writes the class's hot word once.
    function _settle(address from, address to, uint256 value, HolderRecord toRecord, uint256 lot, ClassState state)
        private
        returns (ClassState)
    {
        bool moves = value != 0 && from != to;
        bool newHolder = moves && to != address(0) && balanceOf(to) == 0;
        if (newHolder || lot != 0) state = _receive(to, toRecord, lot, newHolder, state);
        if (moves && from != address(0) && balanceOf(from) == value) {
            Wallet storage sender = _wallets[from];
            HolderAccount account = sender.account;
            sender.account = account.withCountedIndex(0);
            uint32 index = account.countedIndex();
            if (_walletCounts.change(index, false)) state = _counted(from, index, false, state);
        }
        super._update(from, to, value);
        return state;
    }

    /// @dev The receiver's side of {_settle}: a wallet that starts holding counts toward its
    /// investor (`newHolder`), and a new lot (if any) joins its lock-ups, in one account write.
    function _receive(address to, HolderRecord toRecord, uint256 lot, bool newHolder, ClassState state)
        private
        returns (ClassState)
    {
        Wallet storage receiver = _wallets[to];
        HolderAccount account = receiver.account;
        HolderAccount updated = account;
        if (newHolder) {
            uint32 index = toRecord.investorIndex();
            updated = updated.withCountedIndex(index);
            if (_walletCounts.change(index, true)) state = _counted(to, index, true, state);
        }
        if (lot != 0 && account.lotSum() == 0 && LockupBook.isPlain(lot)) {
            // no lot yet and a plain lock-up: it lives inline (see LockupBook)
            updated = updated.withLots(uint112(lot), uint48(lot >> 208), 0);
            lot = 0;
        }
        if (lot != 0) updated = LockupBook.add(updated, receiver.lots, lot, block.timestamp, to);
        if (HolderAccount.unwrap(updated) != HolderAccount.unwrap(account)) receiver.account = updated;
        return state;
    }

    /// @dev Investor `index` (of `wallet`) started (`entered`) or stopped holding the class: the
    /// holder count, and the registry's count of its category when the class has category rules.
    function _counted(address wallet, uint32 index, bool entered, ClassState state) private returns (ClassState) {
        // The registry is this class's own, fixed at construction, and `countHolder` only updates
        // its counts (no call out), so the token's state written after it cannot be re-entered.
        // slither-disable-next-line reentrancy-no-eth
        if (state.hasCategoryRules()) _registry.countHolder(wallet, index, entered);
        return state.withHolderCounted(entered);
    }

    /// @dev Block receivers of `jurisdiction` until `until` (0: unblock); false when nothing changes.
    /// The filter bit of the class state stays set while any jurisdiction sharing it has a block,
    /// ended or not (a set bit only means "read the map").
    function _setBlockedUntil(bytes2 jurisdiction, uint256 until) private returns (bool) {
        if (!HolderRecordLibrary.isValidJurisdiction(jurisdiction)) revert InvalidJurisdiction(jurisdiction);
        uint256 previous = _blockedUntil[jurisdiction];
        if (previous == until) return false;
        _blockedUntil[jurisdiction] = until;
        if ((previous == 0) != (until == 0)) {
            uint256 bit = ClassStateLibrary.filterBit(jurisdiction);
            uint256 sharing = _blockedPerFilterBit[bit];
            sharing = until != 0 ? sharing + 1 : sharing - 1;
            _blockedPerFilterBit[bit] = sharing;
            _state = _state.withFilterBit(bit, sharing != 0);
        }
        return true;
    }

    /// @dev Store the class state `updated` if it differs from `stored` (what the slot holds).
    function _commit(ClassState stored, ClassState updated) private {
        if (ClassState.unwrap(updated) != ClassState.unwrap(stored)) _state = updated;
    }

    function _setPaused(bool paused_) private {
        ClassState state = _state;
        if (state.paused() == paused_) {
            if (paused_) revert EnforcedPause();
            revert ExpectedPause();
        }
        _state = state.withPaused(paused_);
    }

    /// @dev Votes delegation kept in {HolderAccount} (mode) and `_delegatees` (another wallet);
    /// otherwise as {Votes-_delegate}. Delegating to the zero address is refused: every share votes.
    function _delegate(address account, address delegatee) internal override {
        if (delegatee == address(0)) revert InvalidDelegatee(account, delegatee);
        address previous = delegates(account);
        Wallet storage wallet = _wallets[account];
        if (delegatee == account) {
            wallet.account = wallet.account.withDelegation(HolderAccountLibrary.DELEGATION_SELF);
        } else {
            wallet.account = wallet.account.withDelegation(HolderAccountLibrary.DELEGATION_OTHER);
            wallet.delegatee = delegatee;
        }
        emit DelegateChanged(account, previous, delegatee);
        _moveDelegateVotes(previous, delegatee, _getVotingUnits(account));
    }

    /// @dev Mint `amount` to `to` (registry record `toRecord`) under codes 3-6 and 9 and the
    /// authorized cap, locked on `schedule` ({_schedule}) if it has not ended yet; returns the
    /// class state.
    function _issue(address to, uint256 amount, uint256 schedule, HolderRecord toRecord, ClassState state)
        private
        returns (ClassState)
    {
        if (amount == 0) revert InvalidShareAmount(amount);
        uint8 code = _issuanceCode(to, toRecord, amount, state);
        if (code != RestrictionCodes.OK) revert TransferRestricted(code, address(0), to, amount);
        uint256 newSupply = totalSupply() + amount;
        if (newSupply > _authorized) revert AuthorizedSharesExceeded(newSupply, _authorized);
        // a lot (the schedule plus the amount) only if the schedule has not ended yet
        uint256 lot = uint48(schedule >> 208) > block.timestamp ? schedule | SafeCast.toUint112(amount) : 0;
        bool newHolder = balanceOf(to) == 0;
        if (newHolder || lot != 0) state = _receive(to, toRecord, lot, newHolder, state);
        super._update(address(0), to, amount); // {_settle} without a sender
        return state;
    }

    /// @dev Who may issue `amount`: a MINTER_ROLE holder out of its allowance (false), else only
    /// ISSUER_ROLE, whose issuance the caller then counts against the bound (true).
    function _mayIssue(uint256 amount) private returns (bool byIssuer) {
        address sender = _msgSender();
        if (!hasRole(MINTER_ROLE, sender)) {
            _checkRole(ISSUER_ROLE, sender);
            return true;
        }
        uint256 allowance = _mintAllowances[sender];
        if (amount > allowance) revert MintAllowanceExceeded(sender, amount, allowance);
        _mintAllowances[sender] = allowance - amount;
    }

    /// @dev An issuer's move of `amount` at total supply `supplyBefore` (before the move) counts
    /// against the issuer's bound, which reverts beyond it. Called last (the bound is the
    /// offering's own contract, set by governance).
    function _counted(uint256 amount, uint256 supplyBefore) private {
        IIssuerBound bound = _issuerBound;
        if (address(bound) != address(0)) bound.consume(amount, supplyBefore);
    }

    /// @dev A lock-up schedule packed as a {LockupLot} without its amount (start <= cliff <= end,
    /// so checking that the end fits 48 bits checks all three).
    function _schedule(uint64 start, uint64 cliff, uint64 end) private pure returns (uint256) {
        return (uint256(start) << 112) | (uint256(cliff) << 160) | (uint256(SafeCast.toUint48(end)) << 208);
    }

    /// @dev Recovery and votes: the new wallet keeps its own delegation, and with it the votes of
    /// its own shares. Only a new wallet that holds nothing and never chose a delegate takes over a
    /// lost wallet's delegation to another wallet (by default both vote for themselves).
    function _takesOverDelegation(address lostWallet, address newWallet) private view returns (bool) {
        if (_wallets[lostWallet].account.delegation() != HolderAccountLibrary.DELEGATION_OTHER) return false;
        if (_wallets[newWallet].account.delegation() != HolderAccountLibrary.DELEGATION_NONE) return false;
        // Shares sent to the new wallet beforehand only make it keep voting for itself, the rule
        // for a holding wallet: nothing to gain by gaming this strict equality.
        // slither-disable-next-line incorrect-equality
        return balanceOf(newWallet) == 0;
    }

    /// @dev The issuer's moves (forced transfer, recovery of `balance`): the receiver's codes 3-6,
    /// the balance (7) and the cap (9) apply, never the sender's state, the pause or lock-ups.
    /// Unlocked shares move first, then locked ones, which keep their schedule at the receiver.
    function _issuerMove(address from, address to, uint256 amount, uint256 balance, HolderRecord toRecord)
        private
    {
        ClassState state = _state;
        uint8 code = _receiverCode(toRecord, state);
        if (code == RestrictionCodes.OK && amount > balance) code = RestrictionCodes.INSUFFICIENT_BALANCE;
        if (code == RestrictionCodes.OK) code = _capCode(from, to, toRecord, amount, balance, state, false);
        if (code != RestrictionCodes.OK) revert TransferRestricted(code, from, to, amount);
        if (amount == 0) return; // a recovery of an empty wallet moves nothing
        LockupLot[] memory moved = _releaseLocked(from, amount, balance);
        _commit(state, _settle(from, to, amount, toRecord, 0, state));
        if (moved.length != 0) {
            Wallet storage receiver = _wallets[to];
            receiver.account = LockupBook.addAll(receiver.account, receiver.lots, moved, block.timestamp, to);
        }
    }

    /// @dev Before `amount` of `balance` leaves `holder` by redemption or an issuer's move: take
    /// the part not covered by unlocked shares out of the lots, and return it.
    function _releaseLocked(address holder, uint256 amount, uint256 balance)
        private
        returns (LockupLot[] memory released)
    {
        Wallet storage wallet = _wallets[holder];
        HolderAccount account = wallet.account;
        if (account.lotSum() == 0) return released;
        (account, released) = LockupBook.release(account, wallet.lots, amount, balance, block.timestamp);
        wallet.account = account;
    }
}
