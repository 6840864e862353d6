// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IHolderRegistry} from "../interfaces/IHolderRegistry.sol";

/// @title One distribution (a dividend) to the holders of record of an offering
/// @notice Entitlements are the leaves of a Merkle tree in OpenZeppelin's StandardMerkleTree
/// format, leaf encoding `(uint256 index, address wallet, address classToken, uint256 net,
/// uint256 withheld)`: one leaf per (wallet, class) that held shares at the record block. A leaf is
/// paid once (claimed by proof, or pushed by the distributor): `net` to the wallet, `withheld` to
/// the tax account. A wallet that is frozen or no longer qualified in the registry is not paid:
/// its leaf becomes *reserved* and stays payable, even after the claim deadline, once the wallet
/// may receive again. After the deadline the distributor reclaims the rest for the company.
interface IDistribution {
    /// @notice What a declaration fixes; the factory passes it to the distribution's constructor.
    struct Terms {
        IERC20 paymentToken;
        IHolderRegistry registry;
        bytes32 root; // of the StandardMerkleTree of entitlements
        uint256 leafCount; // leaves are indexed 0 .. leafCount - 1
        uint256 entitled; // sum of net + withheld over every leaf: what the distribution holds
        uint256 dust; // funded - entitled: paid to the dust account at funding
        uint64 recordBlock; // the cap table the entitlements were computed from
        uint64 claimDeadline; // unix seconds; unreserved leaves are claimable before it
        address taxAccount; // receives every withheld amount
        address dustAccount; // receives the dust
        address admin; // DEFAULT_ADMIN_ROLE (the offering's timelock)
        address distributor; // DISTRIBUTOR_ROLE: pushes payments and reclaims (the issuer)
    }

    /// @notice One leaf of the tree: `wallet` is entitled to `net` (and `withheld` for the tax
    /// account) for its shares of `classToken` at the record block.
    struct Entitlement {
        uint256 index;
        address wallet;
        address classToken;
        uint256 net;
        uint256 withheld;
    }

    /// @notice Leaf `index` was paid: `net` to `wallet`, `withheld` to the tax account.
    event Paid(address indexed wallet, address indexed classToken, uint256 index, uint256 net, uint256 withheld);
    /// @notice Leaf `index` is reserved: its wallet was frozen or not qualified when it was to be paid.
    event Reserved(address indexed wallet, address indexed classToken, uint256 index, uint256 net, uint256 withheld);
    /// @notice After the deadline, `amount` (unclaimed and not reserved) went back to `company`.
    event Reclaimed(address indexed company, uint256 amount);
    /// @notice Reserved leaf `index` of `lostWallet` was paid: `net` to `newWallet`, a wallet the
    /// registry maps to the same investor (the lost wallet was recovered), `withheld` to the tax account.
    event PaidToRecoveredWallet(
        address indexed lostWallet,
        address indexed newWallet,
        address indexed classToken,
        uint256 index,
        uint256 net,
        uint256 withheld
    );
    /// @notice State words `fromWord .. fromWord + count - 1` were prepared (see {prepareStates}).
    event StatesPrepared(uint256 fromWord, uint256 count);

