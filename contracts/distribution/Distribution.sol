// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IHolderRegistry} from "../interfaces/IHolderRegistry.sol";
import {HolderRecord} from "../registry/HolderRecord.sol";
import {IDistribution} from "./IDistribution.sol";

/// @title One dividend, funded at birth by {DistributionFactory}
/// @notice Holds exactly the entitlements of one declaration (the factory sends `entitled` to it
/// and the dust elsewhere in the transaction that creates it), so its token balance is always
/// what is neither paid nor reclaimed. Its terms are immutable: a claim reads two storage slots
/// (the reentrancy flag and one word of leaf states).
///
/// Leaf states, two bits each, 127 leaves per storage word: 0 unpaid, 1 paid, 2 reserved.
/// unpaid -> paid (claim or push, wallet allowed, before the deadline);
/// unpaid -> reserved (claim or push, wallet blocked, before the deadline);
/// reserved -> paid (claim or push, wallet allowed again, before or after the deadline; or
/// {payRecovered} to another wallet of the same investor).
/// Nothing leaves "paid". `reserved` sums the reserved leaves; {reclaim} never touches it.
/// Bit 255 of a word marks it *prepared*: written non-zero at declaration (or by {prepareStates}),
/// so that the first claim of each word pays a non-zero-to-non-zero write like every other claim.
contract Distribution is IDistribution, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice May push payments ({pay}) and reclaim after the deadline ({reclaim}).
    bytes32 public constant DISTRIBUTOR_ROLE = keccak256("DISTRIBUTOR_ROLE");

    /// @notice Two-bit leaf states per storage word (bits 0..253).
    uint256 internal constant LEAVES_PER_WORD = 127;
    /// @notice How many state words the constructor prepares (16,256 leaves); {prepareStates} does the rest.
    uint256 internal constant WORDS_PREPARED_AT_DECLARATION = 128;

    uint256 private constant _UNPAID = 0;
    uint256 private constant _PAID = 1;
    uint256 private constant _RESERVED = 2;
    uint256 private constant _PREPARED = 1 << 255;

    /// @notice The token the dividend is paid in.
    IERC20 public immutable paymentToken;
    /// @notice The offering's holder registry: who is frozen or no longer qualified.
    IHolderRegistry public immutable registry;
    /// @notice The root of the entitlements' StandardMerkleTree.
    bytes32 public immutable root;
    /// @notice How many leaves the tree has.
    uint256 public immutable leafCount;
    /// @notice Sum of net + withheld over every leaf.
    uint256 public immutable entitled;
    /// @notice What the declaration paid to the dust account (funded = entitled + dust).
    uint256 public immutable dust;
    /// @notice The block whose cap table the entitlements were computed from.
    uint64 public immutable recordBlock;
    /// @notice Unix seconds; from then on only reserved leaves are paid, and the rest is reclaimable.
    uint64 public immutable claimDeadline;
    /// @notice Receives every withheld amount.
    address public immutable taxAccount;
    /// @notice Received the dust.
    address public immutable dustAccount;
    /// @notice Who declared and funded the distribution; receives what is reclaimed.
    address public immutable company;

    /// @dev What a push batch accumulates while it settles its leaves (in memory: the stack is full).
    struct Tally {
        uint256 reserved;
        uint256 withheld;
        uint256 paidCount;
        uint256 reservedCount;
        address lastWallet;
        bool lastBlocked;
        bool open;
    }

    /// @notice Sum of net + withheld of the leaves reserved now.
    uint256 public reserved;
    mapping(uint256 word => uint256 states) private _states;

    /// @param terms the declaration (see {IDistribution-Terms}); checked here
    /// @param company_ the declarer, who funds it and gets the reclaimed rest
    constructor(Terms memory terms, address company_) {
        if (address(terms.paymentToken) == address(0)) revert InvalidAccount(address(0));
        if (address(terms.registry) == address(0)) revert InvalidAccount(address(0));
        if (terms.taxAccount == address(0)) revert InvalidAccount(terms.taxAccount);
        if (terms.dust != 0 && terms.dustAccount == address(0)) revert InvalidAccount(terms.dustAccount);
        if (terms.admin == address(0)) revert InvalidAccount(terms.admin);
        if (terms.distributor == address(0)) revert InvalidAccount(terms.distributor);
        if (company_ == address(0)) revert InvalidAccount(company_);
        if (
            terms.root == bytes32(0) || terms.leafCount == 0 || terms.entitled == 0
                || terms.recordBlock >= block.number || terms.claimDeadline <= block.timestamp
        ) revert InvalidTerms();
        paymentToken = terms.paymentToken;
        registry = terms.registry;
        root = terms.root;
        leafCount = terms.leafCount;
        entitled = terms.entitled;
        dust = terms.dust;
        recordBlock = terms.recordBlock;
        claimDeadline = terms.claimDeadline;
        taxAccount = terms.taxAccount;
        dustAccount = terms.dustAccount;
        company = company_;
        _grantRole(DEFAULT_ADMIN_ROLE, terms.admin);
        _grantRole(DISTRIBUTOR_ROLE, terms.distributor);
        uint256 words = _wordCount(terms.leafCount);
        _prepare(0, words < WORDS_PREPARED_AT_DECLARATION ? words : WORDS_PREPARED_AT_DECLARATION);
    }

    /// @inheritdoc IDistribution
    function claim(Entitlement calldata e, bytes32[] calldata proof) external nonReentrant returns (bool) {
        if (!MerkleProof.verifyCalldata(proof, root, _leafHash(e))) revert InvalidProof();
        (uint256 word, uint256 shift) = _position(e.index);
        uint256 states = _states[word];
        uint256 state = (states >> shift) & 3;
        if (state == _PAID) revert AlreadyPaid(e.index);
        if (state == _UNPAID && block.timestamp >= claimDeadline) revert ClaimDeadlinePassed(claimDeadline);
        address wallet = e.wallet;
        if (_isBlocked(wallet)) {
            if (state == _RESERVED) revert WalletBlocked(wallet);
            _states[word] = states | (_RESERVED << shift);
            reserved += e.net + e.withheld;
            emit Reserved(wallet, e.classToken, e.index, e.net, e.withheld);
            return false;
        }
        _states[word] = states ^ ((state ^ _PAID) << shift); // unpaid or reserved -> paid
        (uint256 net, uint256 withheld) = (e.net, e.withheld);
        if (state == _RESERVED) reserved -= net + withheld;
        emit Paid(wallet, e.classToken, e.index, net, withheld);
        if (net != 0) paymentToken.safeTransfer(wallet, net);
        if (withheld != 0) paymentToken.safeTransfer(taxAccount, withheld);
        return true;
    }

    /// @inheritdoc IDistribution
    function pay(Entitlement[] calldata leaves, bytes32[] calldata proof, bool[] calldata proofFlags)
        external
        onlyRole(DISTRIBUTOR_ROLE)
        nonReentrant
        returns (uint256 paidCount, uint256 reservedCount)
    {
        if (leaves.length == 0) revert EmptyBatch();
        bytes32[] memory hashes = new bytes32[](leaves.length);
        for (uint256 i = 0; i < leaves.length; ++i) {
            hashes[i] = _leafHash(leaves[i]);
        }
        if (!MerkleProof.multiProofVerifyCalldata(proof, proofFlags, root, hashes)) revert InvalidProof();
        // `hashes` is reused for the net amount to send each leaf (0: nothing)
        Tally memory tally = _settleAll(leaves, hashes);
        _sendAll(leaves, hashes, tally.withheld);
        return (tally.paidCount, tally.reservedCount);
    }

    /// @inheritdoc IDistribution
    function reclaim() external onlyRole(DISTRIBUTOR_ROLE) nonReentrant returns (uint256 amount) {
        if (block.timestamp < claimDeadline) revert ClaimPeriodOpen(claimDeadline);
        uint256 balance = paymentToken.balanceOf(address(this));
        uint256 kept = reserved;
        if (balance <= kept) revert NothingToReclaim();
        amount = balance - kept;
        emit Reclaimed(company, amount);
        paymentToken.safeTransfer(company, amount);
    }

    /// @inheritdoc IDistribution
    function payRecovered(Entitlement calldata e, bytes32[] calldata proof, address newWallet)
        external
        onlyRole(DISTRIBUTOR_ROLE)
        nonReentrant
    {
        if (!MerkleProof.verifyCalldata(proof, root, _leafHash(e))) revert InvalidProof();
        (uint256 word, uint256 shift) = _position(e.index);
        uint256 states = _states[word];
        uint256 state = (states >> shift) & 3;
        if (state == _PAID) revert AlreadyPaid(e.index);
        if (state != _RESERVED) revert NotReserved(e.index);
        _checkRecovered(e.wallet, newWallet);
        _states[word] = (states & ~(3 << shift)) | (_PAID << shift);
        reserved -= e.net + e.withheld;
        emit PaidToRecoveredWallet(e.wallet, newWallet, e.classToken, e.index, e.net, e.withheld);
        if (e.net != 0) paymentToken.safeTransfer(newWallet, e.net);
        if (e.withheld != 0) paymentToken.safeTransfer(taxAccount, e.withheld);
    }

    /// @inheritdoc IDistribution
    function prepareStates(uint256 fromWord, uint256 count) external {
        uint256 words = _wordCount(leafCount);
        if (count == 0 || fromWord >= words || count > words - fromWord) {
            revert InvalidWordRange(fromWord, count, words);
        }
        _prepare(fromWord, fromWord + count);
        emit StatesPrepared(fromWord, count);
    }

    /// @inheritdoc IDistribution
    function stateOf(uint256 index) external view returns (uint8) {
        (uint256 word, uint256 shift) = _position(index);
        return uint8((_states[word] >> shift) & 3);
    }

    /// @inheritdoc IDistribution
    function stateWords(uint256 fromWord, uint256 count) external view returns (uint256[] memory words) {
        words = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            words[i] = _states[fromWord + i];
        }
    }

    /// @inheritdoc IDistribution
    function isBlocked(address wallet) external view returns (bool) {
        return _isBlocked(wallet);
    }

    /// @dev Effects of a push: every leaf's state, the reserved total and the events; the net
    /// amount to send each leaf goes into `amounts`.
    function _settleAll(Entitlement[] calldata leaves, bytes32[] memory amounts) private returns (Tally memory tally) {
        tally = Tally(reserved, 0, 0, 0, address(0), false, block.timestamp < claimDeadline);
        for (uint256 i = 0; i < leaves.length; ++i) {
            amounts[i] = bytes32(_settle(leaves[i], tally, i == 0));
        }
        if (tally.reserved != reserved) reserved = tally.reserved;
    }

    /// @dev Interactions of a push, after its effects: each net amount, then the withheld total.
    function _sendAll(Entitlement[] calldata leaves, bytes32[] memory amounts, uint256 withheld) private {
        IERC20 token = paymentToken;
        for (uint256 i = 0; i < leaves.length; ++i) {
            uint256 net = uint256(amounts[i]);
            if (net != 0) token.safeTransfer(leaves[i].wallet, net);
        }
        if (withheld != 0) token.safeTransfer(taxAccount, withheld);
    }

    /// @dev Settle one pushed leaf (state, totals, event); returns the net amount to send it.
    /// Consecutive leaves of one wallet (the tree is ordered by wallet) ask the registry once.
    function _settle(Entitlement calldata e, Tally memory tally, bool first) private returns (uint256) {
        (uint256 word, uint256 shift) = _position(e.index);
        uint256 states = _states[word];
        uint256 state = (states >> shift) & 3;
        if (state == _PAID || (state == _UNPAID && !tally.open)) return 0;
        if (first || e.wallet != tally.lastWallet) {
            tally.lastWallet = e.wallet;
            tally.lastBlocked = _isBlocked(e.wallet);
        }
        if (tally.lastBlocked) {
            if (state == _RESERVED) return 0;
            _states[word] = states | (_RESERVED << shift);
            tally.reserved += e.net + e.withheld;
            ++tally.reservedCount;
            emit Reserved(e.wallet, e.classToken, e.index, e.net, e.withheld);
            return 0;
        }
        _states[word] = (states & ~(3 << shift)) | (_PAID << shift);
        if (state == _RESERVED) tally.reserved -= e.net + e.withheld;
        tally.withheld += e.withheld;
        ++tally.paidCount;
        emit Paid(e.wallet, e.classToken, e.index, e.net, e.withheld);
        return e.net;
    }

    /// @dev Frozen, not registered (or removed), or past its qualification's expiry: the rules of
    /// {IHolderRegistry-isQualified} plus the frozen flag, read from the wallet's packed record
    /// ({IHolderRegistry-recordOf}: one word, decoded by {HolderRecord}). A call whose answer is
    /// not one word, or that fails, reads as "not registered": blocked.
    function _isBlocked(address wallet) private view returns (bool) {
        address target = address(registry);
        bytes4 selector = IHolderRegistry.recordOf.selector;
        uint256 word;
        assembly ("memory-safe") {
            mstore(0x00, selector)
            mstore(0x04, wallet)
            let ok := staticcall(gas(), target, 0x00, 0x24, 0x00, 0x20)
            word := mul(mload(0x00), and(ok, eq(returndatasize(), 0x20)))
        }
        HolderRecord record = HolderRecord.wrap(word);
        return !record.isRegistered() || block.timestamp >= record.expiresAt() || record.frozen();
    }

    /// @dev The StandardMerkleTree leaf: keccak256 of keccak256 of the ABI-encoded values.
    /// The entitlement is five static words in calldata, laid out as `abi.encode` lays them out,
    /// so the inner hash is taken over a plain copy of them (in scratch memory above the free
    /// memory pointer, which is not moved).
    function _leafHash(Entitlement calldata e) private pure returns (bytes32 leaf) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, e, 0xa0)
            mstore(0x00, keccak256(ptr, 0xa0))
            leaf := keccak256(0x00, 0x20)
        }
    }

    function _position(uint256 index) private view returns (uint256 word, uint256 shift) {
        if (index >= leafCount) revert InvalidLeafIndex(index, leafCount);
        return (index / LEAVES_PER_WORD, (index % LEAVES_PER_WORD) << 1);
    }

    /// @dev `newWallet` may take `lostWallet`'s reserved leaves: another wallet, registered to the
    /// investor index that the lost wallet's record carries, and not blocked itself.
    function _checkRecovered(address lostWallet, address newWallet) private view {
        (HolderRecord lost, HolderRecord found) = registry.recordsOf(lostWallet, newWallet);
        uint32 investor = lost.investorIndex();
        if (newWallet == lostWallet || investor == 0 || !found.isRegistered() || found.investorIndex() != investor) {
            revert NotSameInvestor(lostWallet, newWallet);
        }
        if (_isBlocked(newWallet)) revert WalletBlocked(newWallet);
    }

    /// @dev Set the prepared bit of words `fromWord .. toWord - 1` (their leaf states stay).
    function _prepare(uint256 fromWord, uint256 toWord) private {
        for (uint256 w = fromWord; w < toWord; ++w) {
            _states[w] |= _PREPARED;
        }
    }

    function _wordCount(uint256 leaves) private pure returns (uint256) {
        return (leaves + LEAVES_PER_WORD - 1) / LEAVES_PER_WORD;
    }
}
