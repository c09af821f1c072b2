//! Wiping the stack a constructor leaves behind.
//!
//! A constructor builds a value in its own stack frame and returns it by
//! moving it to the caller: a `memcpy` in a release build, after which the
//! original bytes stay in the dead frame until something overwrites them.
//! Every constructor that builds a secret therefore builds it through
//! [`built`]: in a closure run in an `#[inline(never)]` frame of its own,
//! after which the stack below the constructor, where that frame was, is
//! wiped (`zeroize::zeroize_stack`).
//!
//! Best effort, as `zeroize` says of it: `#[inline(never)]` is a hint, and
//! frame sizes depend on the compiler and its options. The sizes below are
//! the frames measured in release builds (x86-64, rustc 1.95) with room to
//! spare; `tests/stack.rs` checks the result where it can be observed.

/// Runs `build` in a frame of its own, then wipes `N` bytes of stack below
/// the caller's frame, where that frame was.
///
/// Inlined into the caller, so that the value lands in the caller's frame
/// (or its caller's) and the wipe starts right below it.
#[inline(always)]
pub(crate) fn built<const N: usize, T>(build: impl FnOnce() -> T) -> T {
    let value = own_frame(build);
    zeroize::zeroize_stack::<N>();
    value
}

/// `build()`, never inlined: its temporaries stay in this frame.
#[inline(never)]
fn own_frame<T>(build: impl FnOnce() -> T) -> T {
    build()
}

/// For a frame that holds a verifier and a few words (`parse`,
/// `from_random_bytes`, a plain challenge).
pub(crate) const SMALL: usize = 512;

/// For a frame that also holds the RNG's fill and the drawing buffers.
pub(crate) const LARGE: usize = 1024;
