// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A proposal's calls, run in order (never deployed)
/// @notice The toolkit's `gov propose` gives the timelock's address this code in an `eth_call`
/// state override and calls {simulate}: each call then comes from the timelock, in order, each
/// seeing the effects of the ones before, as `execute` would run them. Nothing is ever deployed
/// or sent: an `eth_call` changes no state.
contract ProposalSimulator {
    /// @notice Call `index` reverted with `reason` (its revert data).
    error CallFailed(uint256 index, bytes reason);

    /// @notice Make every call; revert with {CallFailed} at the first that fails.
    function simulate(address[] calldata targets, uint256[] calldata values, bytes[] calldata calldatas)
        external
        payable
        returns (bool)
    {
        for (uint256 i = 0; i < targets.length; ++i) {
            (bool ok, bytes memory reason) = targets[i].call{value: values[i]}(calldatas[i]);
            if (!ok) revert CallFailed(i, reason);
        }
        return true;
    }
}
