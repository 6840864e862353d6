// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IHolderRegistry} from "../interfaces/IHolderRegistry.sol";
import {IShareClass} from "../interfaces/IShareClass.sol";
import {ISubscriptionRound} from "../interfaces/ISubscriptionRound.sol";
import {HolderRecord} from "../registry/HolderRecord.sol";
import {RoundCodes} from "./RoundCodes.sol";

/// @title One subscription round of one share class (SPEC §11)
/// @notice Immutable terms, one contract per round: a round's rules can be read from its code and
/// constructor arguments alone, and a round that goes wrong cannot touch another's escrow.
///
/// Money: without a soft cap a subscription moves the payment from the buyer straight to the
/// proceeds address and issues in the same transaction; with one, the payment waits here until
/// {close} decides, then {settle} issues and pays the proceeds (or {refund} pays it back). Every
/// payment is checked by the receiver's balance change, so a token that takes a fee is refused;
/// SafeERC20 refuses a token that returns false; every entry point is `nonReentrant` and updates
/// the books before it calls out, so a token that calls back cannot break the accounting.
///
/// Roles: DEFAULT_ADMIN_ROLE (the offering's timelock), MANAGER_ROLE (the issuer who opened it:
/// close early, cancel). The round issues through the class token's `issue`/`issueVested` as a
/// minter: it needs the class's MINTER_ROLE and a mint allowance (governance's `approve-round`, or
/// deploy for an offering's first rounds); {restrictionOf} answers 27 without them.
contract SubscriptionRound is ISubscriptionRound, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice May close the round before its closing time and cancel it.
    bytes32 public constant MANAGER_ROLE = keccak256("MANAGER_ROLE");
    /// @dev The class token's role a round issues with (granted with a mint allowance by governance).
    bytes32 private constant CLASS_MINTER_ROLE = keccak256("MINTER_ROLE");

    IShareClass private immutable _shareClass;
    IHolderRegistry private immutable _registry;
    IERC20 private immutable _paymentToken;
    /// @notice The payment token's decimals, read once from the token.
    uint8 public immutable paymentDecimals;
    uint256 private immutable _price;
    uint64 private immutable _opens;
    uint64 private immutable _closes;
    uint256 private immutable _hardCap;
    uint256 private immutable _softCap;
    uint256 private immutable _minTicket;
    uint256 private immutable _maxTicket;
    uint256 private immutable _maxPerTransaction;
    bool private immutable _accreditedOnly;
    uint64 private immutable _lockStart;
    uint64 private immutable _lockCliff;
    uint64 private immutable _lockEnd;
    address private immutable _proceedsTo;

    /// @dev What a subscription reads and writes, in one slot.
    struct Books {
        uint96 sold;
        uint96 issued;
        uint32 investors;
        uint8 outcome; // 0 while running, else State.Settled, State.Cancelled or State.Failed
    }

    Books private _books;
    /// @dev Payments held in escrow (soft-cap rounds only).
    uint256 private _escrowed;
    /// @dev Per investor (registry index), packed so that most new investors write a word already
    /// in use (5,000 gas) instead of a new one (22,100): with ticket limits the investor's running
    /// total (two 128-bit totals a word; totals stay below the hard cap, < 2^96), without them only
    /// whether it subscribed (256 flags a word), all {investors} needs.
    mapping(uint256 word => uint256 packed) private _investorWords;
    /// @dev True when the terms set a minimum or maximum ticket (the totals above are kept).
    bool private immutable _keepsTotals;
    mapping(address wallet => uint256 shares) private _pending;
    mapping(address wallet => bool) private _rejected;
    /// @dev Escrowed subscribers in the order of their first subscription; {settle} walks it.
    address[] private _subscribers;
    uint256 private _settleCursor;

    /// @param terms_ the terms (see {ISubscriptionRound-Terms})
    /// @param admin gets DEFAULT_ADMIN_ROLE (the offering's timelock)
    /// @param manager gets MANAGER_ROLE (the issuer)
    constructor(Terms memory terms_, address admin, address manager) {
        if (address(terms_.shareClass) == address(0) || address(terms_.paymentToken) == address(0)) {
            revert InvalidRoundTerms("share class and payment token must be set");
        }
        if (terms_.pricePerUnit == 0) revert InvalidRoundTerms("price must be positive");
        if (terms_.opens >= terms_.closes) revert InvalidRoundTerms("opens must be before closes");
        if (terms_.hardCap == 0 || terms_.hardCap > type(uint96).max) revert InvalidRoundTerms("hard cap out of range");
        if (terms_.softCap > terms_.hardCap) revert InvalidRoundTerms("soft cap above hard cap");
        if (terms_.maxTicket != 0 && terms_.minTicket > terms_.maxTicket) {
            revert InvalidRoundTerms("min ticket above max ticket");
        }
        if (!(terms_.lockStart <= terms_.lockCliff && terms_.lockCliff <= terms_.lockEnd)) {
            revert InvalidRoundTerms("lock-up needs start <= cliff <= end");
        }
        if (terms_.proceedsTo == address(0) || terms_.proceedsTo == address(this)) {
            revert InvalidRoundTerms("proceeds address must be set");
        }
        _shareClass = terms_.shareClass;
        _registry = terms_.shareClass.registry();
        _paymentToken = terms_.paymentToken;
        paymentDecimals = IERC20Metadata(address(terms_.paymentToken)).decimals();
        _price = terms_.pricePerUnit;
        _opens = terms_.opens;
        _closes = terms_.closes;
        _hardCap = terms_.hardCap;
        _softCap = terms_.softCap;
        _minTicket = terms_.minTicket;
        _maxTicket = terms_.maxTicket;
        _maxPerTransaction = terms_.maxPerTransaction;
        _keepsTotals = terms_.minTicket != 0 || terms_.maxTicket != 0;
        _accreditedOnly = terms_.accreditedOnly;
        _lockStart = terms_.lockStart;
        _lockCliff = terms_.lockCliff;
        _lockEnd = terms_.lockEnd;
        _proceedsTo = terms_.proceedsTo;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MANAGER_ROLE, manager);
    }

    // ------------------------------------------------------------------ investors

    /// @inheritdoc ISubscriptionRound
    function subscribe(uint256 shares) external nonReentrant {
        _subscribe(shares);
    }

    /// @inheritdoc ISubscriptionRound
    function subscribeWithPermit(uint256 shares, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
    {
        // A permit someone else already submitted (front-running) is no reason to fail: the
        // allowance is what counts, and transferFrom checks it.
        try IERC20Permit(address(_paymentToken)).permit(msg.sender, address(this), shares * _price, deadline, v, r, s) {}
            catch {}
        _subscribe(shares);
    }

    /// @inheritdoc ISubscriptionRound
    function refund(address wallet) external nonReentrant {
        uint256 shares = _pending[wallet];
        uint8 outcome = _books.outcome;
        bool refundable = outcome == uint8(State.Cancelled) || outcome == uint8(State.Failed) || _rejected[wallet];
        if (shares == 0 || !refundable) revert NothingToRefund(wallet);
        uint256 amount = shares * _price;
        _pending[wallet] = 0;
        _escrowed -= amount;
        emit Refunded(wallet, amount);
        _paymentToken.safeTransfer(wallet, amount);
    }

    // ------------------------------------------------------------------ the issuer

    /// @inheritdoc ISubscriptionRound
    function close() external nonReentrant {
        State current = state();
        if (current == State.Scheduled || uint8(current) >= uint8(State.Settled)) revert InvalidRoundState(current);
        if (current == State.Open && !hasRole(MANAGER_ROLE, msg.sender)) revert RoundStillOpen(_closes);
        Books memory books = _books;
        State outcome = books.sold >= _softCap ? State.Settled : State.Failed;
        books.outcome = uint8(outcome);
        _books = books;
        emit RoundClosed(outcome, books.sold);
    }

    /// @inheritdoc ISubscriptionRound
    function settle(uint256 count) external nonReentrant returns (uint256 remaining) {
        Books memory books = _books;
        if (books.outcome != uint8(State.Settled)) revert InvalidRoundState(state());
        uint256 cursor = _settleCursor;
        uint256 end = _subscribers.length;
        if (count < end - cursor) end = cursor + count;
        // effects first: every decision and the books, then the issuances and the one payment
        address[] memory wallets = new address[](end - cursor);
        uint256[] memory amounts = new uint256[](end - cursor);
        uint256 accepted = 0;
        uint256 proceeds = 0;
        uint256 unissued = 0;
        for (; cursor < end; ++cursor) {
            address wallet = _subscribers[cursor];
            uint256 shares = _pending[wallet];
            if (shares == 0) continue;
            uint8 code = _classCode(wallet, shares, unissued + shares);
            if (code == RoundCodes.OK && !_mayMint(unissued + shares)) code = RoundCodes.ROUND_NOT_APPROVED;
            if (code != RoundCodes.OK) {
                _rejected[wallet] = true;
                books.sold -= SafeCast.toUint96(shares);
                emit SubscriptionRejected(wallet, code, shares, shares * _price);
                continue;
            }
            unissued += shares;
            _pending[wallet] = 0;
            books.issued += SafeCast.toUint96(shares);
            proceeds += shares * _price;
            wallets[accepted] = wallet;
            amounts[accepted] = shares;
            ++accepted;
            emit SharesSold(wallet, shares, shares * _price, _price);
        }
        _settleCursor = cursor;
        _books = books;
        _escrowed -= proceeds;
        for (uint256 i = 0; i < accepted; ++i) {
            _issue(wallets[i], amounts[i]);
        }
        if (proceeds != 0) _pay(address(this), _proceedsTo, proceeds);
        return _subscribers.length - cursor;
    }

    /// @inheritdoc ISubscriptionRound
    function cancel() external onlyRole(MANAGER_ROLE) nonReentrant {
        Books memory books = _books;
        if (books.outcome != 0) revert InvalidRoundState(state());
        books.outcome = uint8(State.Cancelled);
        _books = books;
        emit RoundCancelled(books.sold);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ISubscriptionRound
    function restrictionOf(address buyer, uint256 shares) external view returns (uint8) {
        return _restriction(buyer, _registry.recordOf(buyer), shares, _books, true);
    }

    /// @inheritdoc ISubscriptionRound
    function messageForRestriction(uint8 code) external view returns (string memory) {
        if (code < RoundCodes.ROUND_NOT_OPEN) return _shareClass.messageForTransferRestriction(code);
        return RoundCodes.message(code);
    }

    /// @inheritdoc ISubscriptionRound
    function terms() external view returns (Terms memory) {
        return Terms({
            shareClass: _shareClass,
            paymentToken: _paymentToken,
            pricePerUnit: _price,
            opens: _opens,
            closes: _closes,
            hardCap: _hardCap,
            softCap: _softCap,
            minTicket: _minTicket,
            maxTicket: _maxTicket,
            maxPerTransaction: _maxPerTransaction,
            accreditedOnly: _accreditedOnly,
            lockStart: _lockStart,
            lockCliff: _lockCliff,
            lockEnd: _lockEnd,
            proceedsTo: _proceedsTo
        });
    }

    /// @inheritdoc ISubscriptionRound
    function state() public view returns (State) {
        Books memory books = _books;
        if (books.outcome != 0) return State(books.outcome);
        if (block.timestamp < _opens) return State.Scheduled;
        if (block.timestamp >= _closes || books.sold >= _hardCap) return State.Closed;
        return State.Open;
    }

    /// @inheritdoc ISubscriptionRound
    function sold() external view returns (uint256) {
        return _books.sold;
    }

    /// @inheritdoc ISubscriptionRound
    function issued() external view returns (uint256) {
        return _books.issued;
    }

    /// @inheritdoc ISubscriptionRound
    function escrowed() external view returns (uint256) {
        return _escrowed;
    }

    /// @inheritdoc ISubscriptionRound
    function investors() external view returns (uint32) {
        return _books.investors;
    }

    /// @inheritdoc ISubscriptionRound
    function subscribedBy(uint32 investorIndex) external view returns (uint256) {
        (uint256 key, uint256 shift, uint256 mask) = _investorSlot(investorIndex);
        return (_investorWords[key] >> shift) & mask;
    }

    /// @inheritdoc ISubscriptionRound
    function pendingOf(address wallet) external view returns (uint256) {
        return _pending[wallet];
    }

    /// @inheritdoc ISubscriptionRound
    function unsettledCount() external view returns (uint256) {
        return _subscribers.length - _settleCursor;
    }

    // ------------------------------------------------------------------ internals

    /// @dev Checks, books, then the payment and (without a soft cap) the issuance. An atomic
    /// subscription checks the round's own codes here: the class's (codes 3-12, authorized shares)
    /// are enforced by the token's `issue` in the same transaction, which reverts with the token's
    /// error; {restrictionOf} answers them all first.
    function _subscribe(uint256 shares) private {
        address buyer = msg.sender;
        HolderRecord record = _registry.recordOf(buyer);
        Books memory books = _books;
        bool atomic = _softCap == 0;
        uint8 code = _restriction(buyer, record, shares, books, !atomic);
        if (code != RoundCodes.OK) revert RoundRestricted(code, buyer, shares);
        uint32 investor = record.investorIndex();
        _count(investor, shares, books);
        books.sold += SafeCast.toUint96(shares);
        uint256 cost = shares * _price;
        if (atomic) books.issued += uint96(shares);
        _books = books;
        if (atomic) {
            emit SharesSold(buyer, shares, cost, _price);
            _pay(buyer, _proceedsTo, cost);
            _issue(buyer, shares);
        } else {
            uint256 pending = _pending[buyer];
            if (pending == 0 && !_rejected[buyer]) _subscribers.push(buyer);
            _pending[buyer] = pending + shares;
            emit Subscribed(buyer, investor, shares, cost);
            _escrowed += cost;
            _pay(buyer, address(this), cost);
        }
    }

    /// @dev Count `investor` (once) in `books` and, in a round with ticket limits, add `shares` to
    /// its running total; one word written, only when it changes.
    function _count(uint32 investor, uint256 shares, Books memory books) private {
        (uint256 key, uint256 shift, uint256 mask) = _investorSlot(investor);
        uint256 word = _investorWords[key];
        bool first = ((word >> shift) & mask) == 0;
        if (first) ++books.investors;
        if (_keepsTotals) {
            _investorWords[key] = word + (shares << shift); // the total stays below 2^96: no carry
        } else if (first) {
            _investorWords[key] = word | (1 << shift);
        }
    }

    /// @dev Where `investor`'s entry lies in {_investorWords}: the word, the bit offset, the mask.
    function _investorSlot(uint32 investor) private view returns (uint256 key, uint256 shift, uint256 mask) {
        if (_keepsTotals) return (investor >> 1, uint256(investor & 1) * 128, type(uint128).max);
        return (investor >> 8, investor & 0xff, 1);
    }

    /// @dev The class's issuance code first (`withClass`; an atomic subscription leaves it to the
    /// token's `issue`), then 20-26 in order, then 27 (the round lacks the issuing power).
    function _restriction(address buyer, HolderRecord record, uint256 shares, Books memory books, bool withClass)
        private
        view
        returns (uint8 code)
    {
        uint256 unissued = books.sold - books.issued;
        if (withClass) code = _classCode(buyer, shares, unissued + shares);
        if (code != RoundCodes.OK && code != RoundCodes.ROUND_SOLD_OUT) return code;
        code = _roundCode(record, shares, books, code == RoundCodes.ROUND_SOLD_OUT);
        if (code == RoundCodes.OK && !_mayMint(unissued + shares)) code = RoundCodes.ROUND_NOT_APPROVED;
    }

    /// @dev Whether the round holds the class's MINTER_ROLE with an allowance for `shares` more
    /// (the class token refuses anything else: {_issue} would revert).
    function _mayMint(uint256 shares) private view returns (bool) {
        if (!IAccessControl(address(_shareClass)).hasRole(CLASS_MINTER_ROLE, address(this))) return false;
        return _shareClass.mintAllowance(address(this)) >= shares;
    }

    /// @dev The round's own codes 20-26 in order (`classSoldOut`: the class's authorized shares
    /// would be passed, answered as ROUND_SOLD_OUT in its place).
    function _roundCode(HolderRecord record, uint256 shares, Books memory books, bool classSoldOut)
        private
        view
        returns (uint8)
    {
        if (books.outcome != 0 || block.timestamp >= _closes) return RoundCodes.ROUND_CLOSED;
        if (block.timestamp < _opens) return RoundCodes.ROUND_NOT_OPEN;
        if (shares == 0) return RoundCodes.BELOW_MIN_TICKET;
        if (_keepsTotals) {
            (uint256 key, uint256 shift, uint256 mask) = _investorSlot(record.investorIndex());
            uint256 total = ((_investorWords[key] >> shift) & mask) + shares;
            if (total < _minTicket) return RoundCodes.BELOW_MIN_TICKET;
            if (_maxTicket != 0 && total > _maxTicket) return RoundCodes.ABOVE_MAX_TICKET;
        }
        if (_maxPerTransaction != 0 && shares > _maxPerTransaction) return RoundCodes.ABOVE_TRANSACTION_LIMIT;
        if (classSoldOut || books.sold + shares > _hardCap) return RoundCodes.ROUND_SOLD_OUT;
        if (_accreditedOnly && !record.accredited()) return RoundCodes.NOT_ACCREDITED;
        return RoundCodes.OK;
    }

    /// @dev The class's answer to issuing `shares` to `wallet` (its ERC-1404 issuance code), and
    /// ROUND_SOLD_OUT when `unissued` more shares would pass the class's authorized shares.
    function _classCode(address wallet, uint256 shares, uint256 unissued) private view returns (uint8 code) {
        code = _shareClass.detectTransferRestriction(address(0), wallet, shares);
        if (code == RoundCodes.OK && IERC20(address(_shareClass)).totalSupply() + unissued > _shareClass.authorized()) {
            code = RoundCodes.ROUND_SOLD_OUT;
        }
    }

    /// @dev Issue `shares` to `wallet` under the round's lock-up or vesting.
    function _issue(address wallet, uint256 shares) private {
        if (_lockStart == _lockEnd) {
            _shareClass.issue(wallet, shares, _lockEnd);
        } else {
            _shareClass.issueVested(wallet, shares, _lockStart, _lockCliff, _lockEnd);
        }
    }

    /// @dev Move `amount` from `from` to `to`, refusing a token that delivers less (a fee).
    function _pay(address from, address to, uint256 amount) private {
        uint256 before = _paymentToken.balanceOf(to);
        if (from == address(this)) {
            _paymentToken.safeTransfer(to, amount);
        } else {
            _paymentToken.safeTransferFrom(from, to, amount);
        }
        uint256 received = _paymentToken.balanceOf(to) - before;
        if (received != amount) revert PaymentShortfall(amount, received);
    }
}
