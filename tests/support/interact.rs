//! Small steps of end-to-end tests against the Discord test double (declared as
//! `mod double`): a reply's text, a form opened and submitted, a message's buttons.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::Value;

use crate::double::{DiscordDouble, Interaction};

/// How long a reply may take.
pub const REPLY: Duration = Duration::from_secs(20);

/// The text of the bot's reply to `i`.
pub async fn reply(d: &DiscordDouble, i: &Interaction) -> String {
    d.wait_response(i, REPLY)
        .await
        .unwrap_or_else(|e| panic!("no reply: {e}"))
        .text()
        .to_string()
}

/// Submits the form `opened` was answered with (it must be one) with `fields`; returns the
/// reply's text.
pub async fn submit(d: &DiscordDouble, opened: &Interaction, fields: Vec<(&str, &str)>) -> String {
    let cb = d.wait_callback(opened, REPLY).await.expect("an answer");
    assert_eq!(cb.callback_type(), Some(9), "a form opens: {:?}", cb.body);
    let s = d.submit_modal(opened, "", fields).await;
    reply(d, &s).await
}

/// Every button id on a message.
pub fn button_ids(m: &Value) -> Vec<String> {
    m["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}

/// The id of the message's button whose id starts with `prefix`.
pub fn button(m: &Value, prefix: &str) -> String {
    button_ids(m)
        .into_iter()
        .find(|id| id.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} button on {m}"))
}

/// A message's text.
pub fn content(m: &Value) -> &str {
    m["content"].as_str().unwrap_or("")
}
