//! Use cases. One function per thing a user does; each checks permissions, validates input
//! through the domain, calls the store and returns a platform-neutral [`Reply`]. The Discord
//! and shell adapters only translate requests in and replies out.

mod actions;
pub mod agenda;
mod decisions;
pub mod escalations;
mod forum;
pub mod meetings;
pub mod minutes;
pub mod record;
pub mod run;
mod settings;
mod templates;
pub mod whistleblowing;

use std::sync::Arc;

use crate::action::{Button, OutAction};
use crate::clock::Clock;
use crate::config::Config;
use crate::domain::ids::{GuildId, RoleId, UserId};
use crate::error::{reference_id, refuse, Error, Result};
use crate::i18n::{Lang, Msg};
use crate::live::{LiveHook, NoLive};
use crate::msg;
use crate::render::Render;
use crate::scheduler::Wake;
use crate::store::Store;
use crate::templates::TemplateCatalog;

pub use crate::domain::agenda::TriageAction;
pub use actions::ActionDm;
pub use agenda::{AskQuestion, ProposeItem, ShowAgenda, SourceMessage, Triage};
pub use decisions::RecordDecision;
pub use forum::{tier_label, CreateForum, ForumRef};
pub use meetings::EditForum;
pub use run::{AddAttendee, AddNote, Which};
pub use templates::SetupForums;
pub use whistleblowing::{HandlerId, Intake, Receipt, ReporterView, WbRuntime};

/// Who is asking, as the adapter knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub guild: GuildId,
    pub user: UserId,
    pub roles: Vec<RoleId>,
    /// The member has Manage Server (Discord computes it, owner and administrators included).
    pub manage_guild: bool,
}

/// What a use case answers: lines of messages, rendered in the guild's language at the edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub lines: Vec<Msg>,
    /// Only the asker sees it.
    pub ephemeral: bool,
    /// Buttons under the reply (see [`crate::action`]).
    pub actions: Vec<Button>,
    /// Files handed over with it (an export).
    pub files: Vec<File>,
    /// The language to answer in when the use case changed the guild's (`/settings
    /// language`); `None`: the guild's language as read for the answer.
    pub lang: Option<Lang>,
}

/// A file a reply hands over: Discord attaches it, the shell prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn public(lines: Vec<Msg>) -> Self {
        Self {
            lines,
            ephemeral: false,
            actions: Vec::new(),
            files: Vec::new(),
            lang: None,
        }
    }

    pub fn private(lines: Vec<Msg>) -> Self {
        Self {
            lines,
            ephemeral: true,
            actions: Vec::new(),
            files: Vec::new(),
            lang: None,
        }
    }

    pub fn with_file(mut self, file: File) -> Self {
        self.files.push(file);
        self
    }

    pub fn with_actions(mut self, actions: Vec<Button>) -> Self {
        self.actions = actions;
        self
    }

    /// Answered in `lang` (the guild's language the use case just set).
    pub fn in_language(mut self, lang: Lang) -> Self {
        self.lang = Some(lang);
        self
    }
}

/// How a request ended, for adapters that care (the shell's `--strict`, metrics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// The user's input or permissions were refused; nothing changed.
    Refused,
    /// Something broke on our side; the user saw only the reference.
    Failed {
        reference: String,
    },
}

/// A reply rendered into text, ready for any adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub text: String,
    pub ephemeral: bool,
    pub status: Status,
    /// The reply's buttons, rendered.
    pub actions: Vec<OutAction>,
    pub files: Vec<File>,
}

/// Everything a use case needs. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    /// Wakes the scheduler after a use case enqueued a job.
    pub wake: Wake,
    /// The governance templates `/forum setup` offers.
    pub templates: Arc<TemplateCatalog>,
    /// Whistleblowing intake: Argon2 parameters, rate limit and in-memory cooldown.
    pub wb: Arc<WbRuntime>,
    /// Told when a live document changed (see [`crate::live`]).
    pub live: Arc<dyn LiveHook>,
}

