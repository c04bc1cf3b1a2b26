//! Applies the catalogue to the command tree: English descriptions, Swedish names and
//! descriptions (Discord's `sv-SE`). Keys are `cmd-` + the command's full English name
//! (`cmd-forum-create`); attributes name the parameters.

use std::borrow::Cow;

use super::{Data, Error};
use crate::i18n::{Catalog, Lang};

pub fn apply(commands: &mut [poise::Command<Data, Error>]) {
    apply_under("cmd", commands);
}

/// poise fills in `qualified_name` only when the framework starts, so the key is built from
/// the parents' names here.
fn apply_under(parent: &str, commands: &mut [poise::Command<Data, Error>]) {
    let catalog = Catalog::get();
    for command in commands {
        let key = format!("{parent}-{}", command.name);
        let get = |lang: Lang, attr: Option<&str>| catalog.lookup(lang, &key, attr, &[]);

        if let Some(d) = get(Lang::En, Some("description")) {
            command.description = Some(Cow::Owned(d));
        }
        if let Some(n) = get(Lang::Sv, None) {
            push(&mut command.name_localizations, Lang::Sv, n);
        }
        if let Some(d) = get(Lang::Sv, Some("description")) {
            push(&mut command.description_localizations, Lang::Sv, d);
        }
        for p in &mut command.parameters {
            let desc_attr = format!("{}-description", p.name);
            if let Some(d) = get(Lang::En, Some(&desc_attr)) {
                p.description = Some(Cow::Owned(d));
            }
            if let Some(n) = get(Lang::Sv, Some(&p.name)) {
                push(&mut p.name_localizations, Lang::Sv, n);
            }
            if let Some(d) = get(Lang::Sv, Some(&desc_attr)) {
                push(&mut p.description_localizations, Lang::Sv, d);
            }
        }
        apply_under(&key, &mut command.subcommands);
    }
}

fn push(
    list: &mut Cow<'static, [(Cow<'static, str>, Cow<'static, str>)]>,
    lang: Lang,
    text: String,
) {
    list.to_mut()
        .push((Cow::Borrowed(lang.discord_locale()), Cow::Owned(text)));
}
