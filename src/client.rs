//! The client side of one authorization: [`ClientFlow`] (a pending flow),
//! [`StoredFlow`] (its text across the redirect), [`FlowStore`] (a table of
//! pending flows) and [`FlowError`].

mod binding;
mod bound;
mod error;
mod flow;
mod issuer;
mod negotiate;
mod state;
mod store;
mod stored;

pub use binding::{MAX_ISSUER_LEN, MAX_RESOURCE_LEN};
pub use error::FlowError;
pub use flow::ClientFlow;
pub use issuer::IssParameter;
pub use store::FlowStore;
pub use stored::StoredFlow;

/// How far in the future a flow's start time may be (clocks of two
/// servers of one client that disagree a little).
const CLOCK_SKEW_SECS: u64 = 60;

/// Whether a flow started at `issued_at` may still be used at `now_secs`:
/// not after `issued_at + max_age_secs`, and not started more than
/// [`CLOCK_SKEW_SECS`] in the future.
fn check_age(issued_at: u64, now_secs: u64, max_age_secs: u64) -> Result<(), FlowError> {
    if issued_at > now_secs.saturating_add(CLOCK_SKEW_SECS) {
        return Err(FlowError::FromFuture);
    }
    // Saturating: a start time within the skew counts as age 0.
    if now_secs.saturating_sub(issued_at) > max_age_secs {
        return Err(FlowError::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_limits_are_inclusive_and_saturate() {
        assert_eq!(check_age(1000, 1600, 600), Ok(()));
        assert_eq!(check_age(1000, 1601, 600), Err(FlowError::Expired));
        assert_eq!(check_age(1000, 940, 600), Ok(()));
        assert_eq!(check_age(1000, 939, 600), Err(FlowError::FromFuture));
        assert_eq!(check_age(0, u64::MAX, u64::MAX), Ok(()));
        assert_eq!(
            check_age(0, u64::MAX, u64::MAX - 1),
            Err(FlowError::Expired)
        );
        assert_eq!(check_age(u64::MAX, u64::MAX, 0), Ok(()));
        assert_eq!(check_age(u64::MAX, 0, u64::MAX), Err(FlowError::FromFuture));
        assert_eq!(check_age(5, 5, 0), Ok(()));
        assert_eq!(check_age(5, 6, 0), Err(FlowError::Expired));
    }
}
