//! The reporter's receipt: a case code and a secret.
//!
//! The reporter gets both once. The code names the case (random, not sequential, so it says
//! nothing about how many cases exist or when this one came in); the secret proves the right to
//! read replies and add information. Only a slow salted hash of the secret (Argon2id, PHC string)
//! is stored.
//!
//! Both use Crockford's base32 alphabet (no I, L, O, U), and parsing forgives what people do when
//! copying by hand: any case, spaces, dashes, and `O`/`I`/`L` typed for `0`/`1`/`1`.
//!
//! Access checks must not tell "unknown case", "locked case" and "wrong secret" apart, neither by
//! answer nor by time: [`check_access`] does one Argon2 computation in every branch.

use std::fmt;
use std::str::FromStr;

use argon2::password_hash::{Output, PasswordHash, SaltString};
use rand::{CryptoRng, RngCore};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

use super::crypto::{
    argon2id_into, CryptoError, KdfParams, MAX_M_COST_KIB, MAX_P_COST, MAX_T_COST,
};

/// Crockford's base32 alphabet: digits and upper-case letters without I, L, O and U.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Prefix of every case code ("visselblåsning").
pub const CODE_PREFIX: &str = "VB";
/// Random symbols in a case code: 8 × 5 = 40 bits.
pub const CODE_SYMBOLS: usize = 8;
/// Random symbols in a receipt secret: 20 × 5 = 100 bits.
pub const SECRET_SYMBOLS: usize = 20;
/// Entropy of a receipt secret in bits.
pub const SECRET_BITS: usize = SECRET_SYMBOLS * 5;
/// Wrong secrets tolerated per case; the case is locked when this many have been counted.
pub const MAX_FAILED_ATTEMPTS: u32 = 5;

// The entropy requirements, checked at compile time.
const _: () = assert!(CODE_SYMBOLS * 5 >= 40);
const _: () = assert!(SECRET_BITS >= 80);

/// Longest input looked at by the parsers; anything longer is refused without further work.
const MAX_INPUT_BYTES: usize = 200;
const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;

/// Parse errors. They never contain the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// Not a case code.
    #[error("malformed case code")]
    MalformedCode,
    /// Not a receipt secret.
    #[error("malformed receipt secret")]
    MalformedSecret,
}

/// True if the case is locked after `failed` wrong secrets.
pub const fn is_locked(failed: u32) -> bool {
    failed >= MAX_FAILED_ATTEMPTS
}

/// What an access attempt may do. The store counts the attempt atomically *before* any Argon2
/// work and hands back the count it reached (`taken`, this attempt included) and whether the
/// case is under a lock; so parallel guesses cannot together check more than
/// [`MAX_FAILED_ATTEMPTS`] secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Check the secret against the stored hash.
    Check,
    /// Refuse after dummy work. `lock`: the limit is used up and no lock is set yet, so set one.
    Refuse { lock: bool },
}

/// The rule for one attempt; see [`Gate`].
pub const fn attempt_gate(taken: u32, locked: bool) -> Gate {
    if locked {
        Gate::Refuse { lock: false }
    } else if taken <= MAX_FAILED_ATTEMPTS {
        Gate::Check
    } else {
        Gate::Refuse { lock: true }
    }
}

/// Days a case stays locked after its `lockouts`-th lock since a handler last lifted one:
/// 1, 2, 4, then 7. A backoff, never a permanent lock: whoever saw the code cannot silence the
/// reporter for good, and handlers can lift a lock at once. Days, not instants: the lock is a
/// reporter-side date and is stored at day resolution like the others.
pub const fn lock_days(lockouts: u32) -> u32 {
    match lockouts {
        0 => 1,
        1 => 2,
        2 => 4,
        _ => 7,
    }
}

/// Value of one Crockford symbol, forgiving case and the look-alikes O, I and L.
fn crockford_value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == c)
        .map(|i| i as u8)
}

/// Separators people type or paste between groups: ASCII and Unicode dashes, and white space
/// (including no-break spaces).
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

