// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IIssuerBound} from "../interfaces/IIssuerBound.sol";
import {IShareClass} from "../interfaces/IShareClass.sol";
import {LockupBook} from "../token/LockupBook.sol";

/// @title Stock splits of share classes, run in resumable batches (SPEC §14, issue 15)
/// @notice The class token has no room for a scale factor, so a split is eager: every holder is
/// issued `numerator - 1` new shares per share, the new shares locked exactly as the holder's
/// live lock-up lots are (a plain lock-up: the same release time, merged into the holder's lot; a
/// vesting lot: the same schedule before its cliff, else what is still locked released linearly
/// until the same end). Balances, locked amounts, vesting, votes (the new shares follow the
/// holder's delegation) and `authorized` so scale together.
///
/// One agent per chain serves any class token. A split is a governance action: the token's admin
/// (the offering's timelock) makes this agent an admin of the token and calls {start} in the same
/// proposal. {start} takes what the split needs and no more: MINTER_ROLE with a mint allowance of
/// exactly `supply * (numerator - 1)` (so the issuer's rolling bound is not consumed and no share
/// beyond the split can be minted), PAUSER_ROLE to stop transfers while the batches run, and the
/// authorized cap scaled. The issuer runs the batches ({run}, holders in strictly increasing
/// address order: a cursor, so a rerun never scales a holder twice); {finish} checks that the
/// pre-split balances covered add up to the supply before the split (no holder missed), resumes
/// transfers and gives every role back.
///
/// Transfers stay paused from {start} to {finish}: a transfer between a scaled and a not yet
/// scaled holder would otherwise create or destroy shares. The issuer's own moves are not stopped
/// by the token; one during a split makes {finish} refuse (the covered balances no longer add up),
/// and governance keeps its admin role throughout (it can revoke the agent's roles at any time).
///
/// A consolidation (1:N, {startConsolidation}) runs the same way, holder by holder: each holder
/// keeps whole new shares only (`balance / N` rounded down to a whole share); the remainder
/// (balance mod N whole shares) is cancelled and paid in cash at the price governance set (per old
/// whole share, in the payment token's base units) with SafeERC20, out of funds the agent took
/// from the treasury at the start (what is left goes back at the end); without a price a holder
/// with a remainder makes the batch revert ({FractionWithoutPrice}). A holder without lock-up lots only has the surplus redeemed; a holder
/// with lots is redeemed whole and re-issued, each live lot scaled on what it still locks, rounded
/// UP (no share unlocks early) within the new balance. The agent takes ISSUER_ROLE (to redeem) and
/// stands in as the token's issuer bound until {finish}: it counts its own redemptions as nothing
/// (they are the consolidation, not the issuer's moves) and refuses every other issuer move while
/// the consolidation runs; {finish} puts the governance's bound back and scales `authorized` down.
/// Before any holder is scaled, governance (the token's admin) may {cancel} a split or a
/// consolidation (e.g. one that would leave a fraction without a price): everything is undone.
contract SplitAgent is ReentrancyGuard {
    using SafeERC20 for IERC20;

    bytes32 private constant DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 private constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    bytes32 private constant MINTER_ROLE = keccak256("MINTER_ROLE");
    bytes32 private constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice The split of one class token (the last one, or the one running).
    /// @param id how many splits of the token this agent has started (the current one's number)
    /// @param numerator new shares per `denominator` old ones (2:1 forward: 2 and 1)
    /// @param running between {start} and {finish}
    /// @param pausedByAgent {start} paused transfers (so {finish} resumes them)
    /// @param cursor the last holder scaled (holders are taken in increasing address order)
    /// @param supplyBefore the total supply when the split started
    /// @param covered the pre-split balances of the holders scaled so far
    struct Split {
        uint32 id;
        uint32 numerator;
        uint32 denominator;
        bool running;
        bool pausedByAgent;
        address cursor;
        uint256 supplyBefore;
        uint256 covered;
    }

    /// @notice The cash in lieu of a consolidation (zero `price`: fractions are refused).
    /// @param payment the token cash is paid in
    /// @param price per old whole share, in the payment token's base units
    /// @param treasury who funded it (the admin that started it): gets back what is not paid
    /// @param bound the token's issuer bound before, put back by {finish}
    /// @param funds the cash this agent took for it (at the start, and any {fund} since)
    /// @param paid cash paid so far
    struct Cash {
        IERC20 payment;
        uint256 price;
        address treasury;
        IIssuerBound bound;
        uint256 funds;
        uint256 paid;
    }

    mapping(IShareClass token => Split) private _splits;
    mapping(IShareClass token => Cash) private _cash;
    /// @dev The token whose holders {run} is consolidating now (its redemptions pass {consume}).
    address private _redeeming;

    /// @notice Governance started split `id` of `token` at `numerator`:`denominator`.
    event SplitStarted(
        address indexed token, uint256 indexed id, uint256 numerator, uint256 denominator, uint256 supplyBefore
    );
    /// @notice The issuer scaled `holders` more holders of `token` (their pre-split balances: `covered`).
    event SplitProgress(address indexed token, uint256 indexed id, uint256 holders, uint256 covered, address cursor);
    /// @notice Consolidation `id` of `token` pays fractions at `price` base units of `payment` per
    /// old whole share (zero: fractions refused).
    event CashInLieuTerms(address indexed token, uint256 indexed id, address payment, uint256 price);
    /// @notice `holder`'s fraction, `shares` old base units, was cancelled and paid `paid`.
    event CashInLieu(address indexed token, uint256 indexed id, address indexed holder, uint256 shares, uint256 paid);
    /// @notice Governance cancelled split `id` of `token` before any holder was scaled.
    event SplitCancelled(address indexed token, uint256 indexed id);
    /// @notice Split `id` of `token` is complete: every holder scaled, transfers resumed, roles given back.
    event SplitFinished(address indexed token, uint256 indexed id, uint256 supplyAfter);

    /// @notice Only the token's admin (governance) may start a split.
    error NotTokenAdmin(address token, address caller);
    /// @notice Only the token's issuer may run a split's batches.
    error NotTokenIssuer(address token, address caller);
    /// @notice A split is already running for `token`.
    error SplitRunning(address token);
    /// @notice No split is running for `token`.
    error NoSplitRunning(address token);
    /// @notice Only forward splits (N:1, N > 1) and consolidations (1:N, N > 1) are supported.
    error InvalidSplitRatio(uint256 numerator, uint256 denominator);
    /// @notice Holders must come in strictly increasing address order, after the cursor.
    error HolderOutOfOrder(address holder, address cursor);
    /// @notice Transfers were resumed during the split (someone unpaused the class).
    error SplitInterrupted(address token);
    /// @notice `holder`'s balance leaves `remainder` old base units, and no cash in lieu is set.
    error FractionWithoutPrice(address holder, uint256 remainder);
    /// @notice Cash in lieu needs a payment token.
    error NoPaymentToken();
    /// @notice Paying `holder` `amount` would exceed the consolidation's funds (`left`): {fund} it.
    error CashShort(address holder, uint256 amount, uint256 left);
    /// @notice No consolidation with cash in lieu of `token` is running.
    error NoCashInLieu(address token);
    /// @notice Holders were already scaled: the split can only be finished, not cancelled.
    error SplitUnderway(address token, uint256 covered);
    /// @notice The issuer's moves are suspended while a consolidation of `token` runs.
    error IssuerMovesSuspended(address token);
    /// @notice The holders scaled so far held `covered` of the `supplyBefore` shares: some remain.
    error SplitIncomplete(address token, uint256 covered, uint256 supplyBefore);

    /// @notice Start a `numerator`:`denominator` split of `token`. The caller is the token's admin
    /// (the timelock, in the proposal that first made this agent an admin of the token).
    function start(IShareClass token, uint32 numerator, uint32 denominator) external nonReentrant {
        _onlyAdmin(token);
        if (denominator != 1 || numerator < 2) revert InvalidSplitRatio(numerator, denominator);
        uint256 supply = _begin(token, numerator, denominator);
        token.setMintAllowance(address(this), supply * (numerator - 1));
        token.setAuthorized(token.authorized() * numerator);
    }

    /// @notice Start a 1:`denominator` consolidation of `token`, paying each holder's fraction at
    /// `price` base units of `payment` per old whole share (zero: a holder with a fraction is
    /// refused) out of `funds`, which this agent takes from the caller now (approve it first) and
    /// gives back what is left at {finish} or {cancel}. The caller is the token's admin (the
    /// timelock). `authorized` scales down at {finish}.
    function startConsolidation(IShareClass token, uint32 denominator, IERC20 payment, uint256 price, uint256 funds)
        external
        nonReentrant
    {
        _onlyAdmin(token);
        if (denominator < 2) revert InvalidSplitRatio(1, denominator);
        if (price != 0 && address(payment) == address(0)) revert NoPaymentToken();
        uint256 supply = _begin(token, 1, denominator);
        if (price == 0) funds = 0;
        _cash[token] = Cash(payment, price, msg.sender, token.issuerBound(), funds, 0);
        emit CashInLieuTerms(address(token), _splits[token].id, address(payment), price);
        IAccessControl(address(token)).grantRole(ISSUER_ROLE, address(this));
        token.setMintAllowance(address(this), supply / denominator);
        token.setIssuerBound(IIssuerBound(address(this)));
        if (funds != 0) payment.safeTransferFrom(msg.sender, address(this), funds);
    }

    /// @notice Add `amount` of the payment token (from the caller, who approved this agent) to
    /// the running consolidation of `token`; what is not paid goes to its treasury at the end. Anyone.
    function fund(IShareClass token, uint256 amount) external nonReentrant {
        Cash storage cash = _cash[token];
        if (!_splits[token].running || cash.price == 0) revert NoCashInLieu(address(token));
        cash.funds += amount;
        cash.payment.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice The issuer bound's hook while this agent stands in as `msg.sender`'s bound (a
    /// consolidation): its own redemptions pass, every other issuer move is refused.
    function consume(uint256, uint256) external view {
        if (_redeeming != msg.sender) revert IssuerMovesSuspended(msg.sender);
    }

    /// @notice Scale `holders` (strictly increasing addresses, each after the cursor; a holder
    /// without shares is passed over). The token's ISSUER_ROLE.
    /// @dev Each holder counts as scaled (cursor, covered) before the token's calls for it; the
    /// next holder's writes follow the previous holder's calls, which is safe: every entry point
    /// of the agent is nonReentrant, and the token is one whose admin started the split.
    // slither-disable-next-line reentrancy-no-eth
    function run(IShareClass token, address[] calldata holders) external nonReentrant {
        if (!IAccessControl(address(token)).hasRole(ISSUER_ROLE, msg.sender)) {
            revert NotTokenIssuer(address(token), msg.sender);
        }
        Split storage split = _splits[token];
        if (!split.running) revert NoSplitRunning(address(token));
        if (!token.paused()) revert SplitInterrupted(address(token));
        bool forward = split.denominator == 1;
        uint256 extraPerShare = split.numerator - 1;
        uint256 lotSize = uint256(split.denominator) * 10 ** IERC20Metadata(address(token)).decimals();
        if (!forward) _redeeming = address(token);
        address cursor = split.cursor;
        uint256 covered = split.covered;
        for (uint256 i = 0; i < holders.length; ++i) {
            address holder = holders[i];
            if (holder <= cursor) revert HolderOutOfOrder(holder, cursor);
            cursor = holder;
            uint256 balance = IERC20(address(token)).balanceOf(holder);
            // a holder without shares has nothing to scale (its balance cannot be forced to move
            // meanwhile: transfers are paused)
            // slither-disable-next-line incorrect-equality
            if (balance == 0) continue;
            covered += balance;
            // effects before the token's calls: the holder counts as scaled
            split.cursor = cursor;
            split.covered = covered;
            if (forward) _scale(token, holder, balance, extraPerShare);
            else _consolidate(token, split, holder, balance, lotSize);
        }
        if (!forward) _redeeming = address(0);
        split.cursor = cursor;
        emit SplitProgress(address(token), split.id, holders.length, covered, cursor);
    }

    /// @notice End the running split of `token` once every holder is scaled: resume transfers (if
    /// {start} paused them) and give back every role the split took. Anyone.
    function finish(IShareClass token) external nonReentrant {
        Split storage split = _splits[token];
        if (!split.running) revert NoSplitRunning(address(token));
        if (split.covered != split.supplyBefore) {
            revert SplitIncomplete(address(token), split.covered, split.supplyBefore);
        }
        split.running = false;
        emit SplitFinished(address(token), split.id, IERC20(address(token)).totalSupply());
        if (split.denominator != 1) token.setAuthorized(token.authorized() / split.denominator);
        _release(token, split);
    }

    /// @notice Undo the running split of `token` before any holder is scaled (e.g. a
    /// consolidation that would leave a fraction without a price): `authorized`, the issuer bound
    /// and transfers as before, every role given back. The token's admin (governance).
    function cancel(IShareClass token) external nonReentrant {
        _onlyAdmin(token);
        Split storage split = _splits[token];
        if (!split.running) revert NoSplitRunning(address(token));
        if (split.covered != 0) revert SplitUnderway(address(token), split.covered);
        split.running = false;
        emit SplitCancelled(address(token), split.id);
        if (split.denominator == 1) token.setAuthorized(token.authorized() / split.numerator);
        _release(token, split);
    }

    /// @notice The cash in lieu of the last (or running) consolidation of `token`.
    function cashOf(IShareClass token) external view returns (Cash memory) {
        return _cash[token];
    }

    /// @notice The split of `token`: the last one, or the one running.
    function splitOf(IShareClass token) external view returns (Split memory) {
        return _splits[token];
    }

    /// @dev Refuse a caller that is not `token`'s admin (governance).
    function _onlyAdmin(IShareClass token) private view {
        if (!IAccessControl(address(token)).hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert NotTokenAdmin(address(token), msg.sender);
        }
    }

    /// @dev Take the roles a split needs (the caller: the token's admin), pause, record it.
    function _begin(IShareClass token, uint32 numerator, uint32 denominator) private returns (uint256 supply) {
        IAccessControl roles = IAccessControl(address(token));
        Split storage split = _splits[token];
        if (split.running) revert SplitRunning(address(token));
        supply = IERC20(address(token)).totalSupply();
        bool wasPaused = token.paused();
        uint32 id = split.id + 1;
        _splits[token] = Split(id, numerator, denominator, true, !wasPaused, address(0), supply, 0);
        emit SplitStarted(address(token), id, numerator, denominator, supply);
        roles.grantRole(MINTER_ROLE, address(this));
        roles.grantRole(PAUSER_ROLE, address(this));
        if (!wasPaused) token.pause();
    }

    /// @dev The end of a split (finished or cancelled): the issuer bound back (a consolidation),
    /// transfers resumed if {start} paused them, every role given back.
    function _release(IShareClass token, Split storage split) private {
        IAccessControl roles = IAccessControl(address(token));
        token.setMintAllowance(address(this), 0);
        uint256 refund = 0;
        Cash storage cash = _cash[token];
        if (split.denominator != 1) {
            refund = cash.funds - cash.paid;
            token.setIssuerBound(cash.bound);
            roles.renounceRole(ISSUER_ROLE, address(this));
        }
        if (split.pausedByAgent) token.unpause();
        roles.renounceRole(PAUSER_ROLE, address(this));
        roles.renounceRole(MINTER_ROLE, address(this));
        roles.renounceRole(DEFAULT_ADMIN_ROLE, address(this));
        if (refund != 0) cash.payment.safeTransfer(cash.treasury, refund);
    }

    /// @dev Consolidate `holder` (holding `balance`): keep whole new shares (`lotSize` old base
    /// units make one), pay the remainder in cash; lots scale down rounded up within what is kept.
    function _consolidate(IShareClass token, Split storage split, address holder, uint256 balance, uint256 lotSize)
        private
    {
        uint256 remainder = balance % lotSize;
        uint256 kept = (balance - remainder) / split.denominator;
        Cash storage cash = _cash[token];
        uint256 paid = 0;
        if (remainder != 0) {
            if (cash.price == 0) revert FractionWithoutPrice(holder, remainder);
            paid = Math.mulDiv(remainder, cash.price, lotSize / split.denominator);
            uint256 left = cash.funds - cash.paid;
            if (paid > left) revert CashShort(holder, paid, left);
            cash.paid += paid;
            emit CashInLieu(address(token), split.id, holder, remainder, paid);
        }
        _shrink(token, holder, balance, kept, split.denominator);
        if (paid != 0) cash.payment.safeTransfer(holder, paid);
    }

    /// @dev Bring `holder` from `balance` to `kept`: a holder without lots loses the surplus; one
    /// with lots is redeemed whole and re-issued `kept`, each live lot's locked part divided by
    /// `denominator` and rounded up (within `kept`, first lots first), the rest unlocked.
    function _shrink(IShareClass token, address holder, uint256 balance, uint256 kept, uint256 denominator) private {
        IShareClass.LockupLot[] memory lots = token.lockupLotsOf(holder);
        if (lots.length == 0) {
            if (balance != kept) token.redeem(holder, balance - kept);
            return;
        }
        token.redeem(holder, balance);
        uint256 t = block.timestamp;
        for (uint256 i = 0; i < lots.length && kept != 0; ++i) {
            uint256 amount = Math.min(Math.ceilDiv(LockupBook.lockedOf(lots[i], t), denominator), kept);
            // a lot that locks nothing any more is not re-issued
            // slither-disable-next-line incorrect-equality
            if (amount == 0) continue;
            kept -= amount;
            _reissue(token, holder, amount, lots[i], t);
        }
        if (kept != 0) token.issue(holder, kept, 0);
    }

    /// @dev Issue `amount` to `holder` locked as `lot` still locks at `t` (a plain lock-up: the
    /// same release; a vesting lot: the same schedule before its cliff, else linear from `t` to its end).
    function _reissue(IShareClass token, address holder, uint256 amount, IShareClass.LockupLot memory lot, uint256 t)
        private
    {
        if (lot.start == lot.end) {
            token.issue(holder, amount, lot.end);
        } else if (t < lot.cliff) {
            token.issueVested(holder, amount, lot.start, lot.cliff, lot.end);
        } else {
            token.issueVested(holder, amount, uint64(t), uint64(t), lot.end);
        }
    }

    /// @dev Issue `holder` (holding `balance`) `balance * extraPerShare` new shares, each live
    /// lock-up lot mirrored on what it still locks.
    function _scale(IShareClass token, address holder, uint256 balance, uint256 extraPerShare) private {
        IShareClass.LockupLot[] memory lots = token.lockupLotsOf(holder);
        uint256 t = block.timestamp;
        uint256 lockedExtra = 0;
        for (uint256 i = 0; i < lots.length; ++i) {
            IShareClass.LockupLot memory lot = lots[i];
            uint256 extra = LockupBook.lockedOf(lot, t) * extraPerShare;
            // a lot that locks nothing any more gets no mirror (issuance refuses a zero amount)
            // slither-disable-next-line incorrect-equality
            if (extra == 0) continue;
            lockedExtra += extra;
            _reissue(token, holder, extra, lot, t);
        }
        uint256 unlockedExtra = balance * extraPerShare - lockedExtra;
        if (unlockedExtra != 0) token.issue(holder, unlockedExtra, 0);
    }
}
