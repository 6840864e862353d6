// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title A stablecoin for local chains and tests
/// @notice A plain OpenZeppelin ERC20 with ERC-2612 permit, any number of decimals (USDC and USDT
/// have 6, DAI 18) and minting by its owner. It pays dividends in tests and demos, and is what
/// `equity stablecoin deploy` puts on a local chain. Never deploy it as real money: its owner
/// mints at will.
contract TestStablecoin is ERC20, ERC20Permit, Ownable {
    uint8 private immutable _decimals;

    /// @param name_ e.g. "Test Tether USD"
    /// @param symbol_ e.g. "USDT"
    /// @param decimals_ base units per coin as a power of ten (6 for USDC/USDT)
    /// @param owner_ who may mint
    constructor(string memory name_, string memory symbol_, uint8 decimals_, address owner_)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
        Ownable(owner_)
    {
        _decimals = decimals_;
    }

    /// @notice Create `amount` base units for `to`. Owner only. Emits {Transfer} from the zero address.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }
}