/// Collects the canonical symbols of `input`, skipping separators; `None` on any other character
/// or if there are more than `max` symbols. The buffer is wiped on drop.
fn normalise(input: &str, max: usize) -> Option<Zeroizing<String>> {
    if input.len() > MAX_INPUT_BYTES {
        return None;
    }
    let mut out = Zeroizing::new(String::with_capacity(max));
    for c in input.chars() {
        if is_separator(c) {
            continue;
        }
        let v = crockford_value(c)?;
        if out.len() == max {
            return None;
        }
        out.push(char::from(ALPHABET[usize::from(v)]));
    }
    Some(out)
}

fn random_symbols<R: RngCore + CryptoRng + ?Sized>(rng: &mut R, n: usize, out: &mut String) {
    for _ in 0..n {
        // 32 symbols: the low five bits of a uniform u32 are uniform.
        let i = (rng.next_u32() & 31) as usize;
        out.push(char::from(ALPHABET[i]));
    }
}

// ---------------------------------------------------------------------------------------------
// Case code
// ---------------------------------------------------------------------------------------------

/// A case code such as `VB-7K2M-Q9XD`: 40 random bits, not a secret, but not guessable from other
/// cases either. Canonical form: prefix, then two groups of four symbols.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseCode(String);

impl CaseCode {
    /// A new random code. The store must still treat a (very unlikely) collision as a retry.
    pub fn generate<R: RngCore + CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut symbols = String::with_capacity(CODE_SYMBOLS);
        random_symbols(rng, CODE_SYMBOLS, &mut symbols);
        Self::from_symbols(&symbols)
    }

    fn from_symbols(symbols: &str) -> Self {
        Self(format!(
            "{CODE_PREFIX}-{}-{}",
            &symbols[..4],
            &symbols[4..CODE_SYMBOLS]
        ))
    }

    /// Parses a code as a person may type it: `vb-7k2m-q9xd`, `VB 7K2M Q9XD`, `vb7k2mq9xd`, or
    /// without the prefix (`7K2M-Q9XD`). Anything else is [`ReceiptError::MalformedCode`].
    pub fn parse(input: &str) -> Result<Self, ReceiptError> {
        // The prefix may be typed in any case; "VB" is also two valid symbols, so it is
        // recognised by the total length (10 symbols with it, 8 without).
        let symbols = normalise(input, CODE_SYMBOLS + CODE_PREFIX.len())
            .ok_or(ReceiptError::MalformedCode)?;
        let body = match symbols.len() {
            CODE_SYMBOLS => &symbols[..],
            n if n == CODE_SYMBOLS + CODE_PREFIX.len() && symbols.starts_with(CODE_PREFIX) => {
                &symbols[CODE_PREFIX.len()..]
            }
            _ => return Err(ReceiptError::MalformedCode),
        };
        Ok(Self::from_symbols(body))
    }

    /// The canonical form, e.g. `VB-7K2M-Q9XD`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CaseCode {
    type Err = ReceiptError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for CaseCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CaseCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(|_| serde::de::Error::custom("malformed case code"))
    }
}

// ---------------------------------------------------------------------------------------------
// Receipt secret
// ---------------------------------------------------------------------------------------------

/// The reporter's secret: 20 Crockford symbols (100 bits), shown as five groups of four
/// (`7K2M-Q9XD-…`). Wiped on drop; `Debug` prints `[redacted]`; no `Display`.
pub struct ReceiptSecret(SecretString);

impl ReceiptSecret {
    /// A new random secret. Pass `OsRng` (or `thread_rng()`) in production.
    pub fn generate<R: RngCore + CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut symbols = Zeroizing::new(String::with_capacity(SECRET_SYMBOLS));
        random_symbols(rng, SECRET_SYMBOLS, &mut symbols);
        Self(SecretString::from(std::mem::take(&mut *symbols)))
    }

    /// Parses a secret as typed: any case, spaces and dashes anywhere, O/I/L for 0/1/1.
    pub fn parse(input: &str) -> Result<Self, ReceiptError> {
        let mut symbols = normalise(input, SECRET_SYMBOLS).ok_or(ReceiptError::MalformedSecret)?;
        if symbols.len() != SECRET_SYMBOLS {
            return Err(ReceiptError::MalformedSecret);
        }
        Ok(Self(SecretString::from(std::mem::take(&mut *symbols))))
    }

    /// The canonical 20 symbols, without separators. This is what is hashed.
    pub fn expose_canonical(&self) -> &str {
        self.0.expose_secret()
    }

    /// The form to show the reporter once: `XXXX-XXXX-XXXX-XXXX-XXXX`.
    pub fn expose_grouped(&self) -> Zeroizing<String> {
        let symbols = self.0.expose_secret();
        let mut out = Zeroizing::new(String::with_capacity(SECRET_SYMBOLS + SECRET_SYMBOLS / 4));
        for (i, c) in symbols.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(c);
        }
        out
    }
}