    /// @notice The proof does not lead from the leaf (or leaves) to the root.
    error InvalidProof();
    /// @notice There is no leaf `index` (the tree has `leafCount`).
    error InvalidLeafIndex(uint256 index, uint256 leafCount);
    /// @notice Leaf `index` was paid already.
    error AlreadyPaid(uint256 index);
    /// @notice The claim deadline passed: only reserved leaves can still be paid.
    error ClaimDeadlinePassed(uint64 deadline);
    /// @notice The claim period runs until `deadline`: nothing can be reclaimed before.
    error ClaimPeriodOpen(uint64 deadline);
    /// @notice `wallet` is frozen or not qualified, and its leaf is reserved already.
    error WalletBlocked(address wallet);
    /// @notice Nothing is left to reclaim.
    error NothingToReclaim();
    /// @notice A push of no leaves.
    error EmptyBatch();
    /// @notice A declaration with a zero address where an account or contract is needed.
    error InvalidAccount(address account);
    /// @notice A declaration whose tree, totals or dates cannot describe a distribution.
    error InvalidTerms();
    /// @notice Funding moved `received` to `to` where `expected` was sent (a fee-on-transfer token).
    error FundingShortfall(address to, uint256 expected, uint256 received);
    /// @notice Leaf `index` is not reserved (only a reserved leaf may be paid to a recovered wallet).
    error NotReserved(uint256 index);
    /// @notice The registry does not map `newWallet` to the investor of `lostWallet` (or they are one wallet).
    error NotSameInvestor(address lostWallet, address newWallet);
    /// @notice There are `wordCount` state words; `fromWord .. fromWord + count - 1` is not a range of them.
    error InvalidWordRange(uint256 fromWord, uint256 count, uint256 wordCount);

    /// @notice Pay leaf `e` to its wallet (anyone may send it; the money goes to the leaf's wallet
    /// and the tax account only). Before the deadline an unpaid leaf is paid, after it only a
    /// reserved one. A blocked wallet's leaf becomes reserved instead (returns false, emits
    /// {Reserved}); if it is reserved already, {WalletBlocked}. Emits {Paid} and returns true.
    function claim(Entitlement calldata e, bytes32[] calldata proof) external returns (bool paid);

    /// @notice Push a batch of leaves, proven together by an OpenZeppelin multiproof (leaves in
    /// the order `getMultiProof` gives). DISTRIBUTOR_ROLE. Leaves already paid are skipped (a
    /// resent batch pays nothing twice); blocked wallets' leaves become reserved; after the
    /// deadline only reserved leaves are paid. The withheld amounts go to the tax account in one
    /// transfer. Emits {Paid} or {Reserved} per leaf that changed.
    function pay(Entitlement[] calldata leaves, bytes32[] calldata proof, bool[] calldata proofFlags)
        external
        returns (uint256 paidCount, uint256 reservedCount);

    /// @notice After the deadline, send what is neither paid nor reserved back to the company.
    /// DISTRIBUTOR_ROLE. Emits {Reclaimed}.
    function reclaim() external returns (uint256 amount);

    /// @notice Pay reserved leaf `e` of a wallet that was recovered to `newWallet`, which the registry
    /// maps to the same investor (same investor index; the lost wallet's record must still carry
    /// it) and which is not blocked. DISTRIBUTOR_ROLE; at any time, once per leaf (the leaf becomes
    /// paid). `net` to `newWallet`, `withheld` to the tax account. Emits {PaidToRecoveredWallet}.
    function payRecovered(Entitlement calldata e, bytes32[] calldata proof, address newWallet) external;

    /// @notice Mark state words `fromWord .. fromWord + count - 1` prepared (bit 255 set), so that
    /// no claim or push pays a zero-to-non-zero storage write. The constructor prepares the first
    /// 128 words (16,256 leaves); a larger tree needs this for the rest. Anyone may call
    /// it (it moves no money and changes no leaf's state); a prepared word stays as it is. Emits
    /// {StatesPrepared}.
    function prepareStates(uint256 fromWord, uint256 count) external;

    /// @notice 0 unpaid, 1 paid, 2 reserved.
    function stateOf(uint256 index) external view returns (uint8);

    /// @notice The raw state words `fromWord .. fromWord + count - 1` (two bits per leaf, leaf
    /// `i` at word `i / 127`, bits `2 * (i % 127)`; bit 255 set once the word is prepared), for
    /// off-chain readers.
    function stateWords(uint256 fromWord, uint256 count) external view returns (uint256[] memory words);

    /// @notice True when `wallet` is frozen or not qualified now (it would be reserved, not paid).
    function isBlocked(address wallet) external view returns (bool);
}
