// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from
    "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IClassWeightedVotes} from "../interfaces/IClassWeightedVotes.sol";
import {GovernorClassConsent} from "./GovernorClassConsent.sol";
import {GovernorCountingPacked} from "./GovernorCountingPacked.sol";

/// @title The governor of an offering
/// @notice OpenZeppelin's Governor configured for SPEC §10: votes from {ClassWeightedVotes}
/// (timestamp clock, so delays and periods are in seconds), simple counting (against, for,
/// abstain: {GovernorCountingPacked}, GovernorCountingSimple's rules with the three tallies of a
/// proposal in one slot, so that no vote pays a zero-to-non-zero tally write), a quorum as a
/// percentage of the total weighted voting power at the record date, votes by EIP-712 signature
/// ({castVoteBySig}, relayed by anyone), class consent for the calls a class protects
/// ({GovernorClassConsent}), and execution through the timelock.
contract EquityGovernor is
    Governor,
    GovernorSettings,
    GovernorClassConsent,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl
{
    /// @param name_ the governor's name (its EIP-712 domain name for signed votes)
    /// @param votes the offering's {ClassWeightedVotes}
    /// @param timelock the offering's {EquityTimelock}
    /// @param votingDelay_ seconds from proposal to the vote snapshot
    /// @param votingPeriod_ seconds the vote stays open
    /// @param proposalThreshold_ weighted votes needed to propose
    /// @param quorumNumerator_ quorum, in percent of the total weighted voting power
    /// @param consents the classes' protective provisions (fixed; empty: none)
    constructor(
        string memory name_,
        IVotes votes,
        TimelockController timelock,
        uint48 votingDelay_,
        uint32 votingPeriod_,
        uint256 proposalThreshold_,
        uint256 quorumNumerator_,
        ClassConsent[] memory consents
    )
        Governor(name_)
        GovernorSettings(votingDelay_, votingPeriod_, proposalThreshold_)
        GovernorVotes(votes)
        GovernorVotesQuorumFraction(quorumNumerator_)
        GovernorTimelockControl(timelock)
        GovernorClassConsent(consents)
    {}

    /// @inheritdoc Governor
    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    /// @inheritdoc Governor
    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    /// @inheritdoc Governor
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    /// @inheritdoc Governor
    function quorum(uint256 timepoint) public view override(Governor, GovernorVotesQuorumFraction) returns (uint256) {
        return super.quorum(timepoint);
    }

    /// @inheritdoc Governor
    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @inheritdoc Governor
    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @dev Creates the proposal and initialises its tally word ({GovernorCountingPacked-_propose}).
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override(Governor, GovernorCountingPacked) returns (uint256) {
        return super._propose(targets, values, calldatas, description, proposer);
    }

    /// @dev Votes read at the record date ({GovernorCountingPacked-_castVote}).
    function _castVote(uint256 proposalId, address account, uint8 support, string memory reason, bytes memory params)
        internal
        override(Governor, GovernorCountingPacked)
        returns (uint256)
    {
        return super._castVote(proposalId, account, support, reason, params);
    }

    function _classVotes() internal view override returns (IClassWeightedVotes) {
        return IClassWeightedVotes(address(token()));
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
