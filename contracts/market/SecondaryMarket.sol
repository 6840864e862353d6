// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IERC1404} from "../interfaces/IERC1404.sol";
import {IRightOfFirstRefusal} from "./IRightOfFirstRefusal.sol";
import {ISecondaryMarket} from "./ISecondaryMarket.sol";

/// @title Delivery versus payment of signed share orders (SPEC §12, issue 13)
/// @notice One market per offering, no roles and no funds of its own: it never holds shares or
/// money between transactions. A maker signs an {Order} off-line (EIP-712, domain "Equity
/// Secondary Market" version "1"); a counterparty fills it, fully or in parts. A fill moves the
/// shares with the class token's `transferFrom` (so the token's rules, SPEC §8, decide: a refused
/// trade reverts with the token's `TransferRestricted(code, from, to, value)`) and the payment
/// from the buyer to the seller with SafeERC20, checked by the seller's balance change; both or
/// neither. Each (maker, nonce) carries one order for ever: one storage word holds the filled
/// shares and the order it belongs to, so an order is never replayed or overfilled, a second
/// order signed with a used nonce is refused, and a cancelled nonce stays cancelled.
///
/// Right of first refusal: a market deployed with the offering's {IRightOfFirstRefusal} asks it,
/// on every fill, for the class's window; in a class that has one, the fill settles nothing: the
/// trade's restriction code is checked (a refused buyer is refused now, not at completion), the
/// shares and the payment go to that contract and it opens a notice. A direct fill cannot bypass
/// the right: this is the only path of a fill.
contract SecondaryMarket is ISecondaryMarket, EIP712, Multicall, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice An offer: the maker sells.
    uint8 public constant SELL = 0;
    /// @notice A bid: the maker buys.
    uint8 public constant BUY = 1;

    /// @notice The EIP-712 type of an {Order}.
    bytes32 public constant ORDER_TYPEHASH = keccak256(
        "Order(address maker,address shareClass,uint8 side,uint256 shares,uint256 pricePerUnit,"
        "address paymentToken,uint64 expiry,address taker,uint256 nonce)"
    );

    /// @dev The filled part of a word of `_fills`; a cancelled nonce has it all ones.
    uint256 private constant FILLED_MASK = type(uint128).max;

    /// @dev maker => nonce => (bytes16 order id: the top half of the order's hash) << 128 | filled.
    mapping(address maker => mapping(uint256 nonce => uint256 word)) private _fills;

    /// @dev The offering's right of first refusal (0: none; fills always settle at once).
    IRightOfFirstRefusal private immutable _rofr;

    /// @param rofr the offering's RightOfFirstRefusal, or 0 for an offering without one
    constructor(IRightOfFirstRefusal rofr) EIP712("Equity Secondary Market", "1") {
        _rofr = rofr;
    }

    /// @inheritdoc ISecondaryMarket
    function fill(Order calldata order, bytes calldata signature, uint256 shares) external nonReentrant {
        if (msg.sender == order.maker) revert SelfTrade(order.maker);
        if (order.taker != address(0) && order.taker != msg.sender) revert NotTheTaker(order.taker, msg.sender);
        (bytes32 orderHash, uint256 filled) = _checked(order, signature);
        uint256 left = order.shares - filled;
        if (shares == 0 || shares > left) revert Overfill(shares, left);
        _fills[order.maker][order.nonce] = (uint256(orderHash) & ~FILLED_MASK) | (filled + shares);

        (address seller, address buyer) = order.side == SELL ? (order.maker, msg.sender) : (msg.sender, order.maker);
        if (address(_rofr) != address(0) && _rofr.rofrDays(order.shareClass) != 0) {
            return _hold(orderHash, order, seller, buyer, shares);
        }
        uint256 payment = shares * order.pricePerUnit;
        emit Trade(orderHash, seller, buyer, order.shareClass, shares, order.paymentToken, payment);
        IERC20(order.shareClass).safeTransferFrom(seller, buyer, shares);
        _pay(IERC20(order.paymentToken), buyer, seller, payment);
    }

    /// @inheritdoc ISecondaryMarket
    function publish(Order calldata order, bytes calldata signature) external {
        (bytes32 orderHash, uint256 filled) = _checked(order, signature);
        if (filled >= order.shares) revert Overfill(1, 0);
        emit OrderPublished(orderHash, order.maker, order, signature);
    }

    /// @inheritdoc ISecondaryMarket
    function cancel(uint256 nonce) external {
        uint256 word = _fills[msg.sender][nonce];
        if (word & FILLED_MASK == FILLED_MASK) revert NonceUsed(msg.sender, nonce);
        _fills[msg.sender][nonce] = (word & ~FILLED_MASK) | FILLED_MASK;
        emit OrderCancelled(msg.sender, nonce);
    }

    /// @inheritdoc ISecondaryMarket
    function permit(address token, address owner, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        try IERC20Permit(token).permit(owner, address(this), value, deadline, v, r, s) {}
        catch (bytes memory reason) {
            if (IERC20(token).allowance(owner, address(this)) < value) {
                assembly ("memory-safe") {
                    revert(add(reason, 0x20), mload(reason))
                }
            }
        }
    }

    /// @inheritdoc ISecondaryMarket
    function rightOfFirstRefusal() external view returns (address) {
        return address(_rofr);
    }

    /// @inheritdoc ISecondaryMarket
    function hashOrder(Order calldata order) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    ORDER_TYPEHASH,
                    order.maker,
                    order.shareClass,
                    order.side,
                    order.shares,
                    order.pricePerUnit,
                    order.paymentToken,
                    order.expiry,
                    order.taker,
                    order.nonce
                )
            )
        );
    }

    /// @inheritdoc ISecondaryMarket
    function remaining(Order calldata order) external view returns (uint256) {
        if (order.expiry <= block.timestamp || order.shares > FILLED_MASK - 1) return 0;
        uint256 word = _fills[order.maker][order.nonce];
        if (word == 0) return order.shares;
        if (word & FILLED_MASK == FILLED_MASK || bytes16(bytes32(word)) != bytes16(hashOrder(order))) return 0;
        return order.shares - (word & FILLED_MASK);
    }

    /// @inheritdoc ISecondaryMarket
    function nonceState(address maker, uint256 nonce)
        external
        view
        returns (uint256 filled, bool cancelled, bytes16 orderId)
    {
        uint256 word = _fills[maker][nonce];
        cancelled = word & FILLED_MASK == FILLED_MASK;
        filled = cancelled ? 0 : word & FILLED_MASK;
        orderId = bytes16(bytes32(word));
    }

    /// @dev A well-formed, live order signed by its maker whose nonce is its own: its hash and the
    /// shares filled so far. The signature (an EOA's, else the maker contract's ERC-1271 answer) is
    /// checked on the nonce's first use only: a word that already carries this order's id was
    /// written by a fill whose signature was checked.
    function _checked(Order calldata order, bytes calldata signature)
        private
        view
        returns (bytes32 orderHash, uint256 filled)
    {
        if (
            order.maker == address(0) || order.shareClass == address(0) || order.side > BUY || order.shares == 0
                || order.shares >= FILLED_MASK || order.pricePerUnit == 0
        ) revert InvalidOrder();
        if (order.expiry <= block.timestamp) revert OrderExpired(order.expiry);
        orderHash = hashOrder(order);
        uint256 word = _fills[order.maker][order.nonce];
        if (word == 0) {
            // an EOA's signature first: SignatureChecker would look at the maker's code first, a
            // cold account access (2,600 gas) on every fill; a contract maker (a Safe) is asked
            // by ERC-1271 when the signature is not an EOA's
            (address signer, ECDSA.RecoverError error, bytes32 detail) = ECDSA.tryRecover(orderHash, signature);
            if (
                (error != ECDSA.RecoverError.NoError || detail != 0 || signer != order.maker)
                    && !SignatureChecker.isValidERC1271SignatureNow(order.maker, orderHash, signature)
            ) revert InvalidSignature(order.maker);
            return (orderHash, 0);
        }
        filled = word & FILLED_MASK;
        if (filled == FILLED_MASK || bytes16(bytes32(word)) != bytes16(orderHash)) {
            revert NonceUsed(order.maker, order.nonce);
        }
    }

    /// @dev A fill in a class with a right of first refusal: the shares and the payment to `rofr`,
    /// which opens a notice. The token's rules apply to the seller's side on the way in; the
    /// buyer's side is checked here too, so that nothing is held for a buyer who could not receive.
    function _hold(bytes32 orderHash, Order calldata order, address seller, address buyer, uint256 shares)
        private
    {
        IRightOfFirstRefusal rofr = _rofr;
        uint256 payment = shares * order.pricePerUnit;
        uint8 code = IERC1404(order.shareClass).detectTransferRestriction(seller, buyer, shares);
        if (code != 0) revert TransferRestricted(code, seller, buyer, shares);
        IERC20(order.shareClass).safeTransferFrom(seller, address(rofr), shares);
        _pay(IERC20(order.paymentToken), buyer, address(rofr), payment);
        rofr.open(orderHash, seller, buyer, order.shareClass, shares, order.paymentToken, payment);
    }

    /// @dev Move `amount` of `token` from `from` to `to`, checked by `to`'s balance change.
    function _pay(IERC20 token, address from, address to, uint256 amount) private {
        uint256 before = token.balanceOf(to);
        token.safeTransferFrom(from, to, amount);
        uint256 received = token.balanceOf(to) - before;
        if (received != amount) revert PaymentShortfall(amount, received);
    }
}