impl fmt::Debug for ReceiptSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiptSecret([redacted])")
    }
}

// ---------------------------------------------------------------------------------------------
// Hashing and verification
// ---------------------------------------------------------------------------------------------

/// Argon2id cost parameters for receipt secret hashes.
///
/// `Default` is the production setting, m = 19 MiB, t = 2, p = 1 (OWASP's Argon2id minimum):
/// every access attempt by anyone costs one computation, so this is kept lower than the handler
/// key KDF; the secret's 100 bits of entropy carry the brute-force resistance. Use
/// [`HashParams::fast_for_tests`] in tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashParams {
    /// Memory cost in KiB.
    pub m_cost_kib: u32,
    /// Number of passes.
    pub t_cost: u32,
    /// Degree of parallelism.
    pub p_cost: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        Self {
            m_cost_kib: 19 * 1024,
            t_cost: 2,
            p_cost: 1,
        }
    }
}

impl HashParams {
    /// Tiny parameters for tests only.
    pub const fn fast_for_tests() -> Self {
        Self {
            m_cost_kib: 8,
            t_cost: 1,
            p_cost: 1,
        }
    }

    /// Checks the parameters against Argon2's minimums and the module's maximums
    /// ([`CryptoError::InvalidKdfParams`]). Check configured parameters at start-up:
    /// [`hash_secret`] panics on invalid ones.
    pub fn validate(&self) -> Result<(), CryptoError> {
        self.kdf().validate()
    }

    fn kdf(&self) -> KdfParams {
        KdfParams {
            m_cost_kib: self.m_cost_kib,
            t_cost: self.t_cost,
            p_cost: self.p_cost,
        }
    }
}

fn phc_string(params: HashParams, salt: &[u8], hash: &[u8]) -> Option<String> {
    let salt = SaltString::encode_b64(salt).ok()?;
    let hash = Output::new(hash).ok()?;
    Some(format!(
        "$argon2id$v=19$m={},t={},p={}${}${}",
        params.m_cost_kib,
        params.t_cost,
        params.p_cost,
        salt.as_str(),
        hash
    ))
}

/// Hashes a secret to an Argon2id PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) with a
/// fresh random 16-byte salt. The string is compatible with the `argon2` crate's verifier.
///
/// # Panics
/// If `params` are out of range ([`HashParams::validate`]); they come from configuration and are
/// checked at start-up.
pub fn hash_secret(secret: &ReceiptSecret, params: HashParams) -> String {
    let mut salt = [0u8; SALT_LEN];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let mut hash = Zeroizing::new([0u8; HASH_LEN]);
    argon2id_into(
        params.kdf(),
        secret.expose_canonical().as_bytes(),
        &salt,
        &mut hash[..],
    )
    .expect("receipt hash parameters must be valid");
    phc_string(params, &salt, &hash[..]).expect("a 16-byte salt and 32-byte hash always encode")
}

/// Parameters, salt and expected hash of a PHC string this module accepts: Argon2id, version 19,
/// exactly the parameters m, t, p within bounds, a salt of 8 to 64 bytes and a 32-byte hash.
fn parse_phc(phc: &str) -> Option<(HashParams, Zeroizing<Vec<u8>>, Output)> {
    if phc.len() > 512 {
        return None;
    }
    let parsed = PasswordHash::new(phc).ok()?;
    if parsed.algorithm.as_str() != "argon2id" || parsed.version != Some(19) {
        return None;
    }
    let mut m = None;
    let mut t = None;
    let mut p = None;
    for (ident, value) in parsed.params.iter() {
        let value = Some(value.decimal().ok()?);
        let slot = match ident.as_str() {
            "m" => &mut m,
            "t" => &mut t,
            "p" => &mut p,
            _ => return None,
        };
        if slot.is_some() {
            return None;
        }
        *slot = value;
    }
    let params = HashParams {
        m_cost_kib: m?,
        t_cost: t?,
        p_cost: p?,
    };
    if params.m_cost_kib > MAX_M_COST_KIB
        || params.t_cost > MAX_T_COST
        || params.p_cost > MAX_P_COST
        || params.validate().is_err()
    {
        return None;
    }
    let mut salt_buf = [0u8; 64];
    let salt = parsed.salt?.decode_b64(&mut salt_buf).ok()?;
    if salt.len() < 8 {
        return None;
    }
    let salt = Zeroizing::new(salt.to_vec());
    let expected = parsed.hash?;
    if expected.len() != HASH_LEN {
        return None;
    }
    Some((params, salt, expected))
}

