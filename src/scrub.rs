//! Wiping the stack a constructor leaves behind.
//!
//! A constructor builds a value in its own stack frame and returns it by
//! moving it to the caller: a `memcpy` in a release build, after which the
//! original bytes stay in the dead frame until something overwrites them.
//! The constructors that build a secret therefore run in an
//! `#[inline(never)]` function, and the public function that called it
//! wipes the stack below itself right after it returns, where that frame
//! was (`zeroize::zeroize_stack`).
//!
//! Best effort, as `zeroize` says of it: `#[inline(never)]` is a hint, and
//! frame sizes depend on the compiler and its options. The sizes below are
//! the frames measured in release builds (x86-64, rustc 1.95) with room to
//! spare; `tests/stack.rs` checks the result where it can be observed.

/// Wipes `N` bytes of stack below the caller's frame.
#[inline(always)]
pub(crate) fn below<const N: usize>() {
    zeroize::zeroize_stack::<N>();
}

/// For a frame that holds a verifier and a few words (`parse`,
/// `from_random_bytes`, a plain challenge).
pub(crate) const SMALL: usize = 512;

/// For a frame that also holds the RNG's fill and the drawing buffers.
pub(crate) const LARGE: usize = 1024;
