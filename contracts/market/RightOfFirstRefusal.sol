// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IRightOfFirstRefusal} from "./IRightOfFirstRefusal.sol";

/// @title The company's right of first refusal: the escrow of held trades (SPEC §12, issue 13)
/// @notice One per offering with a ROFR class, deployed with the offering's SecondaryMarket, which
/// alone opens notices ({open}, after moving the seller's shares and the buyer's payment here).
/// The company (EXERCISER_ROLE: the timelock, and the issuer when the offering names it) may
/// {exercise} or {waive} within the class's window; then anyone may {complete} (the terms are
/// fixed: shares to the buyer, payment to the seller), and from `unwindAfter` on (the window plus
/// {COMPLETION_PERIOD}) anyone may {unwind} an unsettled notice (everything back).
///
/// This contract is registered in the offering's HolderRegistry (as the company's investor id),
/// so the class token's rules apply to every move: into escrow (the seller's side: frozen,
/// lock-ups, pause) and out of it (the receiver's side, at the moment of settlement). A refused
/// settlement reverts with the token's code and leaves the notice as it was.
///
/// Money: one storage word per notice holds the hash of its terms and its status; a settled or
/// unwound notice can never be settled again (the status is written before any transfer, every
/// entry point is `nonReentrant`). What the contract holds of each token is exactly the sum over
/// its Open and Waived notices (shares of a class, payments of a payment token).
contract RightOfFirstRefusal is IRightOfFirstRefusal, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice May exercise and waive the company's right.
    bytes32 public constant EXERCISER_ROLE = keccak256("EXERCISER_ROLE");
    /// @notice After the window, how long the buyer has to complete before anyone may unwind.
    uint64 public constant COMPLETION_PERIOD = 30 days;
    /// @notice The longest window a class may have.
    uint16 public constant MAX_ROFR_DAYS = 3650;

    address private immutable _market;
    mapping(address shareClass => uint16 days_) private _rofrDays;
    /// @dev id => the terms' hash with its low byte replaced by the {Status}.
    mapping(uint256 id => uint256 word) private _notices;
    uint256 private _noticeCount;

    /// @param market_ the offering's SecondaryMarket (the only caller of {open})
    /// @param admin DEFAULT_ADMIN_ROLE and EXERCISER_ROLE: the offering's timelock
    /// @param exerciser a second EXERCISER_ROLE (the issuer, when the offering names it; 0: none)
    /// @param classes the classes with a right of first refusal, and their windows in days
    constructor(
        address market_,
        address admin,
        address exerciser,
        address[] memory classes,
        uint16[] memory days_
    ) {
        _market = market_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(EXERCISER_ROLE, admin);
        if (exerciser != address(0)) _grantRole(EXERCISER_ROLE, exerciser);
        for (uint256 i = 0; i < classes.length; ++i) {
            _setRofrDays(classes[i], days_[i]);
        }
    }

    /// @inheritdoc IRightOfFirstRefusal
    function open(
        bytes32 orderHash,
        address seller,
        address buyer,
        address shareClass,
        uint256 shares,
        address paymentToken,
        uint256 payment
    ) external nonReentrant {
        if (msg.sender != _market) revert OnlyMarket(msg.sender);
        uint64 windowEnd = uint64(block.timestamp) + uint64(_rofrDays[shareClass]) * 1 days;
        Notice memory terms =
            Notice(seller, buyer, shareClass, paymentToken, shares, payment, windowEnd, windowEnd + COMPLETION_PERIOD);
        uint256 id = ++_noticeCount;
        _notices[id] = _word(_hash(terms), Status.Open);
        emit NoticeOpened(id, orderHash, shareClass, terms);
    }

    /// @inheritdoc IRightOfFirstRefusal
    function exercise(uint256 id, Notice calldata terms, address to)
        external
        onlyRole(EXERCISER_ROLE)
        nonReentrant
    {
        bytes32 hash = _held(id, terms, Status.Open);
        if (block.timestamp >= terms.windowEnd) revert WindowClosed(id, terms.windowEnd);
        _notices[id] = _word(hash, Status.Exercised);
        emit NoticeExercised(id, msg.sender, to);
        IERC20 payment = IERC20(terms.paymentToken);
        uint256 before = payment.balanceOf(terms.seller);
        payment.safeTransferFrom(msg.sender, terms.seller, terms.payment);
        uint256 received = payment.balanceOf(terms.seller) - before;
        if (received != terms.payment) revert PaymentShortfall(terms.payment, received);
        IERC20(terms.shareClass).safeTransfer(to, terms.shares);
        payment.safeTransfer(terms.buyer, terms.payment);
    }

    /// @inheritdoc IRightOfFirstRefusal
    function waive(uint256 id, Notice calldata terms) external onlyRole(EXERCISER_ROLE) {
        bytes32 hash = _held(id, terms, Status.Open);
        if (block.timestamp >= terms.windowEnd) revert WindowClosed(id, terms.windowEnd);
        _notices[id] = _word(hash, Status.Waived);
        emit NoticeWaived(id, msg.sender);
    }

    /// @inheritdoc IRightOfFirstRefusal
    function complete(uint256 id, Notice calldata terms) external nonReentrant {
        bytes32 hash = _unsettled(id, terms);
        if (Status(_notices[id] & 0xff) == Status.Open && block.timestamp < terms.windowEnd) {
            revert WindowOpen(id, terms.windowEnd);
        }
        _notices[id] = _word(hash, Status.Completed);
        emit NoticeCompleted(id);
        IERC20(terms.shareClass).safeTransfer(terms.buyer, terms.shares);
        IERC20(terms.paymentToken).safeTransfer(terms.seller, terms.payment);
    }

    /// @inheritdoc IRightOfFirstRefusal
    function unwind(uint256 id, Notice calldata terms) external nonReentrant {
        bytes32 hash = _unsettled(id, terms);
        if (block.timestamp < terms.unwindAfter) revert NotYetUnwindable(id, terms.unwindAfter);
        _notices[id] = _word(hash, Status.Unwound);
        emit NoticeUnwound(id);
        IERC20(terms.shareClass).safeTransfer(terms.seller, terms.shares);
        IERC20(terms.paymentToken).safeTransfer(terms.buyer, terms.payment);
    }

    /// @inheritdoc IRightOfFirstRefusal
    function setRofrDays(address shareClass, uint16 days_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRofrDays(shareClass, days_);
    }

    /// @inheritdoc IRightOfFirstRefusal
    function rofrDays(address shareClass) external view returns (uint16) {
        return _rofrDays[shareClass];
    }

    /// @inheritdoc IRightOfFirstRefusal
    function status(uint256 id) external view returns (Status) {
        return Status(_notices[id] & 0xff);
    }

    /// @inheritdoc IRightOfFirstRefusal
    function noticeCount() external view returns (uint256) {
        return _noticeCount;
    }

    /// @inheritdoc IRightOfFirstRefusal
    function market() external view returns (address) {
        return _market;
    }

    /// @dev Notice `id` is Open or Waived and `terms` are its terms: its hash.
    function _unsettled(uint256 id, Notice calldata terms) private view returns (bytes32 hash) {
        Status current = Status(_notices[id] & 0xff);
        return _held(id, terms, current == Status.Waived ? Status.Waived : Status.Open);
    }

    /// @dev Notice `id` is `expected` and `terms` are its terms: its hash.
    function _held(uint256 id, Notice calldata terms, Status expected) private view returns (bytes32 hash) {
        uint256 word = _notices[id];
        Status current = Status(word & 0xff);
        if (current != expected) revert NoticeNotOpen(id, current);
        hash = _hash(terms);
        if (word != _word(hash, current)) revert WrongNoticeTerms(id);
    }

    function _setRofrDays(address shareClass, uint16 days_) private {
        if (days_ > MAX_ROFR_DAYS) revert InvalidRofrDays(days_);
        _rofrDays[shareClass] = days_;
        emit RofrDaysChanged(shareClass, days_);
    }

    function _hash(Notice memory terms) private pure returns (bytes32) {
        return keccak256(abi.encode(terms));
    }

    function _word(bytes32 hash, Status status_) private pure returns (uint256) {
        return (uint256(hash) & ~uint256(0xff)) | uint256(status_);
    }
}
