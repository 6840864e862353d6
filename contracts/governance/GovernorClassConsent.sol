// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {IClassWeightedVotes} from "../interfaces/IClassWeightedVotes.sol";
import {GovernorCountingPacked} from "./GovernorCountingPacked.sol";

/// @title Class consent (protective provisions) on top of the packed counting
/// @notice A share class may protect functions (by selector, fixed at deployment): a proposal
/// with a call to a protected function that concerns the class (its token is the call's target or
/// one of the call's argument words) needs the class's separate consent besides the general vote.
/// Which classes a proposal affects is computed once, at {propose}, from its calls; a role change
/// (grantRole, revokeRole, renounceRole) on a consenting class's token affects that class, and a
/// role change on any other contract that is not a class token (the timelock's PROPOSER_ROLE, the
/// registry's or the issuer bound's admin...) and the governor's {Governor-relay} affect every
/// consenting class, since they could hand someone the power to act without a vote; a
/// `multicall(bytes[])` is looked into, call by call.
///
/// The class vote: every account that votes (the same {castVote}, for, against or abstain) also
/// votes, in each class the proposal affects, the whole shares of that class delegated to it at
/// the proposal's record date ({GovernorCountingPacked-proposalRecordDate}), whatever the class's
/// votes per share (a non-voting class votes as a class too, DGCL §242(b)(2)). A class consents
/// when the shares voted for are more than `thresholdPercent` percent of its outstanding shares at
/// the record date (a class with no shares then has nobody to protect and consents). A proposal
/// succeeds when the general vote and the consent of every affected class pass: one that wins the
/// general vote and lacks a class's consent is Defeated (OpenZeppelin's states and events).
/// @dev Storage: a class's token, threshold and decimals in one word; per selector the classes
/// protecting it (a bit per class); per proposal and affected class the shares voted for, plus 1
/// (written at {propose}, so no vote writes a slot from zero). The affected classes live in the
/// proposal's packed tally word. Only the for shares are kept on chain: the outcome needs no more,
/// and the against and abstain shares follow from the VoteCast events.
abstract contract GovernorClassConsent is GovernorCountingPacked {
    /// @notice A class's protective provisions, as given to the constructor.
    struct ClassConsent {
        address token;
        uint8 thresholdPercent;
        bytes4[] selectors;
    }

    /// @notice The most classes that may require consent.
    uint256 public constant MAX_CONSENT_CLASSES = 8;

    /// @notice A consenting class is the zero address or given twice, its threshold is over 99, or
    /// there are more than {MAX_CONSENT_CLASSES}.
    error InvalidClassConsent(address token, uint256 thresholdPercent);

    uint256 private immutable _consentCount;
    /// @dev Per consenting class: token (bits 0-159), threshold (160-167), decimals (168-175).
    mapping(uint256 index => uint256) private _consentClass;
    /// @dev Per selector: the consenting classes that protect it (bit `index`).
    mapping(bytes4 selector => uint256) private _protectedBy;
    /// @dev Per proposal and affected class: 1 + the class's shares voted for.
    mapping(uint256 proposalId => mapping(uint256 index => uint256)) private _classFor;

    /// @param consents the classes with protective provisions (at most {MAX_CONSENT_CLASSES})
    constructor(ClassConsent[] memory consents) {
        uint256 n = consents.length;
        for (uint256 i = 0; i < n; ++i) {
            ClassConsent memory c = consents[i];
            if (n > MAX_CONSENT_CLASSES || c.token == address(0) || c.thresholdPercent > 99 || _indexOf(c.token, i) != 0) {
                revert InvalidClassConsent(c.token, c.thresholdPercent);
            }
            uint256 decimals = IERC20Metadata(c.token).decimals();
            _consentClass[i] = uint256(uint160(c.token)) | (uint256(c.thresholdPercent) << 160) | (decimals << 168);
            for (uint256 j = 0; j < c.selectors.length; ++j) {
                _protectedBy[c.selectors[j]] |= 1 << i;
            }
        }
        _consentCount = n;
    }

    /// @notice The number of classes with protective provisions.
    function consentClassCount() external view returns (uint256) {
        return _consentCount;
    }

    /// @notice The `index`-th consenting class: its token and threshold (percent of its outstanding shares).
    function consentClassAt(uint256 index) external view returns (address token, uint256 thresholdPercent) {
        (token, thresholdPercent,) = _unpack(_consentClass[index]);
    }

    /// @notice The consenting classes (bit `index` per class) whose consent calls to `targets`
    /// with `calldatas` need, as {propose} computes them.
    function affectedClasses(address[] memory targets, bytes[] memory calldatas) public view returns (uint256 classes) {
        if (_consentCount == 0) return 0;
        for (uint256 i = 0; i < targets.length; ++i) {
            classes |= _affected(targets[i], calldatas[i]);
        }
    }

    /// @notice The class vote of `proposalId` in the `index`-th consenting class.
    /// @return required whether the proposal needs the class's consent
    /// @return forShares the class's whole shares voted for
    /// @return outstanding the class's whole shares outstanding at the record date
    /// @return consented whether the class's consent is reached (true when not required)
    function proposalClassVote(uint256 proposalId, uint256 index)
        public
        view
        returns (bool required, uint256 forShares, uint256 outstanding, bool consented)
    {
        required = (_proposalClasses(proposalId) >> index) & 1 != 0;
        if (!required) return (false, 0, 0, true);
        (address token, uint256 threshold, uint256 scale) = _unpack(_consentClass[index]);
        forShares = _classFor[proposalId][index] - 1;
        // whole shares on both sides (votes count whole shares, SPEC §10): rounding down first is meant
        // slither-disable-next-line divide-before-multiply
        outstanding = IERC5805(token).getPastTotalSupply(proposalRecordDate(proposalId)) / scale;
        consented = outstanding == 0 || forShares * 100 > threshold * outstanding;
    }

    /// @notice The general vote passes and so does every affected class's.
    function _voteSucceeded(uint256 proposalId) internal view virtual override returns (bool) {
        if (!super._voteSucceeded(proposalId)) return false;
        uint256 classes = _proposalClasses(proposalId);
        for (uint256 i = 0; classes >> i != 0; ++i) {
            if ((classes >> i) & 1 != 0) {
                (,,, bool consented) = proposalClassVote(proposalId, i);
                if (!consented) return false;
            }
        }
        return true;
    }

    /// @dev The affected classes of a new proposal; each gets its for-tally slot written (1).
    function _openClassVotes(uint256 proposalId, address[] memory targets, bytes[] memory calldatas)
        internal
        virtual
        override
        returns (uint256 classes)
    {
        classes = affectedClasses(targets, calldatas);
        for (uint256 i = 0; classes >> i != 0; ++i) {
            if ((classes >> i) & 1 != 0) _classFor[proposalId][i] = 1;
        }
    }

    /// @dev Adds `account`'s shares at `recordDate` to each affected class's for-tally when it
    /// votes for.
    function _countClassVotes(uint256 proposalId, address account, uint8 support, uint256 recordDate, uint256 classes)
        internal
        virtual
        override
    {
        if (support != uint8(VoteType.For)) return;
        for (uint256 i = 0; classes >> i != 0; ++i) {
            if ((classes >> i) & 1 != 0) {
                (address token,, uint256 scale) = _unpack(_consentClass[i]);
                uint256 shares = IERC5805(token).getPastVotes(account, recordDate) / scale;
                if (shares != 0) _classFor[proposalId][i] += shares;
            }
        }
    }

    /// @dev The consenting classes one call affects.
    function _affected(address target, bytes memory data) private view returns (uint256) {
        if (data.length < 4) return 0;
        bytes4 selector = bytes4(data);
        if (selector == Multicall.multicall.selector) {
            bytes[] memory inner = abi.decode(_arguments(data), (bytes[]));
            uint256 classes;
            for (uint256 i = 0; i < inner.length; ++i) {
                classes |= _affected(target, inner[i]);
            }
            return classes;
        }
        uint256 all = (1 << _consentCount) - 1;
        if (target == address(this) && selector == Governor.relay.selector) return all;
        if (
            selector == IAccessControl.grantRole.selector || selector == IAccessControl.revokeRole.selector
                || selector == IAccessControl.renounceRole.selector
        ) {
            uint256 own = _indexOf(target, _consentCount);
            if (own != 0) return own;
            return _isClassToken(target) ? 0 : all;
        }
        uint256 protecting = _protectedBy[selector];
        if (protecting == 0) return 0;
        uint256 referenced = _indexOf(target, _consentCount);
        for (uint256 offset = 36; offset <= data.length; offset += 32) {
            uint256 word;
            assembly ("memory-safe") {
                word := mload(add(data, offset))
            }
            if (word >> 160 == 0) referenced |= _indexOf(address(uint160(word)), _consentCount);
        }
        return referenced & protecting;
    }

    /// @dev The bit of `token` among the first `count` consenting classes (0: none).
    function _indexOf(address token, uint256 count) private view returns (uint256) {
        for (uint256 i = 0; i < count; ++i) {
            if (address(uint160(_consentClass[i])) == token) return 1 << i;
        }
        return 0;
    }

    /// @dev Whether `target` is one of the offering's class tokens (the votes source lists them).
    function _isClassToken(address target) private view returns (bool) {
        IClassWeightedVotes votes = _classVotes();
        uint256 n = votes.classCount();
        for (uint256 i = 0; i < n; ++i) {
            // the votes per share do not matter here: a non-voting class is a class token too
            // slither-disable-next-line unused-return
            (address classToken,) = votes.classAt(i);
            if (classToken == target) return true;
        }
        return false;
    }

    /// @dev The offering's votes source (the governor's token).
    function _classVotes() internal view virtual returns (IClassWeightedVotes);

    /// @dev `data` without its 4-byte selector (a copy).
    function _arguments(bytes memory data) private pure returns (bytes memory rest) {
        uint256 n = data.length - 4;
        assembly ("memory-safe") {
            rest := mload(0x40)
            mstore(rest, n)
            for { let i := 0 } lt(i, n) { i := add(i, 32) } {
                mstore(add(add(rest, 32), i), mload(add(add(data, 36), i)))
            }
            mstore(0x40, add(add(rest, 32), and(add(n, 31), not(31))))
        }
    }

    function _unpack(uint256 word) private pure returns (address token, uint256 threshold, uint256 scale) {
        return (address(uint160(word)), uint8(word >> 160), 10 ** uint8(word >> 168));
    }
}
