// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title The timelock of an offering
/// @notice OpenZeppelin's TimelockController, unchanged: the admin of every class token and of the
/// holder registry. Deployed with the governor as proposer and canceller, anyone as executor
/// (`address(0)`) and no admin, so that only a passed proposal, after `minDelay`, changes caps,
/// jurisdictions and roles.
contract EquityTimelock is TimelockController {
    /// @param minDelay seconds between queueing and executing an operation
    /// @param proposers get PROPOSER_ROLE and CANCELLER_ROLE (the governor)
    /// @param executors get EXECUTOR_ROLE (`address(0)`: anyone)
    /// @param admin an optional extra admin (`address(0)`: none; the timelock administers itself)
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