/// True if `secret` matches the PHC string. A malformed, foreign-algorithm or out-of-bounds PHC
/// string gives `false`, never a panic. The comparison is constant-time.
pub fn verify_secret(phc: &str, secret: &ReceiptSecret) -> bool {
    let Some((params, salt, expected)) = parse_phc(phc) else {
        return false;
    };
    let mut actual = Zeroizing::new([0u8; HASH_LEN]);
    if argon2id_into(
        params.kdf(),
        secret.expose_canonical().as_bytes(),
        &salt,
        &mut actual[..],
    )
    .is_err()
    {
        return false;
    }
    match Output::new(&actual[..]) {
        // `Output`'s equality is constant-time.
        Ok(actual) => actual == expected,
        Err(_) => false,
    }
}

/// Costs the same as [`verify_secret`] against a hash made with `params`, and always answers
/// `false`. Use it when there is no hash to check (unknown case) or when the case is locked, so
/// that those answers cannot be told from a wrong secret by timing.
pub fn dummy_verify(secret: &ReceiptSecret, params: HashParams) -> bool {
    // A well-formed PHC with a fixed salt and an all-zero hash, taken through the same path.
    let dummy = phc_string(params, &[0u8; SALT_LEN], &[0u8; HASH_LEN]);
    let _ = match dummy {
        Some(phc) => verify_secret(&phc, secret),
        None => false,
    };
    false
}

/// What the store knows about a case when someone presents its code.
#[derive(Debug, Clone, Copy)]
pub struct StoredReceipt<'a> {
    /// The PHC string of the secret.
    pub phc: &'a str,
    /// Wrong secrets counted so far.
    pub failed_attempts: u32,
}

/// Outcome of [`check_access`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessDecision {
    /// The secret is right: show the case and reset the failure counter.
    Granted,
    /// Refused. Show the one fixed refusal whatever the reason. If `record_failure`, add one to
    /// the case's failure counter.
    Denied {
        /// Whether to count a failed attempt against the case.
        record_failure: bool,
    },
}

