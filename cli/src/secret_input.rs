//! A secret argument given as `-` is read from standard input, so that it
//! stays out of the shell history and the process list.

use std::io::{self, BufRead};

use zeroize::Zeroizing;

/// The argument itself, or, for `-`, one line of standard input without
/// its line ending (`\n` or `\r\n`). The text is wiped when dropped.
pub(crate) fn read(arg: String) -> io::Result<Zeroizing<String>> {
    let arg = Zeroizing::new(arg);
    if arg.as_str() != "-" {
        return Ok(arg);
    }
    let mut line = Zeroizing::new(String::new());
    if io::stdin().lock().read_line(&mut line)? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "`-` reads the verifier from standard input, which was empty",
        ));
    }
    // Only the one line ending the line itself brings: any other trailing
    // byte stays and is reported by the syntax check (RFC 7636 §4.1).
    let end = line.strip_suffix('\n').map_or(line.len(), str::len);
    let end = line[..end].strip_suffix('\r').map_or(end, str::len);
    line.truncate(end);
    Ok(line)
}
