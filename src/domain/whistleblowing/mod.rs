//! Anonymous whistleblowing intake: the pure domain core (no I/O, no clock, no Discord).
//!
//! Requirements: EU Directive 2019/1937, lag (2021:890), `shared/docs/whistleblowing.md`.
//!
//! - [`crypto`]: handler key pairs (X25519, private key under an Argon2id-derived key), per-case
//!   keys sealed to each allowed handler, XChaCha20-Poly1305 content encryption bound to case and
//!   purpose.
//! - [`receipt`]: the reporter's case code and secret, the secret's Argon2id hash, the
//!   timing-uniform access check and the lockout rule.
//! - [`case`]: intake validation, status and outcome, legal deadlines, reminders, retention, and
//!   the content documents that get encrypted.
//!
//! What is stored per case (by the store layer, not here): the case code, status, day-resolution
//! dates, the receipt PHC hash and failure count, one sealed case key per allowed handler, and
//! ciphertexts. Never a Discord id, name, locale or token, and never plaintext.

pub mod case;
pub mod crypto;
pub mod display;
pub mod receipt;

pub use self::case::{
    ack_due, can_transition, deadlines, feedback_due, is_purge_due, purge_on, reminders_due,
    transition, validate_retention_days, Author, CaseContent, CaseDates, CaseStatus, ContentError,
    Deadline, DeadlineKind, DeadlineSummary, Field, FollowUp, IntakeError, Message, Outcome,
    Reminder, ReminderKind, Retention, RetentionError, TipForm, TransitionError, UnknownValue,
    MAX_RETENTION_DAYS,
};
pub use self::crypto::{
    create_handler_key, decrypt, encode_public_key, encrypt, fingerprint, fingerprint_matches,
    open_case_key, parse_public_key, rewrap_handler_key, seal_case_key, unlock_handler_key,
    CaseKey, CryptoError, EncryptedPrivateKey, HandlerKey, HandlerSecret, KdfParams, PublicKey,
    Purpose,
};
pub use self::receipt::{
    attempt_gate, check_access, dummy_verify, hash_secret, is_locked, lock_days, verify_secret,
    AccessDecision, CaseCode, Gate, HashParams, ReceiptError, ReceiptSecret, StoredReceipt,
    MAX_FAILED_ATTEMPTS,
};

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::OsRng;
    use secrecy::SecretString;

    fn pass(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    /// Does `needle` occur in `haystack` (bytes)?
    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// The whole intake and follow-up flow, then the at-rest guarantee: a dump of everything that
    /// would be stored (database rows and configuration), without any passphrase, holds no
    /// plaintext of the tip in any encoding the store could use.
    #[test]
    fn full_flow_and_dump_without_passphrases_reveals_nothing() {
        let params = KdfParams::fast_for_tests();
        let a = create_handler_key(&pass("handler a passphrase"), params).unwrap();
        let b = create_handler_key(&pass("handler b passphrase"), params).unwrap();
        let c = create_handler_key(&pass("handler c passphrase"), params).unwrap();

        // Intake.
        let what = "Leverantören Byggbolaget AB och Vägverket-konsult delade upp anbuden i \
                    upphandling 2026/117 mellan sig";
        let who = "Kalle Karlsson, inköpschef";
        let contact = "nås via Signal 070-1234567";
        let form = TipForm::validate(what, "Malmö, mars 2026", who, None, Some(contact)).unwrap();
        let code = CaseCode::generate(&mut OsRng);
        let secret = ReceiptSecret::generate(&mut OsRng);
        let phc = hash_secret(&secret, HashParams::fast_for_tests());
        let case_key = CaseKey::generate();
        let content_blob = CaseContent { form }.seal(&case_key, &code);
        // C has a conflict of interest: the case key is sealed to A and B only.
        let sealed = [
            seal_case_key(&case_key, &a.public),
            seal_case_key(&case_key, &b.public),
        ];
        let reply_text = "Tack, vi har påbörjat en utredning av anbudssamverkan";
        let reply = Message::new(Author::Handler, FollowUp::validate(reply_text).unwrap());
        let reply_blob = reply.seal(&case_key, &code, 1);
        let addition_text = "Mejlen finns i Kalles utkorg från 12 mars";
        let addition = Message::new(Author::Reporter, FollowUp::validate(addition_text).unwrap());
        let addition_blob = addition.seal(&case_key, &code, 2);
        drop(case_key);

        // Reporter comes back with the receipt: access, then the conversation.
        let typed = ReceiptSecret::parse(&secret.expose_grouped().to_lowercase()).unwrap();
        let stored = StoredReceipt {
            phc: &phc,
            failed_attempts: 0,
        };
        assert_eq!(
            check_access(Some(stored), &typed, HashParams::fast_for_tests()),
            AccessDecision::Granted
        );

        // Handler A opens the case.
        let a_secret =
            unlock_handler_key(&a.encrypted_private, &pass("handler a passphrase")).unwrap();
        let key = open_case_key(&sealed[0], &a_secret).unwrap();
        let opened = CaseContent::open(&content_blob, &key, &code).unwrap();
        assert_eq!(opened.form.what, what);
        assert_eq!(opened.form.contact.as_deref(), Some(contact));
        assert_eq!(Message::open(&reply_blob, &key, &code, 1).unwrap(), reply);
        assert_eq!(
            Message::open(&addition_blob, &key, &code, 2).unwrap(),
            addition
        );
        // Handler C cannot open any copy.
        let c_secret =
            unlock_handler_key(&c.encrypted_private, &pass("handler c passphrase")).unwrap();
        assert!(sealed.iter().all(|s| open_case_key(s, &c_secret).is_err()));

        // The dump: everything stored, in every form it could be stored in.
        let mut dump: Vec<u8> = Vec::new();
        for hk in [&a, &b, &c] {
            dump.extend_from_slice(crypto::encode_public_key(&hk.public).as_bytes());
            dump.extend_from_slice(hk.public.as_bytes());
            dump.extend_from_slice(hk.encrypted_private.to_string().as_bytes());
            dump.extend_from_slice(
                serde_json::to_string(&hk.encrypted_private)
                    .unwrap()
                    .as_bytes(),
            );
        }
        dump.extend_from_slice(code.as_str().as_bytes());
        dump.extend_from_slice(phc.as_bytes());
        for blob in sealed
            .iter()
            .chain([&content_blob, &reply_blob, &addition_blob])
        {
            dump.extend_from_slice(blob);
            dump.extend_from_slice(hex::encode(blob).as_bytes());
        }
        dump.extend_from_slice(CaseStatus::Received.as_str().as_bytes());

        let needles: Vec<Vec<u8>> = [what, who, contact, reply_text, addition_text]
            .iter()
            .flat_map(|t| {
                [
                    t.as_bytes().to_vec(),
                    hex::encode(t.as_bytes()).into_bytes(),
                    serde_json::to_string(t).unwrap().into_bytes(),
                ]
            })
            .chain(
                // Distinctive fragments, in case something stored a part.
                [
                    "Byggbolaget",
                    "Karlsson",
                    "070-1234567",
                    "anbudssamverkan",
                    "utkorg",
                ]
                .iter()
                .map(|s| s.as_bytes().to_vec()),
            )
            .chain([
                secret.expose_canonical().as_bytes().to_vec(),
                secret.expose_grouped().as_bytes().to_vec(),
            ])
            .collect();
        for needle in &needles {
            assert!(
                !contains(&dump, needle),
                "plaintext found in dump: {}",
                String::from_utf8_lossy(needle)
            );
        }
        // Sanity: the search does find what is really there.
        assert!(contains(&dump, code.as_str().as_bytes()));
    }

    #[test]
    fn secret_debug_output_across_the_api_is_redacted() {
        let hk = create_handler_key(&pass("correct horse battery"), KdfParams::fast_for_tests())
            .unwrap();
        let s = unlock_handler_key(&hk.encrypted_private, &pass("correct horse battery")).unwrap();
        let r = ReceiptSecret::generate(&mut OsRng);
        let printed = format!("{s:?} {:?} {r:?}", CaseKey::generate());
        assert_eq!(
            printed,
            "HandlerSecret([redacted]) CaseKey([redacted]) ReceiptSecret([redacted])"
        );
    }
}