/// The whole access rule, with one Argon2 computation in every branch: an unknown case, a locked
/// case and a wrong secret all give `Denied` after the same work. `params` must be the
/// parameters current hashes are made with (for the dummy branches).
pub fn check_access(
    stored: Option<StoredReceipt<'_>>,
    secret: &ReceiptSecret,
    params: HashParams,
) -> AccessDecision {
    match stored {
        None => {
            dummy_verify(secret, params);
            AccessDecision::Denied {
                record_failure: false,
            }
        }
        Some(s) if is_locked(s.failed_attempts) => {
            dummy_verify(secret, params);
            AccessDecision::Denied {
                record_failure: false,
            }
        }
        Some(s) => {
            if verify_secret(s.phc, secret) {
                AccessDecision::Granted
            } else {
                AccessDecision::Denied {
                    record_failure: true,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::{Argon2, PasswordHasher, PasswordVerifier};
    use rand::rngs::{OsRng, StdRng};
    use rand::SeedableRng;
    use std::collections::HashSet;

    fn fast() -> HashParams {
        HashParams::fast_for_tests()
    }

    #[test]
    fn alphabet_is_crockford() {
        assert_eq!(ALPHABET.len(), 32);
        let set: HashSet<u8> = ALPHABET.iter().copied().collect();
        assert_eq!(set.len(), 32);
        for c in b"ILOU" {
            assert!(!set.contains(c));
        }
    }

    #[test]
    fn case_code_format_and_randomness() {
        let mut rng = OsRng;
        let mut seen = HashSet::new();
        for _ in 0..2000 {
            let code = CaseCode::generate(&mut rng);
            let s = code.as_str();
            assert_eq!(s.len(), 12);
            assert!(s.starts_with("VB-"));
            assert_eq!(&s[7..8], "-");
            assert!(s[3..7]
                .bytes()
                .chain(s[8..].bytes())
                .all(|b| ALPHABET.contains(&b)));
            assert_eq!(CaseCode::parse(s).unwrap(), code);
            seen.insert(code);
        }
        // 40 bits: 2000 draws collide with probability ~2e-6.
        assert_eq!(seen.len(), 2000);
    }

    #[test]
    fn case_code_symbols_are_uniform_enough() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut counts = [0u32; 32];
        for _ in 0..4000 {
            let code = CaseCode::generate(&mut rng);
            for b in code.as_str()[3..].bytes().filter(|&b| b != b'-') {
                counts[ALPHABET.iter().position(|&a| a == b).unwrap()] += 1;
            }
        }
        // 32 000 symbols, 1000 expected each.
        assert!(
            counts.iter().all(|&c| (800..1200).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn case_code_parse_is_tolerant() {
        let want = CaseCode::parse("VB-7K2M-Q9XD").unwrap();
        for ok in [
            "vb-7k2m-q9xd",
            "VB 7K2M Q9XD",
            "vb7k2mq9xd",
            "  VB-7K2M-Q9XD  ",
            "7K2M-Q9XD",
            "7k2mq9xd",
            "VB–7K2M–Q9XD", // en dashes
            "VB-7K2M-\u{a0}Q9XD",
            "vb - 7k2m - q9xd\n",
        ] {
            assert_eq!(CaseCode::parse(ok).unwrap(), want, "{ok:?}");
        }
        // Crockford look-alikes.
        assert_eq!(
            CaseCode::parse("VB-O0IL-1100").unwrap().as_str(),
            "VB-0011-1100"
        );
        assert_eq!(want.to_string(), "VB-7K2M-Q9XD");
        assert_eq!("vb7k2mq9xd".parse::<CaseCode>().unwrap(), want);
    }

    #[test]
    fn case_code_parse_is_strict() {
        for bad in [
            "",
            "VB",
            "VB-",
            "VB-7K2M",
            "VB-7K2M-Q9X",
            "VB-7K2M-Q9XDD",
            "VB-7K2M-Q9XU", // U is not in the alphabet
            "VB_7K2M_Q9XD",
            "VB.7K2M.Q9XD",
            "XX-7K2M-Q9XD",
            "VB-7K2M-Q9XD-0",
            "VB-7K2M-Q9XÖ",
            "VB-7K2M-Q9X\0",
            "'; DROP TABLE cases; --",
            "<script>alert(1)</script>",
            "🙂🙂🙂🙂🙂🙂🙂🙂",
            "VBVB-7K2M-Q9XD",
        ] {
            assert_eq!(
                CaseCode::parse(bad),
                Err(ReceiptError::MalformedCode),
                "{bad:?}"
            );
        }
        let long = "7".repeat(10_000);
        assert_eq!(CaseCode::parse(&long), Err(ReceiptError::MalformedCode));
        // The error does not echo the input.
        let err = CaseCode::parse("secret-ish junk").unwrap_err();
        assert!(!err.to_string().contains("junk"));
        assert!(!format!("{err:?}").contains("junk"));
    }

    #[test]
    fn case_code_serde() {
        let code = CaseCode::parse("VB-7K2M-Q9XD").unwrap();
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, "\"VB-7K2M-Q9XD\"");
        assert_eq!(serde_json::from_str::<CaseCode>(&json).unwrap(), code);
        assert!(serde_json::from_str::<CaseCode>("\"nope\"").is_err());
    }

    #[test]
    fn secret_entropy_and_format() {
        assert_eq!(SECRET_BITS, 100);
        let mut rng = OsRng;
        let mut seen = HashSet::new();
        for _ in 0..500 {
            let s = ReceiptSecret::generate(&mut rng);
            let canonical = s.expose_canonical().to_owned();
            assert_eq!(canonical.len(), 20);
            assert!(canonical.bytes().all(|b| ALPHABET.contains(&b)));
            let grouped = s.expose_grouped();
            assert_eq!(grouped.len(), 24);
            let groups: Vec<&str> = grouped.split('-').collect();
            assert_eq!(groups.len(), 5);
            assert!(groups.iter().all(|g| g.len() == 4));
            assert_eq!(grouped.replace('-', ""), canonical);
            assert!(seen.insert(canonical));
        }
    }

    #[test]
    fn secret_parse_tolerant_and_strict() {
        let s = ReceiptSecret::generate(&mut OsRng);
        let grouped = s.expose_grouped().to_string();
        let canonical = s.expose_canonical().to_owned();
        for variant in [
            grouped.clone(),
            grouped.to_lowercase(),
            grouped.replace('-', " "),
            canonical.clone(),
            format!("  {}  ", grouped.replace('-', " - ")),
        ] {
            assert_eq!(
                ReceiptSecret::parse(&variant).unwrap().expose_canonical(),
                canonical
            );
        }
        assert_eq!(
            ReceiptSecret::parse("oooo-iiii-llll-0000-1111")
                .unwrap()
                .expose_canonical(),
            "00001111111100001111"
        );
        for bad in [
            "",
            &canonical[..19],
            &format!("{canonical}0"),
            "UUUU-UUUU-UUUU-UUUU-UUUU",
            "AAAA_AAAA_AAAA_AAAA_AAAA",
            "AAAA-AAAA-AAAA-AAAA-AAA\0",
        ] {
            assert_eq!(
                ReceiptSecret::parse(bad).unwrap_err(),
                ReceiptError::MalformedSecret
            );
        }
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = ReceiptSecret::parse("AAAA-BBBB-CCCC-DDDD-EEEE").unwrap();
        let dbg = format!("{s:?}");
        assert_eq!(dbg, "ReceiptSecret([redacted])");
    }

    #[test]
    fn hash_and_verify() {
        let s = ReceiptSecret::generate(&mut OsRng);
        let phc = hash_secret(&s, fast());
        assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{phc}");
        assert!(verify_secret(&phc, &s));
        // The same secret typed differently still verifies.
        let retyped = ReceiptSecret::parse(&s.expose_grouped().to_lowercase()).unwrap();
        assert!(verify_secret(&phc, &retyped));
        // A wrong secret does not.
        let other = ReceiptSecret::generate(&mut OsRng);
        assert!(!verify_secret(&phc, &other));
        // Fresh salt every time.
        assert_ne!(hash_secret(&s, fast()), phc);
        // The PHC string does not contain the secret.
        assert!(!phc.contains(s.expose_canonical()));
    }

    #[test]
    fn phc_is_compatible_with_the_argon2_crate() {
        let s = ReceiptSecret::generate(&mut OsRng);
        let ours = hash_secret(&s, fast());
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(s.expose_canonical().as_bytes(), &parsed)
            .is_ok());
        let params = argon2::Params::new(8, 1, 1, None).unwrap();
        let theirs = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(
                s.expose_canonical().as_bytes(),
                &SaltString::generate(&mut OsRng),
            )
            .unwrap()
            .to_string();
        assert!(verify_secret(&theirs, &s));
    }

    #[test]
    fn verify_is_false_on_malformed_phc() {
        let s = ReceiptSecret::generate(&mut OsRng);
        let good = hash_secret(&s, fast());
        let parts: Vec<&str> = good.split('$').collect();
        let (salt, hash) = (parts[4], parts[5]);
        let bad = [
            String::new(),
            "$".into(),
            "garbage".into(),
            "$argon2id$".into(),
            "$argon2id$v=19$m=8,t=1,p=1$".into(),
            format!("$argon2id$v=19$m=8,t=1,p=1${salt}"),
            format!("$argon2id$v=19$m=8,t=1,p=1${salt}$"),
            format!("$argon2id$v=19$m=8,t=1,p=1${salt}${}", &hash[..20]),
            format!("$argon2id$v=19$m=8,t=1,p=1$!!!!${hash}"),
            format!("$argon2i$v=19$m=8,t=1,p=1${salt}${hash}"),
            format!("$argon2d$v=19$m=8,t=1,p=1${salt}${hash}"),
            format!("$scrypt$ln=1,r=8,p=1${salt}${hash}"),
            format!("$argon2id$v=16$m=8,t=1,p=1${salt}${hash}"),
            format!("$argon2id$m=8,t=1,p=1${salt}${hash}"),
            format!("$argon2id$v=19$m=8,t=1${salt}${hash}"),
            format!("$argon2id$v=19$m=8,t=1,p=1,m=8${salt}${hash}"),
            format!("$argon2id$v=19$m=8,t=1,p=1,keyid=AAAA${salt}${hash}"),
            format!("$argon2id$v=19$m=1,t=1,p=1${salt}${hash}"),
            format!("$argon2id$v=19$m=8,t=0,p=1${salt}${hash}"),
            format!("$argon2id$v=19$m=4294967295,t=1,p=1${salt}${hash}"),
            format!("$argon2id$v=19$m=8,t=4294967295,p=1${salt}${hash}"),
            format!("$argon2id$v=19$m=99999999999,t=1,p=1${salt}${hash}"),
            format!("$argon2id$v=19$m=-8,t=1,p=1${salt}${hash}"),
            format!("$argon2id$v=19$m=8,t=1,p=1$AA${hash}"),
            format!("{good}$extra"),
            good.replace('$', "\u{0}"),
            "ä".repeat(600),
        ];
        for phc in &bad {
            assert!(!verify_secret(phc, &s), "{phc:?}");
        }
    }

    #[test]
    fn dummy_verify_is_false() {
        // That it costs like a real check is measured by `benches/receipt_timing.rs`.
        let s = ReceiptSecret::generate(&mut OsRng);
        assert!(!dummy_verify(&s, fast()));
    }

    #[test]
    fn hash_params_validation() {
        HashParams::default().validate().unwrap();
        fast().validate().unwrap();
        assert_eq!(
            HashParams {
                m_cost_kib: 1,
                t_cost: 1,
                p_cost: 1
            }
            .validate(),
            Err(CryptoError::InvalidKdfParams)
        );
        assert_eq!(
            (
                HashParams::default().m_cost_kib,
                HashParams::default().t_cost
            ),
            (19 * 1024, 2)
        );
    }

    #[test]
    fn attempt_gate_and_backoff() {
        assert_eq!(attempt_gate(1, false), Gate::Check);
        assert_eq!(attempt_gate(MAX_FAILED_ATTEMPTS, false), Gate::Check);
        assert_eq!(
            attempt_gate(MAX_FAILED_ATTEMPTS + 1, false),
            Gate::Refuse { lock: true }
        );
        assert_eq!(attempt_gate(1, true), Gate::Refuse { lock: false });
        assert_eq!(
            (0..5).map(lock_days).collect::<Vec<_>>(),
            vec![1, 2, 4, 7, 7]
        );
    }

    #[test]
    fn lockout_rule() {
        assert_eq!(MAX_FAILED_ATTEMPTS, 5);
        assert!(!is_locked(0));
        assert!(!is_locked(4));
        assert!(is_locked(5));
        assert!(is_locked(u32::MAX));
    }

    #[test]
    fn access_decisions_do_not_reveal_why() {
        let s = ReceiptSecret::generate(&mut OsRng);
        let wrong = ReceiptSecret::generate(&mut OsRng);
        let phc = hash_secret(&s, fast());
        let stored = |failed| {
            Some(StoredReceipt {
                phc: &phc,
                failed_attempts: failed,
            })
        };
        assert_eq!(check_access(stored(0), &s, fast()), AccessDecision::Granted);
        assert_eq!(check_access(stored(4), &s, fast()), AccessDecision::Granted);
        assert_eq!(
            check_access(stored(0), &wrong, fast()),
            AccessDecision::Denied {
                record_failure: true
            }
        );
        // Locked: even the right secret is refused, the same way as an unknown case.
        assert_eq!(
            check_access(stored(5), &s, fast()),
            AccessDecision::Denied {
                record_failure: false
            }
        );
        assert_eq!(
            check_access(None, &s, fast()),
            AccessDecision::Denied {
                record_failure: false
            }
        );
        // Corrupt stored hash: refused, counted, no panic.
        assert_eq!(
            check_access(
                Some(StoredReceipt {
                    phc: "junk",
                    failed_attempts: 0
                }),
                &s,
                fast()
            ),
            AccessDecision::Denied {
                record_failure: true
            }
        );
    }
}
