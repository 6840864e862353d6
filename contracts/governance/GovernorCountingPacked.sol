// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";

/// @title Simple vote counting with a proposal's three tallies and its record date in one slot
/// @notice OpenZeppelin's GovernorCountingSimple, same rules and same external surface: support
/// 0 against, 1 for, 2 abstain (Governor Bravo order); quorum counts for + abstain; a proposal
/// succeeds when for is strictly over against; one vote per account per proposal
/// (`GovernorAlreadyCastVote`), any other support refused (`GovernorInvalidVoteType`).
///
/// Record date (issue 11): votes, and the quorum's supply, are read at {proposalRecordDate}, one
/// second before the proposal was created, not at {Governor-proposalSnapshot} (creation plus the
/// voting delay): shares moved after a proposal is created, by anyone's hand, cannot change its
/// outcome. Voting still opens after the voting delay; `state()`, the snapshot and deadline and
/// every event stay OpenZeppelin's.
/// @dev Only the storage differs. GovernorCountingSimple keeps three uint256 tallies per proposal,
/// so the proposal's first vote writes a tally slot from zero (22,100 gas instead of 5,000). Here
/// the three tallies share one word, {_packedTallies}, that {_propose} initialises with the
/// creation time and a non-zero marker bit: the proposer pays the zero-to-non-zero write once
/// and every vote, the first included, pays a non-zero-to-non-zero write.
///
/// Word layout (bit 0 = least significant): against in bits 0-63, for in bits 64-127, abstain in
/// bits 128-191 (so a tally sits at `support * 64`), the creation time in bits 192-239, the
/// classes whose consent the proposal needs in bits 240-247 ({_openClassVotes}), {_WIDE} = bit
/// 254, {_INITIALISED} = bit 255.
///
/// Bounds: a packed tally holds at most 2^64 - 1 (about 1.8e19) whole-share votes. An offering can
/// exceed that (the toolkit accepts up to 8 classes, 2^32 votes per share and 2^200 authorized
/// shares), and a vote must never be refused for being large, nor wrap. So the vote that would
/// carry a tally past 2^64 - 1 moves the three tallies to full uint256 slots ({_wideTallies}) and
/// sets {_WIDE} (the creation time stays in the word); from then on that proposal counts exactly
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
    uint256 private constant _TALLY_BITS = 64;
    /// @dev Mask of one packed tally (2^64 - 1), also the largest packed tally.
    uint256 private constant _TALLY_MASK = (1 << _TALLY_BITS) - 1;
    /// @dev Where the proposal's creation time (48 bits) sits in the word.
    uint256 private constant _CREATED_SHIFT = 192;
    /// @dev Where the proposal's affected classes (8 bits) sit in the word.
    uint256 private constant _CLASSES_SHIFT = 240;
    /// @dev Set when the tallies live in {_wideTallies}; the packed tallies are then zero.
    uint256 private constant _WIDE = 1 << 254;
    /// @dev Set by {_propose}, so that no vote writes the word from zero.
    uint256 private constant _INITIALISED = 1 << 255;

    /// @dev Per proposal: the three packed tallies, the creation time and the two flags (layout in
    /// the contract notes).
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

    /// @notice The time at which votes and the quorum's supply of `proposalId` are counted: one
    /// second before it was created (0 for an unknown proposal).
    /// @param proposalId the proposal
    /// @return the record date, a timepoint of {Governor-clock}
    function proposalRecordDate(uint256 proposalId) public view virtual returns (uint256) {
        uint256 created = uint48(_packedTallies[proposalId] >> _CREATED_SHIFT);
        return created == 0 ? 0 : created - 1;
    }

    /// @notice Creates the proposal (see {Governor-_propose}) and initialises its tally word with
    /// the creation time.
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
        uint256 classes = _openClassVotes(proposalId, targets, calldatas);
        // a new id: Governor refuses an id that was ever proposed, so no tally is overwritten
        _packedTallies[proposalId] =
            _INITIALISED | (uint256(clock()) << _CREATED_SHIFT) | (classes << _CLASSES_SHIFT);
    }

    /// @dev The classes (a bit each, at most 8) whose separate vote a new proposal needs; none here.
    function _openClassVotes(uint256, address[] memory, bytes[] memory) internal virtual returns (uint256) {
        return 0;
    }

    /// @dev Counts `account`'s class votes on a proposal that needs `classes`' consent; none here.
    function _countClassVotes(uint256, address, uint8, uint256, uint256) internal virtual {}

    /// @dev The classes whose consent `proposalId` needs (a bit each).
    function _proposalClasses(uint256 proposalId) internal view returns (uint256) {
        return uint8(_packedTallies[proposalId] >> _CLASSES_SHIFT);
    }

    /// @notice {Governor-_castVote} with the votes read at {proposalRecordDate}: the same checks,
    /// events and hook.
    function _castVote(uint256 proposalId, address account, uint8 support, string memory reason, bytes memory params)
        internal
        virtual
        override
        returns (uint256)
    {
        _validateStateBitmap(proposalId, _encodeStateBitmap(ProposalState.Active));

        uint256 recordDate = proposalRecordDate(proposalId);
        uint256 totalWeight = _getVotes(account, recordDate, params);
        uint256 votedWeight = _countVote(proposalId, account, support, totalWeight, params);
        uint256 classes = _proposalClasses(proposalId);
        if (classes != 0) _countClassVotes(proposalId, account, support, recordDate, classes);

        if (params.length == 0) {
            emit VoteCast(account, proposalId, support, votedWeight, reason);
        } else {
            emit VoteCastWithParams(account, proposalId, support, votedWeight, reason, params);
        }

        _tallyUpdated(proposalId);

        return votedWeight;
    }

    /// @notice Quorum is reached when for + abstain reach {Governor-quorum} at the proposal's record date.
    function _quorumReached(uint256 proposalId) internal view virtual override returns (bool) {
        (, uint256 forVotes, uint256 abstainVotes) = proposalVotes(proposalId);
        return quorum(proposalRecordDate(proposalId)) <= forVotes + abstainVotes;
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
            // unchecked: support <= 2, so shift <= 128; a masked field is at most _TALLY_MASK; and
            // the sum is taken only when the tally stays within its 64 bits, so it can reach
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
    /// (once per proposal, on the first vote that would carry a tally past 2^64 - 1), keeping the
    /// creation time and the affected classes.
    function _widen(uint256 proposalId, uint256 packed) private {
        _wideTallies[proposalId] = WideTally({
            againstVotes: packed & _TALLY_MASK,
            forVotes: (packed >> _TALLY_BITS) & _TALLY_MASK,
            abstainVotes: (packed >> (2 * _TALLY_BITS)) & _TALLY_MASK
        });
        _packedTallies[proposalId] = (packed & (uint256(type(uint56).max) << _CREATED_SHIFT)) | _INITIALISED | _WIDE;
    }
}
