// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1404} from "./IERC1404.sol";
import {IHolderRegistry} from "./IHolderRegistry.sol";
import {IIssuerBound} from "./IIssuerBound.sol";
import {IOfferingErrors} from "./IOfferingErrors.sol";

/// @title One share class of an offering
/// @notice An ERC-20 share token (ERC20Permit, ERC20Votes on a timestamp clock, AccessControl,
/// Multicall; pausable with OpenZeppelin Pausable's events, errors and `paused()`) whose every
/// balance change obeys the transfer restrictions of SPEC §8.
interface IShareClass is IERC1404, IOfferingErrors {
    /// @notice A lock-up lot: `amount` shares vesting linearly from `start` to `end`, nothing before
    /// `cliff`. A plain lock-up has `start == cliff == end` (everything unlocks at `end`).
    /// Packed in one storage slot.
    struct LockupLot {
        uint112 amount;
        uint48 start;
        uint48 cliff;
        uint48 end;
    }

    /// @notice `amount` new shares were issued to `to`, locked until `lockedUntil` (0: unlocked).
    event SharesIssued(address indexed to, uint256 amount, uint64 lockedUntil);
    /// @notice `amount` new shares were issued to `to`, vesting linearly from `start` to `end`, nothing before `cliff`.
    event SharesIssuedVested(address indexed to, uint256 amount, uint64 start, uint64 cliff, uint64 end);
    /// @notice `amount` shares of `from` were redeemed (burnt).
    event SharesRedeemed(address indexed from, uint256 amount);
    /// @notice The issuer moved `amount` shares from `from` to `to` without the sender's consent.
    event ForcedTransfer(address indexed from, address indexed to, uint256 amount, string reason);
    /// @notice The balance, lock-ups and delegation of `lostWallet` moved to `newWallet` of the same investor.
    event WalletRecovered(address indexed lostWallet, address indexed newWallet, uint256 amount);
    /// @notice The authorized-shares cap changed.
    event AuthorizedChanged(uint256 previous, uint256 current);
    /// @notice The cap on the number of investors holding this class changed (0: no cap).
    event MaxHoldersChanged(uint32 previous, uint32 current);
    /// @notice Receivers registered in `jurisdiction` are now refused (`blocked`) or accepted again.
    event JurisdictionBlockChanged(bytes2 indexed jurisdiction, bool blocked);
    /// @notice Receivers registered in `jurisdiction` are refused until `until` (unix seconds; 0: no
    /// longer); the block lifts itself then (e.g. a Regulation S distribution compliance period).
    event JurisdictionBlockedUntil(bytes2 indexed jurisdiction, uint40 until);
    /// @notice The contract counting the issuer's moves changed (zero: none).
    event IssuerBoundChanged(IIssuerBound previous, IIssuerBound current);
    /// @notice What `minter` may still issue changed (base units).
    event MintAllowanceChanged(address indexed minter, uint256 previous, uint256 current);
    /// @notice Transfers were paused by `account` (OpenZeppelin Pausable's event).
    event Paused(address account);
    /// @notice Transfers were resumed by `account` (OpenZeppelin Pausable's event).
    event Unpaused(address account);

    /// @notice A transfer, transferFrom, issuance or forced transfer met restriction `code` (SPEC §8).
    error TransferRestricted(uint8 code, address from, address to, uint256 value);
    /// @notice Issuing would raise the total supply to `newSupply`, above `authorized`.
    error AuthorizedSharesExceeded(uint256 newSupply, uint256 authorized);
    /// @notice The authorized-shares cap cannot be set below the shares already issued.
    error AuthorizedBelowSupply(uint256 authorized, uint256 totalSupply);
    /// @notice The holder cap cannot be set below the number of investors already holding shares.
    error MaxHoldersBelowHolderCount(uint32 maxHolders, uint32 holderCount);
    /// @notice `holder` already has `maxLots` live lock-up lots; wait for one to expire.
    error TooManyLockupLots(address holder, uint256 maxLots);
    /// @notice `replacement` is not registered to the same investor as `lost` (or is `lost` itself).
    error InvestorMismatch(address lost, address replacement);
    /// @notice A vesting schedule must satisfy `start <= cliff <= end` and `start < end`.
    error InvalidVestingSchedule(uint64 start, uint64 cliff, uint64 end);
    /// @notice Share amounts must be positive.
    error InvalidShareAmount(uint256 amount);
    /// @notice Votes cannot be delegated to the zero address: every share votes (SPEC §10).
    error InvalidDelegatee(address delegator, address delegatee);
    /// @notice `minter` may issue `allowance` more, not `amount`.
    error MintAllowanceExceeded(address minter, uint256 amount, uint256 allowance);
    /// @notice {pause} while paused (OpenZeppelin Pausable's error).
    error EnforcedPause();
    /// @notice {unpause} while not paused (OpenZeppelin Pausable's error).
    error ExpectedPause();
    /// @notice Only the class's registry may call this.
    error OnlyRegistry(address caller);

    /// @notice Issue `amount` shares to `to`, locked until `lockedUntil` (0 or past: unlocked).
    /// MINTER_ROLE out of its {mintAllowance}, else ISSUER_ROLE within the issuer's bound. Obeys
    /// codes 3-6 and 9 and the authorized cap. Emits {Transfer} and {SharesIssued}.
    function issue(address to, uint256 amount, uint64 lockedUntil) external;

    /// @notice Issue `amount` shares to `to` vesting linearly from `start` to `end`, nothing before
    /// `cliff`. As {issue}: MINTER_ROLE or ISSUER_ROLE. Emits {Transfer} and {SharesIssuedVested}.
    function issueVested(address to, uint256 amount, uint64 start, uint64 cliff, uint64 end) external;

