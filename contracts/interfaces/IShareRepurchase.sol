// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Repurchases of shares by the company, paid in a payment token (SPEC §14)
/// @notice A buyback from one holder with their EIP-712 signed consent ({repurchase}: the shares
/// are cancelled and paid in the same transaction), and an equal pro-rata repurchase from every
/// holder of a class that governance opens and funds ({openProRata}), carried out in batches by
/// anyone ({repurchaseProRata}).
interface IShareRepurchase {
    /// @notice What a holder consents to: the company buys `shares` base units of `shareClass` from
    /// `holder` at `pricePerUnit` payment-token base units per share base unit, paid in
    /// `paymentToken`, once (`nonce`), until `deadline` (unix seconds).
    struct Consent {
        address shareClass;
        address holder;
        uint256 shares;
        address paymentToken;
        uint256 pricePerUnit;
        uint256 nonce;
        uint64 deadline;
    }

    /// @notice A pro-rata repurchase: `numerator / denominator` of each holder's balance (rounded
    /// down) bought at `pricePerUnit`, until `closes`; `funded` was paid in by `payer`, `paid` paid out.
    struct Program {
        address shareClass;
        address paymentToken;
        address payer;
        uint64 numerator;
        uint64 denominator;
        uint64 closes;
        bool closed;
        uint256 pricePerUnit;
        uint256 funded;
        uint256 paid;
    }

    /// @notice The consent's deadline passed.
    error ConsentExpired(uint64 deadline);
    /// @notice The signature is not `holder`'s over the consent.
    error InvalidConsent(address holder);
    /// @notice `shareClass` is not a class of this offering.
    error UnknownShareClass(address shareClass);
    /// @notice A payment moved `received` instead of `expected` (a fee-on-transfer token).
    error PaymentShortfall(uint256 expected, uint256 received);
    /// @notice Terms that cannot be: a zero share count or ratio term, more than the whole
    /// balance, a closing time already past.
    error InvalidRepurchaseTerms();
    /// @notice No open program `id` (unknown, closed, or past its closing time).
    error ProgramNotOpen(uint256 id);
    /// @notice Program `id` is still open until `closes`.
    error ProgramStillOpen(uint256 id, uint64 closes);
    /// @notice Paying `amount` would exceed what program `id` has left (shares were issued after it opened).
    error ProgramUnderfunded(uint256 id, uint256 amount, uint256 left);

    /// @notice `shares` of `holder` in `shareClass` were cancelled and `paid` in `paymentToken`
    /// paid to `holder` (`program` 0: a consented buyback; else the pro-rata program's id).
    event SharesRepurchased(
        address indexed shareClass,
        address indexed holder,
        uint256 shares,
        uint256 paid,
        address paymentToken,
        uint256 indexed program
    );
    /// @notice Governance opened pro-rata program `id` and funded it with `funded`.
    event ProgramOpened(uint256 indexed id, address indexed shareClass, uint256 funded);
    /// @notice Program `id` closed; `returned` went back to its payer.
    event ProgramClosedOut(uint256 indexed id, uint256 returned);

    /// @notice Buy back the shares of `consent` from its holder, who signed it (EIP-712 typed data
    /// `Consent`, domain "Share Repurchase" version "1"): the class redeems the shares (unlocked
    /// first) and the caller pays `shares * pricePerUnit` to the holder, in one transaction.
    /// BUYER_ROLE. Emits {SharesRepurchased}.
    function repurchase(Consent calldata consent, bytes calldata signature) external returns (uint256 paid);

    /// @notice Open a pro-rata repurchase of `numerator / denominator` of every holding of
    /// `shareClass` at `pricePerUnit` until `closes`, funded now by the caller with the most it can
    /// cost (total supply times the fraction times the price). DEFAULT_ADMIN_ROLE (the timelock).
    /// Emits {ProgramOpened}.
    function openProRata(
        address shareClass,
        address paymentToken,
        uint256 pricePerUnit,
        uint64 numerator,
        uint64 denominator,
        uint64 closes
    ) external returns (uint256 id);

    /// @notice Repurchase program `id`'s share from each of `holders` not yet served: anyone, while
    /// open; a served or empty holder is passed over (a batch may be resent). Returns how many
    /// were served.
    function repurchaseProRata(uint256 id, address[] calldata holders) external returns (uint256 served);

    /// @notice After program `id` closes: send what it did not pay back to its payer. Anyone.
    /// Emits {ProgramClosedOut}.
    function closeProRata(uint256 id) external returns (uint256 returned);

    /// @notice Program `id`'s terms and books.
    function programOf(uint256 id) external view returns (Program memory);

    /// @notice True once `holder` was served by program `id`.
    function served(uint256 id, address holder) external view returns (bool);

    /// @notice How many programs were opened (ids are 1..programCount).
    function programCount() external view returns (uint256);

    /// @notice The next consent nonce of `holder`.
    function nonces(address holder) external view returns (uint256);
}
