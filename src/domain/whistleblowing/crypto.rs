//! Encryption at rest for whistleblowing cases.
//!
//! The key hierarchy follows GlobaLeaks/SecureDrop:
//!
//! ```text
//! handler passphrase --Argon2id--> wrapping key --XChaCha20-Poly1305--> handler X25519 secret
//! handler X25519 public key --sealed box--> per-case key (one sealed copy per handler)
//! per-case key --XChaCha20-Poly1305 + AAD(case, purpose)--> tip content and messages
//! ```
//!
//! A copy of the database plus the configuration, without a handler passphrase, therefore reveals
//! no tip content: public keys, passphrase-encrypted private keys, sealed case keys and
//! ciphertexts are all that is ever stored.
//!
//! Every secret type here wipes its memory on drop and prints `[redacted]` in `Debug`.
//! Known limits, outside this module's reach: `crypto_box` 0.9 does not wipe the ephemeral key
//! used inside `PublicKey::seal`, and moved values may leave stack copies behind (secrets are
//! boxed where this matters).

use std::fmt;
use std::str::FromStr;

use argon2::{Algorithm, Argon2, Block, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use crypto_box::SecretKey;
use rand::rngs::OsRng;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::{Zeroize, Zeroizing};

use super::receipt::CaseCode;

pub use crypto_box::PublicKey;

/// Length of every symmetric key and of an X25519 key, in bytes.
pub const KEY_LEN: usize = 32;
/// Length of the XChaCha20-Poly1305 nonce, in bytes.
pub const NONCE_LEN: usize = 24;
/// Length of the Poly1305 tag, in bytes.
pub const TAG_LEN: usize = 16;
/// Length of the Argon2 salt of an encrypted private key, in bytes.
pub const SALT_LEN: usize = 16;
/// The shortest handler passphrase accepted when a key is created or re-wrapped, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// Upper bounds on Argon2 parameters, so that a corrupted or hostile blob or PHC string cannot
/// make the process allocate unbounded memory.
pub const MAX_M_COST_KIB: u32 = 1024 * 1024; // 1 GiB
/// See [`MAX_M_COST_KIB`].
pub const MAX_T_COST: u32 = 64;
/// See [`MAX_M_COST_KIB`].
pub const MAX_P_COST: u32 = 16;

const BLOB_VERSION: &str = "v1";
const BLOB_AAD_PREFIX: &str = "samverkan/wb/handler-key/";
const CONTENT_AAD_PREFIX: &str = "samverkan/wb/v1/case:";

/// Errors of this module. None of them carries key material or plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The passphrase does not open the private key (or the blob was altered).
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// A new passphrase is shorter than [`MIN_PASSPHRASE_CHARS`].
    #[error("the passphrase is too short")]
    PassphraseTooShort,
    /// An encrypted private key blob could not be parsed.
    #[error("malformed encrypted private key")]
    MalformedKeyBlob,
    /// An encrypted private key blob has a version this code does not know.
    #[error("unsupported encrypted private key version")]
    UnsupportedVersion,
    /// Argon2 parameters out of range.
    #[error("invalid key derivation parameters")]
    InvalidKdfParams,
    /// A public key could not be parsed.
    #[error("malformed public key")]
    MalformedPublicKey,
    /// A sealed case key was not sealed to this handler, or it was altered.
    #[error("the case key cannot be opened with this handler key")]
    CannotOpenCaseKey,
    /// A ciphertext failed authentication: wrong key, wrong AAD (other case or purpose), or
    /// altered.
    #[error("decryption failed")]
    Decrypt,
}

/// Argon2id cost parameters for deriving the key that wraps a handler's private key.
///
/// `Default` is the production setting (m = 64 MiB, t = 3, p = 1); use
/// [`KdfParams::fast_for_tests`] in tests. The parameters are stored in every blob, so they can be
/// raised later: [`EncryptedPrivateKey::needs_upgrade`] and [`rewrap_handler_key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory cost in KiB.
    pub m_cost_kib: u32,
    /// Number of passes.
    pub t_cost: u32,
    /// Degree of parallelism.
    pub p_cost: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        Self {
            m_cost_kib: 64 * 1024,
            t_cost: 3,
            p_cost: 1,
        }
    }
}

impl KdfParams {
    /// Tiny parameters for tests only: fast, and worthless against brute force.
    pub const fn fast_for_tests() -> Self {
        Self {
            m_cost_kib: 8,
            t_cost: 1,
            p_cost: 1,
        }
    }

    /// Checks the parameters against Argon2's minimums and this module's maximums.
    pub fn validate(&self) -> Result<(), CryptoError> {
        argon2_params(*self, KEY_LEN).map(|_| ())
    }

