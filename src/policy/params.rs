//! The (name, value) pairs of a decoded query or form, whatever the parser.

/// One decoded (name, value) parameter of a query string or
/// `application/x-www-form-urlencoded` body, as
/// [`Policy::authorize_params`](crate::Policy::authorize_params) and
/// [`Policy::token_params`](crate::Policy::token_params) read it.
///
/// Implemented for a tuple `(K, V)` and for a reference to one `&(K, V)`,
/// with `K` and `V` anything that is [`AsRef<str>`]: `&str`, `String`,
/// `Cow<str>`, `&String`, ... So the pairs can come from
/// `form_urlencoded::parse` (`(Cow<str>, Cow<str>)`), a
/// `Vec<(String, String)>` by value or by reference (`&(String, String)`), a
/// slice or array of `(&str, &str)`, or a map's iterator
/// (`(&String, &String)`). Nothing is copied: the value is read where it is.
///
/// The trait is sealed: other types map to a tuple first.
///
/// # Example
///
/// ```
/// use proofkey::Param;
///
/// let owned = (String::from("code_verifier"), String::from("abc"));
/// assert_eq!((owned.name(), owned.value()), ("code_verifier", "abc"));
/// let by_ref: &(String, String) = &owned; // the items of `&Vec<(String, String)>`
/// assert_eq!(Param::value(&by_ref), "abc");
/// assert_eq!(("state", "xyz").name(), "state");
/// ```
pub trait Param: sealed::Sealed {
    /// The parameter's name, decoded.
    fn name(&self) -> &str;
    /// The parameter's value, decoded.
    fn value(&self) -> &str;
}

impl<K: AsRef<str>, V: AsRef<str>> Param for (K, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }

    fn value(&self) -> &str {
        self.1.as_ref()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Param for &(K, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }

    fn value(&self) -> &str {
        self.1.as_ref()
    }
}

pub(super) mod sealed {
    pub trait Sealed {}
    impl<K: AsRef<str>, V: AsRef<str>> Sealed for (K, V) {}
    impl<K: AsRef<str>, V: AsRef<str>> Sealed for &(K, V) {}
}
