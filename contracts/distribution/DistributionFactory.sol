// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Distribution} from "./Distribution.sol";
import {IDistribution} from "./IDistribution.sol";

/// @title Declares dividends: creates a {Distribution} and funds it in the same transaction
/// @notice Stateless; one per chain serves every offering. The caller (the issuer's account, or
/// the timelock executing a `declare-dividend` proposal) approves `entitled + dust` of the payment
/// token to this factory first. Funding checks what arrived, so a token that takes a fee on
/// transfer is refused.
contract DistributionFactory is ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice `company` declared `distribution` for `registry`'s offering, with these `terms`.
    event DistributionDeclared(
        address indexed distribution, address indexed registry, address indexed company, IDistribution.Terms terms
    );

    /// @notice Create and fund a distribution: `terms.entitled` to it, `terms.dust` to the dust
    /// account (kept by the caller when it is the dust account), both from the caller. Anyone may
    /// declare with their own money; the distribution's roles are the ones `terms` names. Emits
    /// {DistributionDeclared}.
    function declare(IDistribution.Terms calldata terms) external nonReentrant returns (address distribution) {
        distribution = address(new Distribution(terms, msg.sender));
        emit DistributionDeclared(distribution, address(terms.registry), msg.sender, terms);
        _pull(terms.paymentToken, distribution, terms.entitled);
        if (terms.dust != 0 && terms.dustAccount != msg.sender) {
            _pull(terms.paymentToken, terms.dustAccount, terms.dust);
        }
    }

    /// @dev `amount` from the caller to `to`, refusing anything but exactly `amount` arriving.
    function _pull(IERC20 token, address to, uint256 amount) private {
        uint256 before = token.balanceOf(to);
        token.safeTransferFrom(msg.sender, to, amount);
        uint256 received = token.balanceOf(to) - before;
        if (received != amount) revert IDistribution.FundingShortfall(to, amount, received);
    }
}