    /// True if any cost of `self` is below the corresponding cost of `target`.
    pub fn is_weaker_than(&self, target: &KdfParams) -> bool {
        self.m_cost_kib < target.m_cost_kib
            || self.t_cost < target.t_cost
            || self.p_cost < target.p_cost
    }
}

impl fmt::Display for KdfParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "m={},t={},p={}",
            self.m_cost_kib, self.t_cost, self.p_cost
        )
    }
}

impl FromStr for KdfParams {
    type Err = CryptoError;

    /// Parses exactly `m=<digits>,t=<digits>,p=<digits>`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split(',');
        let m = parse_param(parts.next(), "m=")?;
        let t = parse_param(parts.next(), "t=")?;
        let p = parse_param(parts.next(), "p=")?;
        if parts.next().is_some() {
            return Err(CryptoError::MalformedKeyBlob);
        }
        let params = KdfParams {
            m_cost_kib: m,
            t_cost: t,
            p_cost: p,
        };
        params.validate()?;
        Ok(params)
    }
}

fn parse_param(part: Option<&str>, prefix: &str) -> Result<u32, CryptoError> {
    let digits = part
        .and_then(|p| p.strip_prefix(prefix))
        .ok_or(CryptoError::MalformedKeyBlob)?;
    if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CryptoError::MalformedKeyBlob);
    }
    digits.parse().map_err(|_| CryptoError::MalformedKeyBlob)
}

/// Builds Argon2 parameters within this module's bounds.
fn argon2_params(p: KdfParams, out_len: usize) -> Result<Params, CryptoError> {
    if p.m_cost_kib > MAX_M_COST_KIB || p.t_cost > MAX_T_COST || p.p_cost > MAX_P_COST {
        return Err(CryptoError::InvalidKdfParams);
    }
    Params::new(p.m_cost_kib, p.t_cost, p.p_cost, Some(out_len))
        .map_err(|_| CryptoError::InvalidKdfParams)
}

/// Argon2 working memory that is wiped when dropped (the `argon2` crate only wipes its own
/// allocation with its `zeroize` feature, which the project does not enable).
struct WipedBlocks(Vec<Block>);

impl Drop for WipedBlocks {
    fn drop(&mut self) {
        for block in &mut self.0 {
            block.as_mut().zeroize();
        }
    }
}

/// Argon2id (v0x13) of `password` and `salt` into `out`, with wiped working memory.
///
/// Shared by the handler key derivation and the receipt secret hash.
pub(super) fn argon2id_into(
    params: KdfParams,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), CryptoError> {
    let argon_params = argon2_params(params, out.len())?;
    let blocks = argon_params.block_count();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params);
    let mut memory = WipedBlocks(vec![Block::default(); blocks]);
    argon
        .hash_password_into_with_memory(password, salt, out, &mut memory.0)
        .map_err(|_| CryptoError::InvalidKdfParams)
}

// ---------------------------------------------------------------------------------------------
// Handler keys
// ---------------------------------------------------------------------------------------------

/// A freshly created handler key pair: the public key (configuration, shareable) and the
/// passphrase-encrypted private key (storable anywhere).
#[derive(Debug, Clone)]
pub struct HandlerKey {
    /// X25519 public key; case keys are sealed to it.
    pub public: PublicKey,
    /// The X25519 secret, encrypted under the handler's passphrase.
    pub encrypted_private: EncryptedPrivateKey,
}

/// A handler's X25519 secret encrypted with XChaCha20-Poly1305 under an Argon2id key derived
/// from the passphrase.
///
/// Its string form is `v1$m=<KiB>,t=<passes>,p=<lanes>$<salt hex>$<nonce hex>$<ciphertext hex>`
/// ([`fmt::Display`] / [`FromStr`], also used by serde). The header (version, parameters, salt)
/// is authenticated as AAD.
#[derive(Clone, PartialEq, Eq)]
pub struct EncryptedPrivateKey {
    params: KdfParams,
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
    ciphertext: Vec<u8>,
}

impl EncryptedPrivateKey {
    /// The Argon2 parameters this blob was created with.
    pub fn params(&self) -> KdfParams {
        self.params
    }

    /// True if the blob was created with parameters weaker than `target`; re-wrap it with
    /// [`rewrap_handler_key`] the next time the handler unlocks.
    pub fn needs_upgrade(&self, target: &KdfParams) -> bool {
        self.params.is_weaker_than(target)
    }

    fn header(params: &KdfParams, salt: &[u8; SALT_LEN]) -> String {
        format!("{BLOB_VERSION}${params}${}", hex::encode(salt))
    }

    fn aad(&self) -> Vec<u8> {
        format!(
            "{BLOB_AAD_PREFIX}{}",
            Self::header(&self.params, &self.salt)
        )
        .into_bytes()
    }
}

impl fmt::Debug for EncryptedPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptedPrivateKey")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for EncryptedPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}${}${}",
            Self::header(&self.params, &self.salt),
            hex::encode(self.nonce),
            hex::encode(&self.ciphertext)
        )
    }
}

