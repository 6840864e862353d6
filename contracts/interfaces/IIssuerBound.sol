// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The issuer's rolling bound (issue 11)
/// @notice How much the issuer may move without a shareholder vote, per class token: issuance,
/// redemption, forced transfers and recoveries together at most `percent` % of the class's
/// outstanding supply within any `window` seconds, beyond an amount governance approved
/// (`approve-issuance`), which pays first. The class token calls {consume} on every issuer move; the offering's
/// timelock (DEFAULT_ADMIN_ROLE) sets the limits and approvals.
interface IIssuerBound {
    /// @notice The move of `amount` would pass what the issuer of `token` may move now: `available`
    /// under the rolling bound plus the approved amount.
    error IssuerBoundExceeded(address token, uint256 amount, uint256 available);
    /// @notice A limit needs 0 <= percent <= 100 and a window of at least {BUCKETS} seconds.
    error InvalidIssuerLimit(uint8 percent, uint40 window);

    /// @notice The limit of `token` is now `percent` % per `window` seconds.
    event IssuerLimitChanged(address indexed token, uint8 percent, uint40 window);
    /// @notice The amount the issuer of `token` may move beyond the bound changed.
    event ApprovedIssuanceChanged(address indexed token, uint256 previous, uint256 current);
    /// @notice The issuer of `token` moved `amount`: `bounded` of it under the rolling bound, the
    /// rest out of the approved amount.
    event IssuerMoveCounted(address indexed token, uint256 amount, uint256 bounded);

    /// @notice Count an issuer move of `amount` base units by the calling class token, whose total
    /// supply before the move is `supply`; reverts with {IssuerBoundExceeded} beyond the bound
    /// and the approval. Anyone may call it: it only counts against the caller's own record.
    function consume(uint256 amount, uint256 supply) external;

    /// @notice Set `token`'s limit to `percent` % of its outstanding supply per `window` seconds.
    /// DEFAULT_ADMIN_ROLE.
    function setIssuerLimit(address token, uint8 percent, uint40 window) external;

    /// @notice Set what the issuer of `token` may move beyond the bound (base units; replaces
    /// what is left of an earlier approval). DEFAULT_ADMIN_ROLE.
    function setApprovedIssuance(address token, uint256 amount) external;

    /// @notice `token`'s limit, what its issuer moved under the bound in the current window, what
    /// it may still move under the bound at total supply `supply`, and the approved amount left.
    function issuerBoundOf(address token, uint256 supply)
        external
        view
        returns (uint8 percent, uint40 window, uint256 used, uint256 available, uint256 approved);
}
