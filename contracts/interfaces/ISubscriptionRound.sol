// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IShareClass} from "./IShareClass.sol";

/// @title A subscription round of one share class, paid in one ERC-20 token (SPEC §11)
/// @notice Investors subscribe for shares at a fixed price; every issuance rule of the class
/// applies to them (SPEC §8 codes 3-6 and 9, and whatever else the class checks on issuance),
/// then the round's codes 20-27. Without a soft cap a subscription pays and issues in one
/// transaction; with one, payments wait in the round until {close}, then {settle} issues.
interface ISubscriptionRound {
    /// @notice The round's terms, fixed at deployment. Amounts of shares are in the class's base
    /// units; `pricePerUnit` is the payment token's base units per share base unit, so every cost
    /// (`shares * pricePerUnit`) is exact.
    /// @param shareClass the class token (the round issues with its MINTER_ROLE and mint allowance)
    /// @param paymentToken the ERC-20 paid in
    /// @param pricePerUnit price of one share base unit, in payment-token base units (> 0)
    /// @param opens first second subscriptions are taken
    /// @param closes first second they are not (`opens < closes`)
    /// @param hardCap the most shares the round sells (> 0)
    /// @param softCap 0: every subscription settles at once; else the least shares sold for the
    /// round to succeed at {close} (payments wait in the round until then)
    /// @param minTicket the least shares an investor (all its wallets) holds from the round after a subscription
    /// @param maxTicket the most shares an investor (all its wallets) may buy in the round (0: no limit)
    /// @param maxPerTransaction the most shares one subscription may buy (0: no limit)
    /// @param accreditedOnly only accredited investors (registry flag) may subscribe
    /// @param lockStart the shares bought vest from `lockStart`... (all three 0: unlocked;
    /// `lockStart == lockCliff == lockEnd`: a plain lock-up until `lockEnd`)
    /// @param lockCliff ... nothing before `lockCliff` ...
    /// @param lockEnd ... to `lockEnd`
    /// @param proceedsTo who receives the payments (the offering's timelock by default)
    struct Terms {
        IShareClass shareClass;
        IERC20 paymentToken;
        uint256 pricePerUnit;
        uint64 opens;
        uint64 closes;
        uint256 hardCap;
        uint256 softCap;
        uint256 minTicket;
        uint256 maxTicket;
        uint256 maxPerTransaction;
        bool accreditedOnly;
        uint64 lockStart;
        uint64 lockCliff;
        uint64 lockEnd;
        address proceedsTo;
    }

    /// @notice Where the round stands (SPEC §11 `state`). Scheduled, Open and Closed follow the
    /// clock and the hard cap; Settled, Cancelled and Failed are set by {close} and {cancel}.
    enum State {
        Scheduled,
        Open,
        Closed,
        Settled,
        Cancelled,
        Failed
    }

    /// @notice `buyer` paid `paid` for `shares`, held in escrow until the round closes (soft-cap
    /// rounds; an atomic subscription emits {SharesSold} only).
    event Subscribed(address indexed buyer, uint32 indexed investorIndex, uint256 shares, uint256 paid);
    /// @notice `shares` were issued to `wallet` for `paid`, which went to the proceeds address.
    /// The records (cap table, OCF `share_price`) read the price from this event.
    event SharesSold(address indexed wallet, uint256 shares, uint256 paid, uint256 pricePerUnit);
    /// @notice At settlement the class refused to issue to `wallet` (restriction `code`); its payment is refundable.
    event SubscriptionRejected(address indexed wallet, uint8 code, uint256 shares, uint256 payment);
    /// @notice {close} ended the round: `state` Settled or Failed (below the soft cap), with `sold` shares.
    event RoundClosed(State state, uint256 sold);
    /// @notice The manager cancelled the round before {close}; every escrowed payment is refundable.
    event RoundCancelled(uint256 sold);
    /// @notice `amount` went back to `wallet`.
    event Refunded(address indexed wallet, uint256 amount);

