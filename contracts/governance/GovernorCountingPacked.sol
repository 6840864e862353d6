// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";

/// @title Simple vote counting with a proposal's three tallies in one storage slot
/// @notice OpenZeppelin's GovernorCountingSimple, same rules and same external surface: support
/// 0 against, 1 for, 2 abstain (Governor Bravo order); quorum counts for + abstain; a proposal
/// succeeds when for is strictly over against; one vote per account per proposal
/// (`GovernorAlreadyCastVote`), any other support refused (`GovernorInvalidVoteType`).
/// @dev Only the storage differs. GovernorCountingSimple keeps three uint256 tallies per proposal,
/// so the proposal's first vote writes a tally slot from zero (22,100 gas instead of 5,000). Here
/// the three tallies share one word, {_packedTallies}, that {_propose} initialises with a non-zero
/// marker bit: the proposer pays the zero-to-non-zero write once and every vote, the first
/// included, pays a non-zero-to-non-zero write.
///
/// Word layout (bit 0 = least significant): against in bits 0-83, for in bits 84-167, abstain in
/// bits 168-251 (so a tally sits at `support * 84`), {_WIDE} = bit 254, {_INITIALISED} = bit 255.
///
/// Bounds: a packed tally holds at most 2^84 - 1 (about 1.9e25) whole-share votes. An offering can
/// exceed that (the toolkit accepts up to 8 classes, 2^32 votes per share and 2^200 authorized
/// shares, e.g. 2^52 shares at 2^32 votes each), and a vote must never be refused for being
/// large, nor wrap. So the vote that would carry a tally past 2^84 - 1 moves the three tallies to
/// full uint256 slots ({_wideTallies}) and sets {_WIDE}; from then on that proposal counts exactly
/// as GovernorCountingSimple does (checked uint256 additions), paying its zero-to-non-zero writes.
abstract contract GovernorCountingPacked is Governor {
    /// @notice Supported vote types, in Governor Bravo order (the `support` argument of a vote).
    enum VoteType {
        Against,
        For,
        Abstain
    }

    /// @notice A proposal's tallies once they no longer fit the packed word.
    struct WideTally {
        uint256 againstVotes;
        uint256 forVotes;
        uint256 abstainVotes;
    }

    /// @dev Width of one packed tally, in bits.
    uint256 private constant _TALLY_BITS = 84;
    /// @dev Mask of one packed tally (2^84 - 1), also the largest packed tally.
    uint256 private constant _TALLY_MASK = (1 << _TALLY_BITS) - 1;
    /// @dev Set when the tallies live in {_wideTallies}; the packed tallies are then zero.
    uint256 private constant _WIDE = 1 << 254;
    /// @dev Set by {_propose}, so that no vote writes the word from zero.
    uint256 private constant _INITIALISED = 1 << 255;

    /// @dev Per proposal: the three packed tallies and the two flags (layout in the contract notes).
    mapping(uint256 proposalId => uint256) private _packedTallies;
    /// @dev Per proposal: the tallies, once {_WIDE} is set.
    mapping(uint256 proposalId => WideTally) private _wideTallies;
    /// @dev Per proposal: the accounts that voted.
    mapping(uint256 proposalId => mapping(address voter => bool)) private _hasVoted;

    /// @notice The counting rules, as IGovernor's COUNTING_MODE: Bravo support, quorum over for and abstain.
    /// @return "support=bravo&quorum=for,abstain", as GovernorCountingSimple
    // solhint-disable-next-line func-name-mixedcase
    function COUNTING_MODE() public pure virtual override returns (string memory) {
        return "support=bravo&quorum=for,abstain";
    }

    /// @notice Whether `account` has voted on `proposalId`.
    /// @param proposalId the proposal
    /// @param account the voter (the account whose votes were cast, also by signature)
    /// @return true once its vote is counted
    function hasVoted(uint256 proposalId, address account) public view virtual override returns (bool) {
        return _hasVoted[proposalId][account];
    }

    /// @notice The weighted votes cast on `proposalId` so far, per support.
    /// @param proposalId the proposal (an unknown id answers zeros)
    /// @return againstVotes the votes against (support 0)
    /// @return forVotes the votes for (support 1)
    /// @return abstainVotes the abstentions (support 2)
    function proposalVotes(uint256 proposalId)
        public
        view
        virtual
        returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes)
    {
        uint256 packed = _packedTallies[proposalId];
        if (packed & _WIDE != 0) {
            WideTally storage wide = _wideTallies[proposalId];
            return (wide.againstVotes, wide.forVotes, wide.abstainVotes);
        }
        return (
            packed & _TALLY_MASK, (packed >> _TALLY_BITS) & _TALLY_MASK, (packed >> (2 * _TALLY_BITS)) & _TALLY_MASK
        );
    }

    /// @notice Creates the proposal (see {Governor-_propose}) and initialises its tally word.
    /// @dev The marker bit makes the word non-zero, so the proposer pays its first write (about
    /// 22,100 gas) and no voter does.
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal virtual override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        // a new id: Governor refuses an id that was ever proposed, so no tally is overwritten
        _packedTallies[proposalId] = _INITIALISED;
    }

    /// @notice Quorum is reached when for + abstain reach {Governor-quorum} at the proposal's snapshot.
    function _quorumReached(uint256 proposalId) internal view virtual override returns (bool) {
        (, uint256 forVotes, uint256 abstainVotes) = proposalVotes(proposalId);
        return quorum(proposalSnapshot(proposalId)) <= forVotes + abstainVotes;
    }

    /// @notice The vote succeeds when the for votes are strictly over the against votes.
    function _voteSucceeded(uint256 proposalId) internal view virtual override returns (bool) {
        (uint256 againstVotes, uint256 forVotes,) = proposalVotes(proposalId);
        return forVotes > againstVotes;
    }

    /// @notice Counts `account`'s `totalWeight` votes with `support` (see {Governor-_countVote}).
    /// @dev Reverts with `GovernorAlreadyCastVote(account)` on a second vote (checked first, as
    /// GovernorCountingSimple does), `GovernorInvalidVoteType()` for a support above 2.
    /// @return the weight counted: all of `totalWeight`
    function _countVote(
        uint256 proposalId,
        address account,
        uint8 support,
        uint256 totalWeight,
        bytes memory // params
    ) internal virtual override returns (uint256) {
        if (_hasVoted[proposalId][account]) {
            revert GovernorAlreadyCastVote(account);
        }
        if (support > uint8(VoteType.Abstain)) {
            revert GovernorInvalidVoteType();
        }
        _hasVoted[proposalId][account] = true;

        uint256 packed = _packedTallies[proposalId];
        if (packed & _WIDE == 0) {
            // unchecked: support <= 2, so shift <= 168; a masked field is at most _TALLY_MASK; and
            // the sum is taken only when the tally stays within its 84 bits, so it can reach
            // neither the next field nor the flags
            unchecked {
                uint256 shift = uint256(support) * _TALLY_BITS;
                if (totalWeight <= _TALLY_MASK - ((packed >> shift) & _TALLY_MASK)) {
                    _packedTallies[proposalId] = packed + (totalWeight << shift);
                    return totalWeight;
                }
            }
            _widen(proposalId, packed);
        }
        WideTally storage wide = _wideTallies[proposalId];
        if (support == uint8(VoteType.Against)) {
            wide.againstVotes += totalWeight;
        } else if (support == uint8(VoteType.For)) {
            wide.forVotes += totalWeight;
        } else {
            wide.abstainVotes += totalWeight;
        }
        return totalWeight;
    }

    /// @dev Moves the packed tallies of `proposalId` to {_wideTallies} and marks the word {_WIDE}
    /// (once per proposal, on the first vote that would carry a tally past 2^84 - 1).
    function _widen(uint256 proposalId, uint256 packed) private {
        _wideTallies[proposalId] = WideTally({
            againstVotes: packed & _TALLY_MASK,
            forVotes: (packed >> _TALLY_BITS) & _TALLY_MASK,
            abstainVotes: (packed >> (2 * _TALLY_BITS)) & _TALLY_MASK
        });
        _packedTallies[proposalId] = _INITIALISED | _WIDE;
    }
}
