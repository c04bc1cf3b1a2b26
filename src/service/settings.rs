//! Guild settings.

use super::{Actor, Reply, Services};
use crate::error::{refuse, Result};
use crate::i18n::Lang;
use crate::msg;
use tracing::instrument;

impl Services {
    /// `/settings language`: the language the bot speaks in this guild.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn set_language(&self, actor: &Actor, code: &str) -> Result<Reply> {
        self.require_manager(actor).await?;
        let Some(lang) = Lang::from_code(code) else {
            return Err(refuse(msg!("error-language-unknown")));
        };
        self.store
            .set_guild_language(actor.guild, lang, self.now_ms())
            .await?;
        // Answered in the new language: that is the confirmation.
        Ok(Reply::public(vec![msg!("settings-language-set")]).in_language(lang))
    }
}
