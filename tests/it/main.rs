//! The one integration-test binary: each module tests the crate from outside, as a user or a
//! script would.

// Everything in this binary is test code, helpers included; a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod cli_decode;
mod frames;
mod support;
mod tidy;
