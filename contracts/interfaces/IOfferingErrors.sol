// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Errors shared by the registry and the class tokens of an offering
interface IOfferingErrors {
    /// @notice The arrays of a batch call differ in length.
    error BatchLengthMismatch(uint256 expected, uint256 actual);
    /// @notice The jurisdiction is not two upper-case ASCII letters (ISO 3166-1 alpha-2).
    error InvalidJurisdiction(bytes2 jurisdiction);
}