    /// @notice {issue} for many receivers in one transaction; reverts whole on any refusal. ISSUER_ROLE.
    function issueBatch(address[] calldata to, uint256[] calldata amounts, uint64[] calldata lockedUntil) external;

    /// @notice Burn `amount` shares of `from`: unlocked shares first, then locked ones (latest
    /// release first). ISSUER_ROLE. Emits {Transfer} and {SharesRedeemed}.
    function redeem(address from, uint256 amount) external;

    /// @notice Move `amount` shares from `from` to `to` regardless of the sender's state (frozen,
    /// locked, paused); the receiver must pass codes 3-6 and 9. Unlocked shares move first, then
    /// locked ones (latest release first), which stay locked at the receiver on the same schedule.
    /// ISSUER_ROLE. Emits {Transfer} and {ForcedTransfer}.
    function forceTransfer(address from, address to, uint256 amount, string calldata reason) external;

    /// @notice Move the whole balance and the lock-up lots of `lostWallet` to `newWallet`, which
    /// the registry maps to the same investor (`lostWallet` may already be removed from the
    /// registry), else {InvestorMismatch}. `newWallet` must be able to receive: codes 3, 5 and 6
    /// ({TransferRestricted}; a frozen new wallet is refused, the shares would be stranded there).
    /// `newWallet` keeps its own delegation and votes; only an empty `newWallet` that never chose a
    /// delegate takes over a delegation of `lostWallet` to another wallet ({DelegateChanged}).
    /// Ignores pause and the lost wallet's frozen flag. ISSUER_ROLE. Emits {Transfer} and {WalletRecovered}.
    function recover(address lostWallet, address newWallet) external;

    /// @notice Stop transfers (code 1). PAUSER_ROLE. Issuance, redemption and issuer actions go on.
    function pause() external;

    /// @notice Resume transfers. PAUSER_ROLE.
    function unpause() external;

    /// @notice Change the authorized-shares cap (not below the total supply). DEFAULT_ADMIN_ROLE
    /// (the timelock). Emits {AuthorizedChanged}.
    function setAuthorized(uint256 newAuthorized) external;

    /// @notice Count the issuer's moves (issue, issueVested, issueBatch, redeem, forceTransfer,
    /// recover) with `bound` (zero: none). DEFAULT_ADMIN_ROLE. Emits {IssuerBoundChanged}.
    function setIssuerBound(IIssuerBound bound) external;

    /// @notice Let `minter` (a MINTER_ROLE holder) issue `shares` base units more, replacing what
    /// was left. DEFAULT_ADMIN_ROLE. Emits {MintAllowanceChanged}.
    function setMintAllowance(address minter, uint256 shares) external;

    /// @notice Change the investor cap (0: none; not below the current holder count).
    /// DEFAULT_ADMIN_ROLE. Emits {MaxHoldersChanged}.
    function setMaxHolders(uint32 newMaxHolders) external;

    /// @notice Refuse (or accept again) receivers registered in `jurisdiction`. DEFAULT_ADMIN_ROLE.
    /// Emits {JurisdictionBlockChanged}.
    function setJurisdictionBlocked(bytes2 jurisdiction, bool blocked) external;

    /// @notice Refuse receivers registered in `jurisdiction` until `until` (unix seconds; 0 lifts any
    /// block), with no transaction when the date passes. DEFAULT_ADMIN_ROLE. Emits
    /// {JurisdictionBlockedUntil} when something changes.
    function setJurisdictionBlockedUntil(bytes2 jurisdiction, uint40 until) external;

    /// @notice From now on, ask the registry for codes 10-12 and report investors that start or stop
    /// holding (SPEC §15). Only the registry, when governance first gives the class category rules
    /// ({ICategoryRules-setCategoryRules}); never undone.
    function enableCategoryRules() external;

    /// @notice True while transfers are paused.
    function paused() external view returns (bool);

    /// @notice The authorized-shares cap.
    function authorized() external view returns (uint256);

    /// @notice The investor cap (0: none).
    function maxHolders() external view returns (uint32);

    /// @notice The number of investors with a positive balance (wallets of one investor count once).
    function holderCount() external view returns (uint32);

    /// @notice How many wallets of the investor at `investorIndex` (the registry's
    /// `investorIndexOf`) hold shares of this class; 0 means the investor is not a holder, so
    /// shares issued to it would count toward `maxHolders`.
    function holdingWalletsOf(uint32 investorIndex) external view returns (uint256);

    /// @notice True when receivers registered in `jurisdiction` are refused. (The list of blocked
    /// jurisdictions is in the {JurisdictionBlockChanged} events; the toolkit's ledger folds them.)
    function isJurisdictionBlocked(bytes2 jurisdiction) external view returns (bool);


    /// @notice The holder registry this class reads.
    function registry() external view returns (IHolderRegistry);

    /// @notice The contract counting the issuer's moves (zero: none).
    function issuerBound() external view returns (IIssuerBound);

    /// @notice What `minter` may still issue, in base units.
    function mintAllowance(address minter) external view returns (uint256);

    /// @notice The shares of `holder` still locked now.
    function lockedBalanceOf(address holder) external view returns (uint256);

    /// @notice The shares of `holder` free to transfer now (balance minus locked).
    function unlockedBalanceOf(address holder) external view returns (uint256);

    /// @notice The live lock-up lots of `holder`.
    function lockupLotsOf(address holder) external view returns (LockupLot[] memory);
}