impl FromStr for EncryptedPrivateKey {
    type Err = CryptoError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Bound the work on absurd input; a v1 blob is about 230 characters.
        if s.len() > 1024 {
            return Err(CryptoError::MalformedKeyBlob);
        }
        let parts: Vec<&str> = s.trim().split('$').collect();
        let [version, params, salt, nonce, ct] = parts.as_slice() else {
            return Err(CryptoError::MalformedKeyBlob);
        };
        if *version != BLOB_VERSION {
            return if version.starts_with('v') {
                Err(CryptoError::UnsupportedVersion)
            } else {
                Err(CryptoError::MalformedKeyBlob)
            };
        }
        let params: KdfParams = params.parse()?;
        let salt = decode_fixed::<SALT_LEN>(salt)?;
        let nonce = decode_fixed::<NONCE_LEN>(nonce)?;
        let ciphertext = hex::decode(ct).map_err(|_| CryptoError::MalformedKeyBlob)?;
        if ciphertext.len() != KEY_LEN + TAG_LEN {
            return Err(CryptoError::MalformedKeyBlob);
        }
        Ok(Self {
            params,
            salt,
            nonce,
            ciphertext,
        })
    }
}

impl Serialize for EncryptedPrivateKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EncryptedPrivateKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse()
            .map_err(|_| serde::de::Error::custom("malformed encrypted private key"))
    }
}

fn decode_fixed<const N: usize>(s: &str) -> Result<[u8; N], CryptoError> {
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).map_err(|_| CryptoError::MalformedKeyBlob)?;
    Ok(out)
}

/// A handler's unlocked X25519 secret. Wiped on drop, never printed, not clonable.
pub struct HandlerSecret {
    // Boxed so that moving a `HandlerSecret` does not copy the key around the stack.
    key: Box<SecretKey>,
}

// `wipe` below zeroes the whole `SecretKey` as flat memory; crypto_box 0.9's `SecretKey` is two
// 32-byte arrays (the raw bytes and the clamped scalar). Fail the build if that ever changes.
const _: () = assert!(std::mem::size_of::<SecretKey>() == 2 * KEY_LEN);

impl HandlerSecret {
    fn from_bytes(bytes: &[u8; KEY_LEN]) -> Self {
        Self {
            key: Box::new(SecretKey::from_bytes(*bytes)),
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    /// A fresh random secret: the operator's offline recovery key (kept off the machine, as
    /// [`HandlerSecret::to_hex`] printed once).
    pub fn generate_recovery() -> Self {
        let mut raw = Zeroizing::new([0u8; KEY_LEN]);
        OsRng.fill_bytes(&mut raw[..]);
        Self::from_bytes(&raw)
    }

    /// The raw secret in hex, for the offline copy of a recovery key. Wiped on drop.
    pub fn to_hex(&self) -> Zeroizing<String> {
        let bytes = Zeroizing::new(self.key.to_bytes());
        Zeroizing::new(hex::encode(&bytes[..]))
    }

    /// A recovery secret from its hex form (64 digits; surrounding white space ignored).
    pub fn from_hex(s: &str) -> Result<Self, CryptoError> {
        let bytes = Zeroizing::new(
            decode_fixed::<KEY_LEN>(s.trim()).map_err(|_| CryptoError::MalformedPublicKey)?,
        );
        Ok(Self::from_bytes(&bytes))
    }

    fn wipe(&mut self) {
        // crypto_box 0.9's own `Drop` wipes only the scalar, not the raw bytes it keeps.
        let ptr: *mut SecretKey = &mut *self.key;
        // SAFETY: `ptr` comes from a live, exclusive `&mut SecretKey`. `SecretKey` is plain data
        // (`[u8; 32]` and a `Scalar` wrapping `[u8; 32]`; size checked at compile time above): it
        // owns no pointers and all-zero bytes are a valid value of it, so its own `Drop`, which
        // runs afterwards, sees a valid (zero) key.
        unsafe { zeroize::zeroize_flat_type(ptr) };
    }
}

impl Drop for HandlerSecret {
    fn drop(&mut self) {
        self.wipe();
    }
}

impl fmt::Debug for HandlerSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HandlerSecret([redacted])")
    }
}

fn check_new_passphrase(passphrase: &SecretString) -> Result<(), CryptoError> {
    if passphrase.expose_secret().trim().chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(CryptoError::PassphraseTooShort);
    }
    Ok(())
}

