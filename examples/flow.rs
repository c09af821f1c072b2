//! One process plays the three parts of an authorization-code flow with PKCE:
//! the client, the authorization server, and an attacker who intercepted
//! authorization codes (RFC 7636 §1).
//!
//! Run it with `cargo run --example flow`.

use std::collections::HashMap;
use std::process::ExitCode;

use proofkey::{ChallengeMethod, ClientType, CodeChallenge, CodeVerifier, Policy};

/// What the server keeps per authorization code: the binding, in one record.
struct CodeRecord {
    client_id: &'static str,
    challenge: Option<(String, ChallengeMethod)>,
}

struct Server {
    policy: Policy,
    codes: HashMap<String, CodeRecord>,
}

impl Server {
    fn client_type(client_id: &str) -> ClientType {
        // From the client's registration, never from the request.
        if client_id == "spa" {
            ClientType::Public
        } else {
            ClientType::Confidential
        }
    }

    /// A fresh authorization code: 128 bits from the OS RNG, its own random
    /// source (never derived from anything the client sent).
    fn new_code() -> Result<String, String> {
        let mut octets = [0u8; 16];
        getrandom::fill(&mut octets).map_err(|e| format!("OS RNG: {e}"))?;
        Ok(octets.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The authorization endpoint, after client_id and redirect_uri checks.
    fn authorize(
        &mut self,
        client_id: &'static str,
        query: &[(&str, &str)],
    ) -> Result<String, String> {
        let client = Self::client_type(client_id);
        let bound = self
            .policy
            .authorize_params(client, query.iter().copied())
            .map_err(|e| format!("{}: {}", e.error_code(), e.description()))?;
        let code = Self::new_code()?;
        let challenge = bound.map(|c| (c.as_str().to_owned(), c.method()));
        self.codes.insert(
            code.clone(),
            CodeRecord {
                client_id,
                challenge,
            },
        );
        Ok(code)
    }

    /// The token endpoint. The code is consumed whatever the outcome.
    fn token(&mut self, client_id: &str, form: &[(&str, &str)]) -> Result<&'static str, String> {
        let code = form.iter().find(|(k, _)| *k == "code").map_or("", |p| p.1);
        let Some(record) = self.codes.remove(code) else {
            return Err("invalid_grant: unknown or already used code".into());
        };
        if record.client_id != client_id {
            return Err("invalid_grant: code was issued to another client".into());
        }
        let bound = match &record.challenge {
            Some((value, method)) => {
                Some(CodeChallenge::parse(value, *method).map_err(|e| e.to_string())?)
            }
            None => None,
        };
        self.policy
            .token_params(
                Self::client_type(client_id),
                bound.as_ref(),
                form.iter().copied(),
            )
            .map(|()| "an access token")
            .map_err(|e| format!("{}: {}", e.error_code(), e.description()))
    }
}

/// One login of the public client `spa`: a fresh verifier, its challenge in
/// the authorization request, and the code that comes back.
fn login(server: &mut Server) -> Result<(CodeVerifier, String), String> {
    let verifier = CodeVerifier::random().map_err(|e| e.to_string())?;
    let challenge = verifier.challenge();
    let query = [
        ("response_type", "code"),
        ("client_id", "spa"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let code = server.authorize("spa", &query)?;
    Ok((verifier, code))
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flow failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut server = Server {
        policy: Policy::production(),
        codes: HashMap::new(),
    };
    println!(
        "authorization server: policy = production, code_challenge_methods_supported = {:?}\n",
        server.policy.methods_supported()
    );

    // 1-3. Client: a fresh secret verifier; only its S256 challenge travels in
    //      the front channel; the server binds it to a new code.
    let verifier = CodeVerifier::random().map_err(|e| e.to_string())?;
    println!(
        "[client]   1. code_verifier generated ({} chars, kept secret: never printed or logged)",
        verifier.secret().len()
    );
    let challenge = verifier.challenge();
    println!(
        "[client]   2. authorization request sent: code_challenge={} code_challenge_method={}",
        challenge.as_str(),
        challenge.method()
    );
    let query = [
        ("response_type", "code"),
        ("client_id", "spa"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let code = server.authorize("spa", &query)?;
    println!("[server]   3. challenge validated and bound to a new authorization code {code}");

    // 4. Client: redeems the code with its verifier.
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("code_verifier", verifier.secret()),
    ];
    let token = server.token("spa", &form)?;
    println!("[client]   4. token request with the code_verifier accepted: issued {token}");

    // 5. Attacker: intercepts the code of the next login (a malicious app on
    //    the same custom scheme, a leaky log...) and races to redeem it with
    //    no verifier: RFC 7636 §4.6 requires one for a code bound to a challenge.
    let (_, stolen) = login(&mut server)?;
    println!("[attacker] 5. intercepted authorization code {stolen} from the next login");
    let form = [("grant_type", "authorization_code"), ("code", &stolen)];
    match server.token("spa", &form) {
        Err(e) => println!("[attacker]    redeeming it without a code_verifier: rejected, {e}"),
        Ok(_) => return Err("the intercepted code was redeemed without a verifier".into()),
    }

    // 6. Attacker: intercepts a fresh code and guesses a verifier. Any
    //    verifier but the client's hashes to another challenge: a mismatch.
    let (_, fresh) = login(&mut server)?;
    let guess = CodeVerifier::random().map_err(|e| e.to_string())?;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &fresh),
        ("code_verifier", guess.secret()),
    ];
    match server.token("spa", &form) {
        Err(e) => {
            println!("[attacker] 6. fresh code {fresh} with a guessed code_verifier: rejected, {e}")
        }
        Ok(_) => return Err("the guessed verifier was accepted".into()),
    }

    // 7. Attacker: replays the client's own request from step 4, verifier
    //    included (read from a log): the code was consumed when it was redeemed.
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("code_verifier", verifier.secret()),
    ];
    match server.token("spa", &form) {
        Err(e) => println!(
            "[attacker] 7. replay of the redeemed code {code} with its real code_verifier: rejected, {e}"
        ),
        Ok(_) => return Err("the replayed code was accepted".into()),
    }

    // 8. Attacker: strips the challenge (a downgrade); a public client must use PKCE.
    match server.authorize("spa", &[("response_type", "code"), ("client_id", "spa")]) {
        Err(e) => println!(
            "[attacker] 8. authorization request with the challenge stripped: rejected, {e}"
        ),
        Ok(_) => return Err("the downgrade was accepted".into()),
    }
    println!("\nPKCE held: only the holder of the code_verifier could redeem the code, once.");
    Ok(())
}
