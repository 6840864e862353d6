// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Secondary trades of share classes against an ERC-20 payment (SPEC §12)
/// @notice Signed orders (EIP-712) filled in one transaction: the shares move through the class
/// token's `transferFrom` (every restriction of SPEC §8 applies) and the payment with them, or
/// neither moves.
interface ISecondaryMarket {
    /// @notice A maker's signed intent. `side` 0 = the maker sells `shares` (an offer), 1 = the maker
    /// buys them (a bid). `shares` are the class's base units; `pricePerUnit` is payment-token base
    /// units per share base unit, so every cost `shares * pricePerUnit` is exact. `taker` 0 = anyone.
    /// `nonce`: any number the maker has not used; one order per (maker, nonce), ever.
    struct Order {
        address maker;
        address shareClass;
        uint8 side;
        uint256 shares;
        uint256 pricePerUnit;
        address paymentToken;
        uint64 expiry;
        address taker;
        uint256 nonce;
    }

    /// @notice `shares` of `order` were settled: `seller` delivered them to `buyer`, who paid `payment`.
    event Trade(
        bytes32 indexed orderHash,
        address indexed seller,
        address indexed buyer,
        address shareClass,
        uint256 shares,
        address paymentToken,
        uint256 payment
    );
    /// @notice A signed order was published on chain (`market list` reads these back).
    event OrderPublished(bytes32 indexed orderHash, address indexed maker, Order order, bytes signature);
    /// @notice `maker` cancelled whatever order carries `nonce` (filled or not, published or not).
    event OrderCancelled(address indexed maker, uint256 indexed nonce);

    /// @notice A trade in a class with a right of first refusal would be refused by the class token
    /// (SPEC §8 `code`); the token's own error, raised before anything is held.
    error TransferRestricted(uint8 code, address from, address to, uint256 value);
    /// @notice The order's expiry (unix seconds) has passed.
    error OrderExpired(uint64 expiry);
    /// @notice The order names another taker.
    error NotTheTaker(address taker, address caller);
    /// @notice The signature is not the maker's (an EOA's ECDSA signature or an ERC-1271 contract's).
    error InvalidSignature(address maker);
    /// @notice The maker's `nonce` is cancelled, or belongs to another order the maker signed.
    error NonceUsed(address maker, uint256 nonce);
    /// @notice Filling `requested` shares would pass the order's `remaining` ones.
    error Overfill(uint256 requested, uint256 remaining);
    /// @notice Malformed order: zero shares or price, an unknown side, a zero maker or class.
    error InvalidOrder();
    /// @notice The order's maker may not fill it.
    error SelfTrade(address maker);
    /// @notice The payment's receiver got `received` instead of `expected` (a fee-on-transfer token).
    error PaymentShortfall(uint256 expected, uint256 received);

    /// @notice Settle `shares` of `order` (signed by its maker) with the caller as the counterparty:
    /// a sell order makes the caller the buyer, a bid the seller. The seller must have approved the
    /// market for the shares and the buyer for the payment (or send a `permit` first, in a
    /// multicall). Emits {Trade}; in a class with a right of first refusal, holds both instead and
    /// opens a notice (IRightOfFirstRefusal.NoticeOpened).
    function fill(Order calldata order, bytes calldata signature, uint256 shares) external;

    /// @notice Publish a signed order: checked, then emitted as {OrderPublished}. Anyone may.
    function publish(Order calldata order, bytes calldata signature) external;

    /// @notice Cancel the caller's order with `nonce` (its unfilled part): no fill can use the nonce again.
    function cancel(uint256 nonce) external;

    /// @notice Submit an ERC-2612 permit of `token` (a class or a payment token) for this market, so
    /// a multicall can permit and fill in one transaction. A permit already used (front-run) is
    /// ignored when the allowance is there.
    function permit(address token, address owner, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external;

    /// @notice The offering's right of first refusal (0: none): fills in its classes open notices there.
    function rightOfFirstRefusal() external view returns (address);

    /// @notice The EIP-712 hash the maker signs for `order`.
    function hashOrder(Order calldata order) external view returns (bytes32);

    /// @notice How many shares of `order` can still be filled (0 when expired, cancelled, filled or
    /// its nonce belongs to another order).
    function remaining(Order calldata order) external view returns (uint256);

    /// @notice The fill state of (maker, nonce): shares filled, whether cancelled, and the order it
    /// belongs to (the top 128 bits of its hash; 0 when never filled).
    function nonceState(address maker, uint256 nonce)
        external
        view
        returns (uint256 filled, bool cancelled, bytes16 orderId);
}
