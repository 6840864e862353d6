// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Gas reference: a plain OpenZeppelin ERC20 (anyone may mint; benchmark only).
contract ReferenceERC20 is ERC20 {
    constructor() ERC20("Reference", "REF") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