impl Services {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: Arc<Config>) -> Self {
        let wb = Arc::new(WbRuntime::new(&config.whistleblowing));
        Self {
            store,
            clock,
            config,
            wake: Wake::default(),
            templates: Arc::new(TemplateCatalog::shipped()),
            wb,
            live: Arc::new(NoLive),
        }
    }

    /// Tells this hook when live documents change.
    pub fn with_live(mut self, live: Arc<dyn LiveHook>) -> Self {
        self.live = live;
        self
    }

    /// Offers these templates instead of the shipped ones.
    pub fn with_templates(mut self, templates: TemplateCatalog) -> Self {
        self.templates = Arc::new(templates);
        self
    }

    /// The same services with other Argon2 parameters (tests use the fast ones).
    pub fn with_wb_params(
        mut self,
        hash: crate::domain::whistleblowing::HashParams,
        kdf: crate::domain::whistleblowing::KdfParams,
    ) -> Self {
        self.wb = Arc::new(WbRuntime::with_params(
            &self.config.whistleblowing,
            hash,
            kdf,
        ));
        self
    }

    /// The guild's language, or the configured default.
    pub async fn language(&self, guild: Option<GuildId>) -> Lang {
        let Some(guild) = guild else {
            return self.config.default_language();
        };
        match self.store.guild(guild).await {
            Ok(Some(g)) => g.language.unwrap_or_else(|| self.config.default_language()),
            Ok(None) => self.config.default_language(),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the guild's language");
                self.config.default_language()
            }
        }
    }

    /// Renders a use case's result for one platform. A refusal shows its message; an internal
    /// error is logged with a fresh reference id and the user sees only a generic message with
    /// that id.
    pub async fn present(
        &self,
        guild: Option<GuildId>,
        result: Result<Reply>,
        renderer: &dyn Render,
    ) -> Presented {
        let lang = self.language(guild).await;
        render(lang, result, renderer)
    }

    /// Runs a use case and presents its result, reading the guild's language while the use
    /// case runs (not after it: one round trip less on the way to the answer). A use case that
    /// changes the language says so in its reply ([`Reply::in_language`]).
    pub async fn run_presented(
        &self,
        guild: Option<GuildId>,
        use_case: impl std::future::Future<Output = Result<Reply>>,
        renderer: &dyn Render,
    ) -> Presented {
        let (lang, result) = tokio::join!(self.language(guild), use_case);
        let lang = match &result {
            Ok(Reply { lang: Some(l), .. }) => *l,
            _ => lang,
        };
        render(lang, result, renderer)
    }

    /// Refuses unless the actor may manage forums: Manage Server, or the configured admin role.
    pub(crate) async fn require_manager(&self, actor: &Actor) -> Result<()> {
        if actor.manage_guild {
            return Ok(());
        }
        let admin = self.config.discord.admin_role.trim();
        for role in &actor.roles {
            if let Some(name) = self.store.role_name(actor.guild, *role).await? {
                if name.trim().eq_ignore_ascii_case(admin) {
                    return Ok(());
                }
            }
        }
        Err(refuse(msg!("error-not-manager", role = admin)))
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }
}

/// Renders a result in `lang` for one platform (see [`Services::present`]).
pub fn render(lang: Lang, result: Result<Reply>, renderer: &dyn Render) -> Presented {
    match result {
        Ok(reply) => Presented {
            text: join(lang, &reply.lines, renderer),
            ephemeral: reply.ephemeral,
            status: Status::Ok,
            actions: reply
                .actions
                .iter()
                .map(|b| b.render(lang, renderer))
                .collect(),
            files: reply.files,
        },
        Err(Error::User(e)) => Presented {
            text: e.0.render_with(lang, renderer),
            ephemeral: true,
            status: Status::Refused,
            actions: Vec::new(),
            files: Vec::new(),
        },
        Err(Error::Internal(e)) => {
            let reference = reference_id();
            tracing::error!(%reference, error = format!("{e:#}"), "internal error");
            Presented {
                text: msg!("error-internal", reference = reference.as_str())
                    .render_with(lang, renderer),
                ephemeral: true,
                status: Status::Failed { reference },
                actions: Vec::new(),
                files: Vec::new(),
            }
        }
    }
}

fn join(lang: Lang, lines: &[Msg], renderer: &dyn Render) -> String {
    lines
        .iter()
        .map(|m| m.render_with(lang, renderer))
        .collect::<Vec<_>>()
        .join("\n")
}
