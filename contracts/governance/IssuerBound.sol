// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IIssuerBound} from "../interfaces/IIssuerBound.sol";

/// @title The issuer's rolling bound (issue 11)
/// @notice One per offering. Each class token calls {consume} on every move by the issuer's hand
/// (issuance, redemption, forced transfer, recovery); the move passes while the issuer's moves
/// under the bound within the rolling window stay at most `percent` % of the class's outstanding
/// supply; an amount governance approved pays first. Only the admin (the
/// offering's timelock) changes limits and approvals. See contracts/README.md, "Trust model".
///
/// The window is a ring of {BUCKETS} + 1 buckets of `ceil(window / BUCKETS)` seconds, each tagged
/// with its epoch (`block.timestamp / bucket length`), plus a running sum of the live buckets.
/// A move at epoch `e` is checked against the moves in epochs `e - BUCKETS .. e`: a span of at
/// least `window` seconds and at most one bucket more, so the bound is conservative (a move may
/// count for up to `window + window / BUCKETS` seconds, never less than `window`). A move in the
/// same epoch as the last reads and writes two slots; an epoch change also reads each bucket
/// that falls out of the window (at most {BUCKETS}).
contract IssuerBound is IIssuerBound, AccessControl, Multicall {
    /// @notice The window is cut into this many buckets (one more is kept: the current one).
    uint256 public constant BUCKETS = 12;
    uint256 private constant _RING = BUCKETS + 1;

    /// @dev Per class token. `header`: percent in bits 0-7, window (seconds) in 8-47, the epoch of
    /// the last update in 48-95, the live buckets' sum in 96-255. `ring`: slot `epoch % _RING` =
    /// `epoch << 208 | amount`.
    struct Bound {
        uint256 header;
        uint256 approved;
        mapping(uint256 index => uint256) ring;
    }

    mapping(address token => Bound) private _bounds;

    /// @param admin gets DEFAULT_ADMIN_ROLE (the deployer, who configures each class and hands the
    /// role to the timelock)
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IIssuerBound
    /// @dev An approved amount pays first (it was approved for what comes next: the launch, a
    /// round), the rolling bound the rest.
    function consume(uint256 amount, uint256 supply) external {
        Bound storage bound = _bounds[msg.sender];
        uint256 approved = bound.approved;
        uint256 bounded = amount > approved ? amount - approved : 0;
        if (amount != bounded) bound.approved = approved - (amount - bounded);
        if (bounded == 0) return;
        uint256 header = _advanced(bound);
        uint256 available = _available(header, supply);
        if (bounded > available) revert IssuerBoundExceeded(msg.sender, amount, available + approved);
        uint256 epoch = uint48(header >> 48);
        // a ring index, not randomness
        // slither-disable-next-line weak-prng
        uint256 index = epoch % _RING;
        uint256 bucket = bound.ring[index];
        // the bucket's epoch tag: equal means it is the current bucket, anything else a stale one
        // slither-disable-next-line incorrect-equality
        uint256 inBucket = bucket >> 208 == epoch ? uint208(bucket) : 0;
        bound.ring[index] = (epoch << 208) | (inBucket + bounded);
        // the sum stays at most the limit, which fits 160 bits ({_available})
        bound.header = uint96(header) | (((header >> 96) + bounded) << 96);
    }

    /// @inheritdoc IIssuerBound
    function setIssuerLimit(address token, uint8 percent, uint40 window) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (percent > 100 || window < BUCKETS) revert InvalidIssuerLimit(percent, window);
        Bound storage bound = _bounds[token];
        uint256 header = _advanced(bound);
        uint256 used = header >> 96;
        uint256 epoch = uint48(header >> 48);
        if (uint40(header >> 8) != window) {
            // buckets of another length: what is still counted moves to one bucket of the new
            // ring, dated now (conservative: it counts for a whole new window)
            for (uint256 i = 0; i < _RING; ++i) {
                delete bound.ring[i];
            }
            epoch = block.timestamp / _bucketLength(window);
            // a ring index, not randomness
            // slither-disable-next-line weak-prng
            if (used != 0) bound.ring[epoch % _RING] = (epoch << 208) | used;
        }
        bound.header = uint256(percent) | (uint256(window) << 8) | (epoch << 48) | (used << 96);
        emit IssuerLimitChanged(token, percent, window);
    }

    /// @inheritdoc IIssuerBound
    function setApprovedIssuance(address token, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Bound storage bound = _bounds[token];
        emit ApprovedIssuanceChanged(token, bound.approved, amount);
        bound.approved = amount;
    }

    /// @inheritdoc IIssuerBound
    function issuerBoundOf(address token, uint256 supply)
        external
        view
        returns (uint8 percent, uint40 window, uint256 used, uint256 available, uint256 approved)
    {
        Bound storage bound = _bounds[token];
        uint256 header = _advanced(bound);
        return (uint8(header), uint40(header >> 8), header >> 96, _available(header, supply), bound.approved);
    }

    /// @dev The header of `bound` as of now: epoch set to the current one and the sum without the
    /// buckets that left the window since the last update. An unconfigured class (window 0) has
    /// nothing to expire.
    function _advanced(Bound storage bound) private view returns (uint256) {
        uint256 header = bound.header;
        uint256 window = uint40(header >> 8);
        if (window == 0) return header;
        uint256 epoch = block.timestamp / _bucketLength(window);
        uint256 last = uint48(header >> 48);
        // the same bucket as the last update: nothing left the window (epochs only grow)
        // slither-disable-next-line incorrect-equality
        if (epoch == last) return header;
        uint256 used = header >> 96;
        if (epoch - last > BUCKETS) {
            used = 0; // every bucket left the window
        } else if (used != 0) {
            // the live buckets were epochs last - BUCKETS .. last; those up to epoch - BUCKETS - 1 left
            uint256 from = last > BUCKETS ? last - BUCKETS : 0;
            for (uint256 k = from; k + BUCKETS < epoch; ++k) {
                uint256 bucket = bound.ring[k % _RING];
                if (bucket >> 208 == k) used -= uint208(bucket);
            }
        }
        return uint48(header) | (epoch << 48) | (used << 96);
    }

    /// @dev What the issuer may still move under the bound: `percent` % of `supply` (rounded down,
    /// capped to 160 bits) less what it moved in the window.
    function _available(uint256 header, uint256 supply) private pure returns (uint256) {
        uint256 percent = uint8(header);
        uint256 limit = Math.mulDiv(supply, percent, 100);
        if (limit > type(uint160).max) limit = type(uint160).max;
        uint256 used = header >> 96;
        return limit > used ? limit - used : 0;
    }

    /// @dev Bucket length: the window split in {BUCKETS}, rounded up, so the buckets counted
    /// (BUCKETS of them before the current one) always span the whole window.
    function _bucketLength(uint256 window) private pure returns (uint256) {
        return (window + BUCKETS - 1) / BUCKETS;
    }
}