    /// @notice A subscription met restriction `code` (SPEC §8 or §11); {restrictionOf} answers it beforehand.
    error RoundRestricted(uint8 code, address buyer, uint256 shares);
    /// @notice The payment token delivered `received` where `expected` was due (a fee-on-transfer token).
    error PaymentShortfall(uint256 expected, uint256 received);
    /// @notice The action is not possible while the round is in `state`.
    error InvalidRoundState(State state);
    /// @notice Only the manager may close the round before its closing time (or before it sells out).
    error RoundStillOpen(uint64 closes);
    /// @notice `wallet` has no payment to take back (never subscribed, already refunded, or settled).
    error NothingToRefund(address wallet);
    /// @notice The terms are inconsistent: `reason` says which.
    error InvalidRoundTerms(string reason);

    /// @notice Buy `shares` (class base units), paying `shares * pricePerUnit` from the caller
    /// (approved beforehand). Reverts {RoundRestricted} with the code {restrictionOf} answers; in an
    /// atomic round (no soft cap) the class's own codes are enforced by the class token's `issue`
    /// in the same transaction instead (its `TransferRestricted`, `AuthorizedSharesExceeded`...).
    /// Emits {SharesSold} when it settles at once (no soft cap), else {Subscribed}.
    function subscribe(uint256 shares) external;

    /// @notice {subscribe} with an ERC-2612 permit of the payment token for the cost, in the same
    /// transaction (a permit already used, e.g. front-run, is fine if the allowance is there).
    function subscribeWithPermit(uint256 shares, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice End the round: Settled (no soft cap, or the soft cap met) or Failed (below it: every
    /// payment refundable). Anyone once the round is Closed (time over or sold out); the manager
    /// (MANAGER_ROLE) earlier. Emits {RoundClosed}.
    function close() external;

    /// @notice Issue to the next `count` escrowed subscribers of a Settled round and pay their
    /// payments to the proceeds address; a subscriber the class now refuses is rejected (refundable).
    /// Anyone. Returns how many subscribers remain.
    function settle(uint256 count) external returns (uint256 remaining);

    /// @notice Cancel before {close}: no more subscriptions, every escrowed payment refundable
    /// (subscriptions already settled atomically stay issued and paid). MANAGER_ROLE. Emits {RoundCancelled}.
    function cancel() external;

    /// @notice Pay `wallet` back its escrowed payment, once: the round was Cancelled or Failed, or the
    /// class rejected the wallet at settlement. Anyone may trigger it; the money goes to `wallet`. Emits {Refunded}.
    function refund(address wallet) external;

    /// @notice The restriction code of `buyer` subscribing `shares` now: the class's issuance code
    /// first (`detectTransferRestriction(0, buyer, shares)`), then 20-26, then 27 when the round
    /// lacks the class's MINTER_ROLE or a mint allowance for its unissued shares plus these (0: none).
    function restrictionOf(address buyer, uint256 shares) external view returns (uint8);

    /// @notice The message of a restriction code (the class's for its own codes, the round's for 20-27).
    function messageForRestriction(uint8 code) external view returns (string memory);

    /// @notice The terms.
    function terms() external view returns (Terms memory);

    /// @notice The state now.
    function state() external view returns (State);

    /// @notice Shares paid for (settled or escrowed), less those rejected at settlement.
    function sold() external view returns (uint256);

    /// @notice Shares the round has issued; `issued() * pricePerUnit` went to the proceeds address.
    function issued() external view returns (uint256);

    /// @notice Payments held by the round (escrow), not yet settled or refunded.
    function escrowed() external view returns (uint256);

    /// @notice How many investors subscribed (all wallets of an investor count once).
    function investors() external view returns (uint32);

    /// @notice Shares `investorIndex` (the registry's) has bought in the round, all wallets together,
    /// in a round with ticket limits; a round without them keeps only whether the investor
    /// subscribed (1, else 0).
    function subscribedBy(uint32 investorIndex) external view returns (uint256);

    /// @notice Shares `wallet` has in escrow (0 once settled or refunded).
    function pendingOf(address wallet) external view returns (uint256);

    /// @notice How many escrowed subscribers {settle} has still to go through.
    function unsettledCount() external view returns (uint256);
}
