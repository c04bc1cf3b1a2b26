//! Pure rules: no I/O, no Discord, no SQL, no clock reads (time is passed in).

pub mod agenda;
pub mod escalation;
pub mod feed;
pub mod forum;
pub mod ids;
pub mod meeting;
pub mod minutes;
pub mod record;
pub mod recurrence;
pub mod reminder;
pub mod run;
pub mod template;
pub mod text;
pub mod whistleblowing;
