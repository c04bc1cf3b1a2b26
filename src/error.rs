//! The two kinds of errors: a [`UserError`] is written for the person in chat (a translated
//! message); anything else is internal: logged with a reference id, and shown to the user only
//! as a generic message carrying that id.

use rand::Rng;

use crate::i18n::Msg;

/// Something the user can fix: wrong input, no permission, unknown name.
#[derive(Debug, Clone, PartialEq)]
pub struct UserError(pub Msg);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("user error: {}", .0 .0.key)]
    User(UserError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<UserError> for Error {
    fn from(e: UserError) -> Self {
        Error::User(e)
    }
}

impl From<crate::store::StoreError> for Error {
    fn from(e: crate::store::StoreError) -> Self {
        Error::Internal(anyhow::Error::new(e))
    }
}

/// `Err(refuse(msg!(...)))` in a service.
pub fn refuse(msg: Msg) -> Error {
    Error::User(UserError(msg))
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A short reference id that ties what a user saw to a log line: 8 characters from an
/// alphabet without look-alikes.
pub fn reference_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}