fn wrap_secret(
    secret: &HandlerSecret,
    passphrase: &SecretString,
    params: KdfParams,
) -> Result<EncryptedPrivateKey, CryptoError> {
    params.validate()?;
    let mut salt = [0u8; SALT_LEN];
    OsRng.fill_bytes(&mut salt);
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);

    let mut wrapping_key = Zeroizing::new([0u8; KEY_LEN]);
    argon2id_into(
        params,
        passphrase.expose_secret().as_bytes(),
        &salt,
        &mut wrapping_key[..],
    )?;
    let mut blob = EncryptedPrivateKey {
        params,
        salt,
        nonce,
        ciphertext: Vec::new(),
    };
    let secret_bytes = Zeroizing::new(secret.key.to_bytes());
    let cipher = XChaCha20Poly1305::new(Key::from_slice(&wrapping_key[..]));
    let aad = blob.aad();
    blob.ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &secret_bytes[..],
                aad: &aad,
            },
        )
        .map_err(|_| CryptoError::InvalidKdfParams)?;
    Ok(blob)
}

/// Creates a handler key pair. The private key is returned only in passphrase-encrypted form.
///
/// Fails with [`CryptoError::PassphraseTooShort`] for a passphrase under
/// [`MIN_PASSPHRASE_CHARS`] characters and [`CryptoError::InvalidKdfParams`] for parameters out
/// of range.
pub fn create_handler_key(
    passphrase: &SecretString,
    params: KdfParams,
) -> Result<HandlerKey, CryptoError> {
    check_new_passphrase(passphrase)?;
    params.validate()?;
    let mut raw = Zeroizing::new([0u8; KEY_LEN]);
    OsRng.fill_bytes(&mut raw[..]);
    let secret = HandlerSecret::from_bytes(&raw);
    let encrypted_private = wrap_secret(&secret, passphrase, params)?;
    Ok(HandlerKey {
        public: secret.public_key(),
        encrypted_private,
    })
}

/// Decrypts a handler's private key with the passphrase.
///
/// A wrong passphrase (or an altered blob: the AEAD cannot tell the two apart) gives
/// [`CryptoError::WrongPassphrase`].
pub fn unlock_handler_key(
    blob: &EncryptedPrivateKey,
    passphrase: &SecretString,
) -> Result<HandlerSecret, CryptoError> {
    let mut wrapping_key = Zeroizing::new([0u8; KEY_LEN]);
    argon2id_into(
        blob.params,
        passphrase.expose_secret().as_bytes(),
        &blob.salt,
        &mut wrapping_key[..],
    )?;
    let cipher = XChaCha20Poly1305::new(Key::from_slice(&wrapping_key[..]));
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                XNonce::from_slice(&blob.nonce),
                Payload {
                    msg: &blob.ciphertext,
                    aad: &blob.aad(),
                },
            )
            .map_err(|_| CryptoError::WrongPassphrase)?,
    );
    let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
    if plain.len() != KEY_LEN {
        return Err(CryptoError::MalformedKeyBlob);
    }
    bytes.copy_from_slice(&plain);
    Ok(HandlerSecret::from_bytes(&bytes))
}

/// Unlocks with the old passphrase and re-encrypts under a new passphrase and/or stronger
/// parameters. The public key is unchanged, so existing sealed case keys stay valid.
pub fn rewrap_handler_key(
    blob: &EncryptedPrivateKey,
    old_passphrase: &SecretString,
    new_passphrase: &SecretString,
    params: KdfParams,
) -> Result<EncryptedPrivateKey, CryptoError> {
    check_new_passphrase(new_passphrase)?;
    params.validate()?;
    let secret = unlock_handler_key(blob, old_passphrase)?;
    wrap_secret(&secret, new_passphrase, params)
}

/// Lower-case hex of a public key, for configuration files.
pub fn encode_public_key(key: &PublicKey) -> String {
    hex::encode(key.as_bytes())
}

/// A handler key's fingerprint: the first 128 bits of SHA-256 of the public key, in eight groups
/// of four hex digits. Pinned per handler in the configuration, so a key swapped in the database
/// is refused before anything is sealed to it.
pub fn fingerprint(key: &PublicKey) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key.as_bytes());
    let hex = hex::encode(&digest[..16]);
    hex.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("-")
}

/// True if `pinned` (as typed in a configuration: any case, with or without separators) is the
/// fingerprint of `key`.
pub fn fingerprint_matches(key: &PublicKey, pinned: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_hexdigit)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let want = norm(pinned);
    // Constant time is not needed (fingerprints are public), but an empty pin never matches.
    want.len() == 32 && want == norm(&fingerprint(key))
}

/// Parses a public key from 64 hex digits.
pub fn parse_public_key(s: &str) -> Result<PublicKey, CryptoError> {
    let bytes = decode_fixed::<KEY_LEN>(s.trim()).map_err(|_| CryptoError::MalformedPublicKey)?;
    Ok(PublicKey::from(bytes))
}

// ---------------------------------------------------------------------------------------------
// Case keys
// ---------------------------------------------------------------------------------------------

/// A per-case content key: 32 random bytes from the OS. Wiped on drop, never printed.
pub struct CaseKey(Box<[u8; KEY_LEN]>);

