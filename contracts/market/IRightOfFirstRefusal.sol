// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The company's right of first refusal on secondary trades (SPEC §12, issue 13 point 2)
/// @notice A fill of the offering's SecondaryMarket in a class with a right of first refusal opens a
/// {Notice} here instead of settling: the seller's shares and the buyer's payment are held by this
/// contract (neither can be spent twice) until the company exercises (buys at the same terms),
/// waives, the buyer completes after the window, or anyone unwinds a notice nobody completed.
interface IRightOfFirstRefusal {
    /// @notice Where a notice stands.
    enum Status {
        None, // no such notice
        Open, // held; the company may exercise until `windowEnd`, the buyer complete after it
        Waived, // held; the company waived, the buyer may complete at once
        Exercised, // settled: the shares went to the company (or its assignee), the seller was paid
        Completed, // settled: the shares went to the buyer, the seller was paid
        Unwound // returned: the shares to the seller, the payment to the buyer
    }

    /// @notice One held trade, as {NoticeOpened} told it. `payment` = shares x price, in
    /// `paymentToken` base units. Only its hash is stored (with the status): the settling calls pass
    /// the terms back, which keeps a notice at one storage word.
    struct Notice {
        address seller;
        address buyer;
        address shareClass;
        address paymentToken;
        uint256 shares;
        uint256 payment;
        uint64 windowEnd; // the company may exercise while block.timestamp < windowEnd
        uint64 unwindAfter; // anyone may unwind an unsettled notice from then on
    }

    /// @notice A fill of order `orderHash` opened notice `id`: the seller's shares and the buyer's
    /// payment are held on the terms `notice`.
    event NoticeOpened(uint256 indexed id, bytes32 indexed orderHash, address indexed shareClass, Notice notice);
    /// @notice The company bought the shares of notice `id` at its terms: `to` got them, paid by `payer`.
    event NoticeExercised(uint256 indexed id, address indexed payer, address indexed to);
    /// @notice The company waived its right on notice `id`.
    event NoticeWaived(uint256 indexed id, address indexed by);
    /// @notice Notice `id` settled between its seller and buyer.
    event NoticeCompleted(uint256 indexed id);
    /// @notice Notice `id` was returned: the shares to the seller, the payment to the buyer.
    event NoticeUnwound(uint256 indexed id);
    /// @notice Governance set the window of `shareClass` (0: no right of first refusal).
    event RofrDaysChanged(address indexed shareClass, uint16 days_);

    /// @notice Only the offering's market opens notices.
    error OnlyMarket(address caller);
    /// @notice Notice `id` is `status`, which the call does not accept.
    error NoticeNotOpen(uint256 id, Status status);
    /// @notice The terms passed are not those notice `id` was opened with.
    error WrongNoticeTerms(uint256 id);
    /// @notice The company's window on notice `id` closed at `windowEnd`.
    error WindowClosed(uint256 id, uint64 windowEnd);
    /// @notice The company's window on notice `id` is open until `windowEnd` (and not waived).
    error WindowOpen(uint256 id, uint64 windowEnd);
    /// @notice Notice `id` can be unwound from `unwindAfter` on.
    error NotYetUnwindable(uint256 id, uint64 unwindAfter);
    /// @notice A window beyond 3,650 days.
    error InvalidRofrDays(uint16 days_);
    /// @notice The payment's receiver got `received` instead of `expected` (a fee-on-transfer token).
    error PaymentShortfall(uint256 expected, uint256 received);

    /// @notice The market's call after moving `shares` of `shareClass` from `seller` and `payment` of
    /// `paymentToken` from `buyer` to this contract: record the notice (the next id, in {NoticeOpened}).
    function open(
        bytes32 orderHash,
        address seller,
        address buyer,
        address shareClass,
        uint256 shares,
        address paymentToken,
        uint256 payment
    ) external;

    /// @notice The company buys notice `id`'s shares at its terms within the window: the caller
    /// pays the seller, `to` (the company's wallet or its assignee, a qualified holder: every
    /// transfer rule applies) gets the shares, the buyer gets the payment back.
    function exercise(uint256 id, Notice calldata terms, address to) external;

    /// @notice The company waives its right on notice `id`: the buyer may complete at once.
    function waive(uint256 id, Notice calldata terms) external;

    /// @notice After the window (or a waiver), settle notice `id`: shares to the buyer (every
    /// transfer rule applies now), payment to the seller. Anyone may: the terms are fixed.
    function complete(uint256 id, Notice calldata terms) external;

    /// @notice From `unwindAfter` on, return an unsettled notice: shares to the seller, payment to
    /// the buyer. Anyone may.
    function unwind(uint256 id, Notice calldata terms) external;

    /// @notice Set the window of `shareClass` in days (0: fills settle at once); governance.
    function setRofrDays(address shareClass, uint16 days_) external;

    /// @notice The window of `shareClass` in days (0: no right of first refusal).
    function rofrDays(address shareClass) external view returns (uint16);

    /// @notice Where notice `id` stands (its terms are in its {NoticeOpened} event).
    function status(uint256 id) external view returns (Status);

    /// @notice How many notices were opened (ids run from 1).
    function noticeCount() external view returns (uint256);

    /// @notice The market whose fills open notices.
    function market() external view returns (address);
}
