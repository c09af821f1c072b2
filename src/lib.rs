#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented,
        clippy::missing_errors_doc,
        clippy::missing_panics_doc,
    )
)]

mod alphabet;
#[cfg(feature = "arbitrary")]
mod arbitrary_impl;
mod challenge;
mod error;
mod method;
mod policy;
#[cfg(feature = "serde")]
mod serde_impl;
mod verifier;

pub use challenge::{CodeChallenge, verify};
pub use error::Error;
pub use method::ChallengeMethod;
pub use policy::{AuthorizeError, ClientType, Policy, TokenError};
pub use verifier::CodeVerifier;