impl CaseKey {
    /// A new random key from `OsRng`.
    pub fn generate() -> Self {
        let mut key = Box::new([0u8; KEY_LEN]);
        OsRng.fill_bytes(&mut key[..]);
        Self(key)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(Key::from_slice(&self.0[..]))
    }
}

impl Drop for CaseKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for CaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CaseKey([redacted])")
    }
}

/// Seals the case key to one handler's public key (anonymous sealed box, X25519 +
/// XSalsa20-Poly1305). Store one sealed copy per handler allowed on the case; a handler
/// excluded for a conflict of interest simply gets none.
pub fn seal_case_key(key: &CaseKey, handler: &PublicKey) -> Vec<u8> {
    handler
        .seal(&mut OsRng, &key.0[..])
        .expect("sealing 32 bytes cannot fail")
}

/// Opens a sealed case key with a handler's secret.
pub fn open_case_key(sealed: &[u8], handler: &HandlerSecret) -> Result<CaseKey, CryptoError> {
    let plain = Zeroizing::new(
        handler
            .key
            .unseal(sealed)
            .map_err(|_| CryptoError::CannotOpenCaseKey)?,
    );
    if plain.len() != KEY_LEN {
        return Err(CryptoError::CannotOpenCaseKey);
    }
    let mut key = Box::new([0u8; KEY_LEN]);
    key.copy_from_slice(&plain);
    Ok(CaseKey(key))
}

// ---------------------------------------------------------------------------------------------
// Content
// ---------------------------------------------------------------------------------------------

/// What a ciphertext of a case is for; part of its AAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The intake form.
    Content,
    /// The `n`-th message of the follow-up conversation.
    Message(u32),
}

/// The AAD that binds a ciphertext to its case and purpose, e.g.
/// `samverkan/wb/v1/case:VB-1234-ABCD:msg:3`. A blob moved to another case, or to another
/// message slot, no longer decrypts.
pub fn aad(code: &CaseCode, purpose: Purpose) -> Vec<u8> {
    match purpose {
        Purpose::Content => format!("{CONTENT_AAD_PREFIX}{code}:content"),
        Purpose::Message(n) => format!("{CONTENT_AAD_PREFIX}{code}:msg:{n}"),
    }
    .into_bytes()
}

