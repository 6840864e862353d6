// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IShareClass} from "../interfaces/IShareClass.sol";
import {IShareRepurchase} from "../interfaces/IShareRepurchase.sol";

/// @title The company's repurchases of its shares (SPEC §14, issue 15)
/// @notice One per offering. It may redeem in every class of the offering (ISSUER_ROLE, granted at
/// deployment and revocable only by governance), and does so only in two ways: with the holder's
/// signed consent, the company (BUYER_ROLE: the issuer) paying the holder in the same
/// transaction; or, in a pro-rata program governance opened and funded, the same fraction of every
/// holding at the same price, paid out of the program's funds.
///
/// Money: every payment is checked by the receiver's balance change ({PaymentShortfall}: a
/// fee-on-transfer token is refused), SafeERC20 refuses a token that returns false, every entry
/// point is `nonReentrant`, and the books (nonce, served flag, paid amount) are written before any
/// call out. What the contract holds in a payment token is exactly what its open programs have
/// not paid: funded - paid, summed over them; a closed program returns the rest to its payer.
contract ShareRepurchase is IShareRepurchase, AccessControl, EIP712, Nonces, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice May buy back shares with a holder's consent (paying for them).
    bytes32 public constant BUYER_ROLE = keccak256("BUYER_ROLE");
    /// @notice The EIP-712 type of a holder's consent.
    bytes32 public constant CONSENT_TYPEHASH = keccak256(
        "Consent(address shareClass,address holder,uint256 shares,address paymentToken,uint256 pricePerUnit,uint256 nonce,uint64 deadline)"
    );

    mapping(address shareClass => bool) private _isClass;
    mapping(uint256 id => Program) private _programs;
    mapping(uint256 id => mapping(address holder => bool)) private _served;
    uint256 private _programCount;

    /// @param classes the offering's class tokens (the only ones it repurchases)
    /// @param admin DEFAULT_ADMIN_ROLE: the offering's timelock (opens programs, manages roles)
    /// @param buyer BUYER_ROLE: the issuer
    constructor(address[] memory classes, address admin, address buyer) EIP712("Share Repurchase", "1") {
        for (uint256 i = 0; i < classes.length; ++i) {
            _isClass[classes[i]] = true;
        }
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(BUYER_ROLE, buyer);
    }

    /// @inheritdoc IShareRepurchase
    function repurchase(Consent calldata consent, bytes calldata signature)
        external
        onlyRole(BUYER_ROLE)
        nonReentrant
        returns (uint256 paid)
    {
        if (!_isClass[consent.shareClass]) revert UnknownShareClass(consent.shareClass);
        if (consent.shares == 0) revert InvalidRepurchaseTerms();
        if (block.timestamp > consent.deadline) revert ConsentExpired(consent.deadline);
        bytes32 digest = _hashTypedDataV4(
            keccak256(
                abi.encode(
                    CONSENT_TYPEHASH,
                    consent.shareClass,
                    consent.holder,
                    consent.shares,
                    consent.paymentToken,
                    consent.pricePerUnit,
                    consent.nonce,
                    consent.deadline
                )
            )
        );
        if (!SignatureChecker.isValidSignatureNow(consent.holder, digest, signature)) {
            revert InvalidConsent(consent.holder);
        }
        _useCheckedNonce(consent.holder, consent.nonce);
        paid = consent.shares * consent.pricePerUnit;
        emit SharesRepurchased(consent.shareClass, consent.holder, consent.shares, paid, consent.paymentToken, 0);
        IShareClass(consent.shareClass).redeem(consent.holder, consent.shares);
        _pay(IERC20(consent.paymentToken), msg.sender, consent.holder, paid);
    }

    /// @inheritdoc IShareRepurchase
    function openProRata(
        address shareClass,
        address paymentToken,
        uint256 pricePerUnit,
        uint64 numerator,
        uint64 denominator,
        uint64 closes
    ) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant returns (uint256 id) {
        if (!_isClass[shareClass]) revert UnknownShareClass(shareClass);
        if (numerator == 0 || numerator > denominator || closes <= block.timestamp) revert InvalidRepurchaseTerms();
        // whole share base units first (each holding's fraction rounds down), then their price:
        // the most the program can pay, exactly
        // slither-disable-next-line divide-before-multiply
        uint256 funded = ((IERC20(shareClass).totalSupply() * numerator) / denominator) * pricePerUnit;
        id = ++_programCount;
        _programs[id] = Program({
            shareClass: shareClass,
            paymentToken: paymentToken,
            payer: msg.sender,
            numerator: numerator,
            denominator: denominator,
            closes: closes,
            closed: false,
            pricePerUnit: pricePerUnit,
            funded: funded,
            paid: 0
        });
        emit ProgramOpened(id, shareClass, funded);
        _pay(IERC20(paymentToken), msg.sender, address(this), funded);
    }

    /// @inheritdoc IShareRepurchase
    function repurchaseProRata(uint256 id, address[] calldata holders) external nonReentrant returns (uint256 count) {
        Program storage program = _programs[id];
        if (program.shareClass == address(0) || program.closed || block.timestamp > program.closes) {
            revert ProgramNotOpen(id);
        }
        for (uint256 i = 0; i < holders.length; ++i) {
            if (_serve(id, program, holders[i])) ++count;
        }
    }

    /// @inheritdoc IShareRepurchase
    function closeProRata(uint256 id) external nonReentrant returns (uint256 returned) {
        Program storage program = _programs[id];
        if (program.shareClass == address(0) || program.closed) revert ProgramNotOpen(id);
        if (block.timestamp <= program.closes) revert ProgramStillOpen(id, program.closes);
        program.closed = true;
        returned = program.funded - program.paid;
        emit ProgramClosedOut(id, returned);
        _pay(IERC20(program.paymentToken), address(this), program.payer, returned);
    }

    /// @inheritdoc IShareRepurchase
    function programOf(uint256 id) external view returns (Program memory) {
        return _programs[id];
    }

    /// @inheritdoc IShareRepurchase
    function served(uint256 id, address holder) external view returns (bool) {
        return _served[id][holder];
    }

    /// @inheritdoc IShareRepurchase
    function programCount() external view returns (uint256) {
        return _programCount;
    }

    /// @inheritdoc IShareRepurchase
    function nonces(address holder) public view override(IShareRepurchase, Nonces) returns (uint256) {
        return super.nonces(holder);
    }

    /// @dev Program `id`'s share of `holder`'s balance, redeemed and paid; false when the holder
    /// was served already or its share rounds to nothing. The books first, then the calls out.
    function _serve(uint256 id, Program storage program, address holder) private returns (bool) {
        if (_served[id][holder]) return false;
        address shareClass = program.shareClass;
        // the holding's fraction rounds down to whole base units, which are then priced exactly
        // slither-disable-next-line divide-before-multiply
        uint256 shares = (IERC20(shareClass).balanceOf(holder) * program.numerator) / program.denominator;
        // a holding too small for one base unit is passed over (nothing to buy, nothing to pay)
        // slither-disable-next-line incorrect-equality
        if (shares == 0) return false;
        // slither-disable-next-line divide-before-multiply
        uint256 amount = shares * program.pricePerUnit;
        uint256 paid = program.paid;
        if (paid + amount > program.funded) revert ProgramUnderfunded(id, amount, program.funded - paid);
        _served[id][holder] = true;
        program.paid = paid + amount;
        address paymentToken = program.paymentToken;
        emit SharesRepurchased(shareClass, holder, shares, amount, paymentToken, id);
        IShareClass(shareClass).redeem(holder, shares);
        _pay(IERC20(paymentToken), address(this), holder, amount);
        return true;
    }

    /// @dev Move `amount` of `token` from `from` (this contract: a transfer; else a transferFrom of
    /// its allowance to this contract) to `to`, checking that `to` received exactly `amount`.
    function _pay(IERC20 token, address from, address to, uint256 amount) private {
        // a zero amount (a zero price, a program that paid everything) moves nothing
        // slither-disable-next-line incorrect-equality
        if (amount == 0) return;
        uint256 before = token.balanceOf(to);
        if (from == address(this)) {
            token.safeTransfer(to, amount);
        } else {
            token.safeTransferFrom(from, to, amount);
        }
        uint256 received = token.balanceOf(to) - before;
        if (received != amount) revert PaymentShortfall(amount, received);
    }
}