/// Encrypts with XChaCha20-Poly1305 under the case key. Output: 24-byte random nonce, then
/// ciphertext and tag.
pub fn encrypt(key: &CaseKey, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let ct = key
        .cipher()
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("XChaCha20-Poly1305 encryption cannot fail below 256 GiB");
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

/// Decrypts a blob from [`encrypt`]. Fails with [`CryptoError::Decrypt`] on a wrong key, a wrong
/// AAD, a truncated or an altered blob.
pub fn decrypt(key: &CaseKey, aad: &[u8], blob: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if blob.len() < NONCE_LEN + TAG_LEN {
        return Err(CryptoError::Decrypt);
    }
    let (nonce, ct) = blob.split_at(NONCE_LEN);
    key.cipher()
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Decrypt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    fn fast_key(p: &str) -> HandlerKey {
        create_handler_key(&pass(p), KdfParams::fast_for_tests()).unwrap()
    }

    fn code(s: &str) -> CaseCode {
        CaseCode::parse(s).unwrap()
    }

    #[test]
    fn default_params_are_production_strength_and_valid() {
        let d = KdfParams::default();
        assert_eq!((d.m_cost_kib, d.t_cost, d.p_cost), (65536, 3, 1));
        d.validate().unwrap();
        KdfParams::fast_for_tests().validate().unwrap();
        assert!(KdfParams::fast_for_tests().is_weaker_than(&d));
        assert!(!d.is_weaker_than(&d));
    }

    #[test]
    fn out_of_range_params_are_rejected() {
        for p in [
            KdfParams {
                m_cost_kib: 4,
                t_cost: 1,
                p_cost: 1,
            },
            KdfParams {
                m_cost_kib: 8,
                t_cost: 0,
                p_cost: 1,
            },
            KdfParams {
                m_cost_kib: 8,
                t_cost: 1,
                p_cost: 0,
            },
            KdfParams {
                m_cost_kib: MAX_M_COST_KIB + 1,
                t_cost: 1,
                p_cost: 1,
            },
            KdfParams {
                m_cost_kib: 64,
                t_cost: MAX_T_COST + 1,
                p_cost: 1,
            },
            KdfParams {
                m_cost_kib: 1024,
                t_cost: 1,
                p_cost: MAX_P_COST + 1,
            },
        ] {
            assert_eq!(p.validate(), Err(CryptoError::InvalidKdfParams), "{p:?}");
            assert_eq!(
                create_handler_key(&pass("correct horse battery"), p).unwrap_err(),
                CryptoError::InvalidKdfParams
            );
        }
    }

    #[test]
    fn handler_key_round_trip() {
        let hk = fast_key("correct horse battery");
        let text = hk.encrypted_private.to_string();
        assert!(text.starts_with("v1$m=8,t=1,p=1$"), "{text}");
        let parsed: EncryptedPrivateKey = text.parse().unwrap();
        assert_eq!(parsed, hk.encrypted_private);
        assert_eq!(parsed.params(), KdfParams::fast_for_tests());
        let secret = unlock_handler_key(&parsed, &pass("correct horse battery")).unwrap();
        assert_eq!(secret.public_key(), hk.public);
        // Public key text round trip.
        let pk = encode_public_key(&hk.public);
        assert_eq!(pk.len(), 64);
        assert_eq!(parse_public_key(&pk).unwrap(), hk.public);
        assert_eq!(parse_public_key("zz"), Err(CryptoError::MalformedPublicKey));
        // serde uses the same string form.
        let json = serde_json::to_string(&hk.encrypted_private).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        let back: EncryptedPrivateKey = serde_json::from_str(&json).unwrap();
        assert_eq!(back, hk.encrypted_private);
    }

    #[test]
    fn two_keys_differ_in_salt_nonce_and_public_key() {
        let a = fast_key("correct horse battery");
        let b = fast_key("correct horse battery");
        assert_ne!(a.public, b.public);
        assert_ne!(a.encrypted_private.salt, b.encrypted_private.salt);
        assert_ne!(a.encrypted_private.nonce, b.encrypted_private.nonce);
    }

    #[test]
    fn wrong_passphrase_is_refused() {
        let hk = fast_key("correct horse battery");
        assert_eq!(
            unlock_handler_key(&hk.encrypted_private, &pass("correct horse batterY")).unwrap_err(),
            CryptoError::WrongPassphrase
        );
        assert_eq!(
            unlock_handler_key(&hk.encrypted_private, &pass("")).unwrap_err(),
            CryptoError::WrongPassphrase
        );
    }

    #[test]
    fn short_passphrase_is_refused_at_creation() {
        assert_eq!(
            create_handler_key(&pass("hunter2"), KdfParams::fast_for_tests()).unwrap_err(),
            CryptoError::PassphraseTooShort
        );
        assert_eq!(
            create_handler_key(&pass("            x"), KdfParams::fast_for_tests()).unwrap_err(),
            CryptoError::PassphraseTooShort
        );
    }

    #[test]
    fn tampered_blob_header_or_ciphertext_fails() {
        let hk = fast_key("correct horse battery");
        let text = hk.encrypted_private.to_string();
        let parts: Vec<&str> = text.split('$').collect();
        // Raised parameters (a different derived key and a different AAD).
        let raised = format!("v1$m=16,t=1,p=1${}${}${}", parts[2], parts[3], parts[4]);
        // Flipped ciphertext byte.
        let mut ct = hex::decode(parts[4]).unwrap();
        ct[0] ^= 1;
        let flipped = format!(
            "{}${}${}${}${}",
            parts[0],
            parts[1],
            parts[2],
            parts[3],
            hex::encode(ct)
        );
        // Other salt.
        let salt = format!(
            "{}${}${}${}${}",
            parts[0],
            parts[1],
            "00".repeat(16),
            parts[3],
            parts[4]
        );
        for bad in [raised, flipped, salt] {
            let blob: EncryptedPrivateKey = bad.parse().unwrap();
            assert_eq!(
                unlock_handler_key(&blob, &pass("correct horse battery")).unwrap_err(),
                CryptoError::WrongPassphrase
            );
        }
    }

    #[test]
    fn malformed_blobs_are_errors_not_panics() {
        let hk = fast_key("correct horse battery");
        let good = hk.encrypted_private.to_string();
        let parts: Vec<&str> = good.split('$').collect();
        let cases = vec![
            String::new(),
            "$$$$".to_owned(),
            "v1".to_owned(),
            "garbage".to_owned(),
            good.replace("v1$", "v1$$"),
            format!("{good}$"),
            format!("v1$m=8,t=1$ {}${}${}", parts[2], parts[3], parts[4]),
            format!("v1$m=8,t=1,p=1,x=1${}${}${}", parts[2], parts[3], parts[4]),
            format!("v1$m=+8,t=1,p=1${}${}${}", parts[2], parts[3], parts[4]),
            format!(
                "v1$m=99999999999,t=1,p=1${}${}${}",
                parts[2], parts[3], parts[4]
            ),
            format!(
                "v1$m=4294967295,t=1,p=1${}${}${}",
                parts[2], parts[3], parts[4]
            ),
            format!(
                "v1$m=8,t=1,p=1${}${}${}",
                &parts[2][2..],
                parts[3],
                parts[4]
            ),
            format!(
                "v1$m=8,t=1,p=1${}${}${}",
                parts[2],
                "g".repeat(48),
                parts[4]
            ),
            format!(
                "v1$m=8,t=1,p=1${}${}${}",
                parts[2],
                parts[3],
                &parts[4][2..]
            ),
            format!("v1$m=8,t=1,p=1${}${}${}00", parts[2], parts[3], parts[4]),
            format!(
                "v1$m=8,t=1,p=1${}${}${}",
                parts[2],
                parts[3],
                "é".repeat(48)
            ),
            "x".repeat(5000),
            "ä$ö$å$€$🙂".to_owned(),
        ];
        for bad in cases {
            let err = bad.parse::<EncryptedPrivateKey>().unwrap_err();
            assert!(
                matches!(
                    err,
                    CryptoError::MalformedKeyBlob | CryptoError::InvalidKdfParams
                ),
                "{bad:?} gave {err:?}"
            );
        }
        assert_eq!(
            good.replacen("v1", "v2", 1).parse::<EncryptedPrivateKey>(),
            Err(CryptoError::UnsupportedVersion)
        );
        assert!(serde_json::from_str::<EncryptedPrivateKey>("\"v1$x\"").is_err());
    }

    #[test]
    fn rewrap_changes_passphrase_and_params_keeps_public_key() {
        let hk = fast_key("correct horse battery");
        let stronger = KdfParams {
            m_cost_kib: 16,
            t_cost: 2,
            p_cost: 1,
        };
        assert!(hk.encrypted_private.needs_upgrade(&stronger));
        let new = rewrap_handler_key(
            &hk.encrypted_private,
            &pass("correct horse battery"),
            &pass("a new long passphrase"),
            stronger,
        )
        .unwrap();
        assert!(!new.needs_upgrade(&stronger));
        assert_eq!(new.params(), stronger);
        let secret = unlock_handler_key(&new, &pass("a new long passphrase")).unwrap();
        assert_eq!(secret.public_key(), hk.public);
        assert_eq!(
            unlock_handler_key(&new, &pass("correct horse battery")).unwrap_err(),
            CryptoError::WrongPassphrase
        );
        assert_eq!(
            rewrap_handler_key(
                &hk.encrypted_private,
                &pass("wrong wrong wrong"),
                &pass("a new long passphrase"),
                stronger
            )
            .unwrap_err(),
            CryptoError::WrongPassphrase
        );
    }

    #[test]
    fn case_key_seal_open_and_excluded_handler() {
        let a = fast_key("handler a passphrase");
        let b = fast_key("handler b passphrase");
        let c = fast_key("handler c passphrase");
        let key = CaseKey::generate();
        let aad = aad(&code("VB-1234-ABCD"), Purpose::Content);
        let blob = encrypt(&key, &aad, b"the tip");
        // Sealed only to A and B; C has a conflict of interest.
        let sealed_a = seal_case_key(&key, &a.public);
        let sealed_b = seal_case_key(&key, &b.public);
        assert_ne!(sealed_a, sealed_b);
        for (hk, sealed, p) in [
            (&a, &sealed_a, "handler a passphrase"),
            (&b, &sealed_b, "handler b passphrase"),
        ] {
            let secret = unlock_handler_key(&hk.encrypted_private, &pass(p)).unwrap();
            let opened = open_case_key(sealed, &secret).unwrap();
            assert_eq!(&decrypt(&opened, &aad, &blob).unwrap()[..], b"the tip");
        }
        let c_secret =
            unlock_handler_key(&c.encrypted_private, &pass("handler c passphrase")).unwrap();
        for sealed in [&sealed_a, &sealed_b] {
            assert_eq!(
                open_case_key(sealed, &c_secret).unwrap_err(),
                CryptoError::CannotOpenCaseKey
            );
        }
        // A cannot open B's copy either.
        let a_secret =
            unlock_handler_key(&a.encrypted_private, &pass("handler a passphrase")).unwrap();
        assert!(open_case_key(&sealed_b, &a_secret).is_err());
        // Truncated or altered sealed keys.
        assert!(open_case_key(&[], &a_secret).is_err());
        assert!(open_case_key(&sealed_a[..40], &a_secret).is_err());
        let mut bad = sealed_a.clone();
        *bad.last_mut().unwrap() ^= 0x80;
        assert!(open_case_key(&bad, &a_secret).is_err());
    }

    #[test]
    fn stored_blobs_do_not_contain_key_material() {
        let hk = fast_key("correct horse battery");
        let secret =
            unlock_handler_key(&hk.encrypted_private, &pass("correct horse battery")).unwrap();
        let key = CaseKey::generate();
        let sealed = seal_case_key(&key, &hk.public);
        let blob = encrypt(&key, b"aad", b"text");
        let mut dump = hk.encrypted_private.to_string().into_bytes();
        dump.extend_from_slice(&hk.encrypted_private.ciphertext);
        dump.extend_from_slice(&sealed);
        dump.extend_from_slice(&blob);
        dump.extend_from_slice(hex::encode(&sealed).as_bytes());
        let handler_bytes = secret.key.to_bytes();
        for needle in [
            &key.0[..],
            hex::encode(&key.0[..]).as_bytes(),
            &handler_bytes[..],
            hex::encode(handler_bytes).as_bytes(),
        ] {
            assert!(!dump.windows(needle.len()).any(|w| w == needle));
        }
    }

    #[test]
    fn content_round_trip_and_fresh_nonces() {
        let key = CaseKey::generate();
        let aad = aad(&code("VB-1234-ABCD"), Purpose::Message(1));
        let one = encrypt(&key, &aad, b"hello");
        let two = encrypt(&key, &aad, b"hello");
        assert_ne!(one, two);
        assert_eq!(one.len(), NONCE_LEN + 5 + TAG_LEN);
        assert_eq!(&decrypt(&key, &aad, &one).unwrap()[..], b"hello");
        assert_eq!(
            &decrypt(&key, &aad, &encrypt(&key, &aad, b"")).unwrap()[..],
            b""
        );
    }

    #[test]
    fn tampered_or_truncated_ciphertext_fails() {
        let key = CaseKey::generate();
        let aad = aad(&code("VB-1234-ABCD"), Purpose::Content);
        let blob = encrypt(&key, &aad, b"some tip text");
        for i in 0..blob.len() {
            let mut bad = blob.clone();
            bad[i] ^= 0x01;
            assert_eq!(
                decrypt(&key, &aad, &bad).unwrap_err(),
                CryptoError::Decrypt,
                "byte {i}"
            );
        }
        for len in 0..blob.len() {
            assert!(decrypt(&key, &aad, &blob[..len]).is_err());
        }
        assert!(decrypt(&CaseKey::generate(), &aad, &blob).is_err());
    }

    #[test]
    fn aad_swap_between_cases_and_messages_fails() {
        let key = CaseKey::generate();
        let c1 = code("VB-1111-1111");
        let c2 = code("VB-2222-2222");
        let blob = encrypt(&key, &aad(&c1, Purpose::Message(1)), b"msg one");
        assert!(decrypt(&key, &aad(&c1, Purpose::Message(1)), &blob).is_ok());
        // Same key even (worst case): another case, another message, the content slot.
        for wrong in [
            aad(&c2, Purpose::Message(1)),
            aad(&c1, Purpose::Message(2)),
            aad(&c1, Purpose::Content),
            Vec::new(),
        ] {
            assert_eq!(
                decrypt(&key, &wrong, &blob).unwrap_err(),
                CryptoError::Decrypt
            );
        }
        assert_eq!(
            aad(&c1, Purpose::Message(12)),
            b"samverkan/wb/v1/case:VB-1111-1111:msg:12".to_vec()
        );
        // `msg:1` must not be a prefix-collision of `msg:12`.
        assert_ne!(
            aad(&c1, Purpose::Message(1)),
            aad(&c1, Purpose::Message(12))
        );
    }

    #[test]
    fn debug_output_is_redacted() {
        let hk = fast_key("correct horse battery");
        let secret =
            unlock_handler_key(&hk.encrypted_private, &pass("correct horse battery")).unwrap();
        let key = CaseKey::generate();
        assert_eq!(format!("{secret:?}"), "HandlerSecret([redacted])");
        assert_eq!(format!("{key:?}"), "CaseKey([redacted])");
        let dbg = format!("{:?}", hk.encrypted_private);
        assert!(!dbg.contains(&hex::encode(&hk.encrypted_private.ciphertext)));
        assert!(!dbg.contains(&hex::encode(hk.encrypted_private.salt)));
    }

    #[test]
    fn handler_secret_wipe_zeroes_the_key() {
        let hk = fast_key("correct horse battery");
        let mut secret =
            unlock_handler_key(&hk.encrypted_private, &pass("correct horse battery")).unwrap();
        assert_ne!(secret.key.to_bytes(), [0u8; KEY_LEN]);
        secret.wipe();
        assert_eq!(secret.key.to_bytes(), [0u8; KEY_LEN]);
        assert_eq!(secret.key.to_scalar().to_bytes(), [0u8; KEY_LEN]);
    }

    #[test]
    fn argon2id_matches_the_reference_implementation() {
        let params = KdfParams::fast_for_tests();
        let mut ours = [0u8; 32];
        argon2id_into(params, b"password", b"somesaltsomesalt", &mut ours).unwrap();
        let mut reference = [0u8; 32];
        Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, Some(32)).unwrap(),
        )
        .hash_password_into(b"password", b"somesaltsomesalt", &mut reference)
        .unwrap();
        assert_eq!(ours, reference);
    }
}
