//! The command line: `samverkan run | shell | migrate | check-config`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use zeroize::Zeroize;

use crate::app;
use crate::config::{Config, DEFAULT_CONFIG_PATH};
use crate::shell::{Shell, ShellIdentity};
use crate::templates::TemplateCatalog;

#[derive(Debug, Parser)]
#[command(
    name = "samverkan",
    version,
    about = "Samverkan: a Discord bot for supplier forums",
    long_about = "Samverkan schedules supplier-forum meetings, collects agendas, records decisions \
                  and runs an anonymous whistleblowing intake. Configuration comes from \
                  config/samverkan.toml and SAMVERKAN_* environment variables."
)]
pub struct Cli {
    /// Configuration file [default: config/samverkan.toml]
    #[arg(long, global = true, env = "SAMVERKAN_CONFIG")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect to Discord and serve until SIGINT or SIGTERM.
    ///
    /// Needs a bot token (SAMVERKAN_DISCORD_TOKEN or discord.token). Migrates the database
    /// first.
    Run,
    /// Read slash-command lines from standard input and print the replies (local adapter).
    ///
    /// Example: echo '/forum list' | samverkan shell --guild "Stockholms stad" --user anna
    Shell {
        /// Guild name or id. A name the bot has not seen makes a shell-local guild.
        #[arg(long)]
        guild: String,
        /// User name or id to act as.
        #[arg(long)]
        user: String,
        /// Comma-separated role names the user has.
        #[arg(long, value_delimiter = ',')]
        roles: Vec<String>,
        /// Act as a member with the Manage Server permission.
        #[arg(long)]
        admin: bool,
        /// Stop at the first line that fails, with a non-zero exit code.
        #[arg(long)]
        strict: bool,
    },
    /// Apply the database migrations and exit.
    Migrate,
    /// Validate the configuration and print it, secrets redacted.
    CheckConfig,
    /// Whistleblowing handlers' keys.
    Handler {
        #[command(subcommand)]
        action: HandlerAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum HandlerAction {
    /// Create a handler's key pair from a passphrase and store it in the database.
    ///
    /// The passphrase (at least 12 characters) is read from standard input: one line, or, on a
    /// terminal, typed twice for confirmation (it is echoed: run it where nobody can see the
    /// screen, or pipe it in). The private key is stored only encrypted with it. Prints the
    /// key's fingerprint: pin it in `whistleblowing.fingerprints`, and list the user in
    /// `whistleblowing.handlers`. A handler added later gets each older case the next time
    /// another handler opens it.
    Add {
        /// The handler's Discord user id.
        #[arg(long)]
        user: u64,
    },
    /// Print every registered handler's id and the fingerprint of the key stored for them.
    List,
    /// Create the operator's offline recovery key pair: prints the public key (put it in
    /// `whistleblowing.recovery_public_key`) and the secret (keep it offline, e.g. on paper in a
    /// safe; it opens every case sealed to it). Nothing is stored.
    RecoveryKey,
    /// Give a handler every case the recovery key can open (for cases no current handler can
    /// open). Reads the recovery secret from standard input. Exclusions still hold.
    Recover {
        /// The (allow-listed, pinned) handler to give the cases to.
        #[arg(long)]
        user: u64,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("samverkan: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    // Governance templates: the shipped ones plus `templates/` next to the configuration file.
    let config_path = cli
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_PATH));
    let templates = match TemplateCatalog::load(&TemplateCatalog::dir_for_config(&config_path)) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("samverkan: template error: {e}");
            return ExitCode::from(2);
        }
    };
    crate::logging::init(&config.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("samverkan: could not start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(execute(cli.command, config, templates)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("samverkan: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(
    command: Command,
    config: Config,
    templates: TemplateCatalog,
) -> anyhow::Result<ExitCode> {
    match command {
        Command::CheckConfig => {
            print!("{}", config.to_redacted_toml());
            let keys: Vec<&str> = templates.all().iter().map(|t| t.key.as_str()).collect();
            println!("# templates: {}", keys.join(", "));
            println!("# configuration is valid");
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let store = app::open_store(&config).await?;
            store.close().await;
            println!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::Run => {
            if config.discord.token.is_empty() {
                eprintln!(
                    "samverkan: no Discord bot token: set the environment variable \
                     SAMVERKAN_DISCORD_TOKEN (or discord.token in config/samverkan.toml)."
                );
                return Ok(ExitCode::from(2));
            }
            crate::app::run(config, templates).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Handler {
            action: HandlerAction::Add { user },
        } => handler_add(config, templates, user).await,
        Command::Handler {
            action: HandlerAction::List,
        } => {
            let services = app::services(config, templates).await?;
            for (user, fp) in services.wb_handler_fingerprints().await? {
                let same = |a: &str, b: &str| {
                    let norm = |s: &str| -> String {
                        s.chars()
                            .filter(char::is_ascii_hexdigit)
                            .map(|c| c.to_ascii_lowercase())
                            .collect()
                    };
                    norm(a) == norm(b)
                };
                let pinned = match services.config.whistleblowing.fingerprint(user) {
                    Some(pin) if same(pin, &fp) => "pinned",
                    Some(_) => "PIN DIFFERS",
                    None => "not pinned",
                };
                println!("{user}\t{fp}\t{pinned}");
            }
            services.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Handler {
            action: HandlerAction::RecoveryKey,
        } => {
            let secret = crate::domain::whistleblowing::HandlerSecret::generate_recovery();
            let public = crate::domain::whistleblowing::encode_public_key(&secret.public_key());
            println!("recovery_public_key = \"{public}\"");
            println!("# Recovery secret (keep offline; never on this machine):");
            println!("{}", secret.to_hex().as_str());
            Ok(ExitCode::SUCCESS)
        }
        Command::Handler {
            action: HandlerAction::Recover { user },
        } => {
            use std::io::BufRead;
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            let services = app::services(config, templates).await?;
            let result = services
                .wb_recover(secrecy::SecretString::from(line.trim().to_string()), user)
                .await;
            line.zeroize();
            let lang = services.config.default_language();
            let code = match result {
                Ok(n) => {
                    println!("{n} cases sealed to handler {user}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!(
                        "samverkan: {}",
                        crate::service::render(lang, Err(e), &crate::render::Plain::default()).text
                    );
                    ExitCode::from(2)
                }
            };
            services.store.close().await;
            Ok(code)
        }
        Command::Shell {
            guild,
            user,
            roles,
            admin,
            strict,
        } => {
            let services = app::services(config, templates).await?;
            let shell = Shell::open(
                services.clone(),
                &ShellIdentity {
                    guild,
                    user,
                    roles,
                    admin,
                },
            )
            .await?;
            let stdin = std::io::stdin();
            let ok = shell.run(stdin.lock(), std::io::stdout(), strict).await?;
            services.store.close().await;
            Ok(if ok || !strict {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

/// `samverkan handler add --user ID`: reads the passphrase from stdin and stores the key pair.
async fn handler_add(
    config: Config,
    templates: TemplateCatalog,
    user: u64,
) -> anyhow::Result<ExitCode> {
    use std::io::{BufRead, IsTerminal, Write};
    let interactive = std::io::stdin().is_terminal();
    let read = |prompt: &str| -> anyhow::Result<String> {
        if interactive {
            eprint!("{prompt}");
            std::io::stderr().flush().ok();
        }
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    };
    let pass = read("Passphrase: ")?;
    if interactive && read("Again: ")? != pass {
        eprintln!("samverkan: the passphrases differ; nothing was stored.");
        return Ok(ExitCode::from(2));
    }
    if !config.whistleblowing.is_handler(user) {
        eprintln!(
            "samverkan: note: user {user} is not in whistleblowing.handlers; add them there too, \
             or they cannot use /case."
        );
    }
    let services = app::services(config, templates).await?;
    let result = services
        .wb_register_handler(user, secrecy::SecretString::from(pass))
        .await;
    let lang = services.config.default_language();
    let code = match result {
        Ok(fp) => {
            println!("{}", crate::msg!("wb-handler-added").plain(lang));
            println!("fingerprint: {fp}");
            println!("# pin it: [whistleblowing] fingerprints = {{ \"{user}\" = \"{fp}\" }}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            let p = crate::service::render(lang, Err(e), &crate::render::Plain::default());
            eprintln!("samverkan: {}", p.text);
            ExitCode::from(2)
        }
    };
    services.store.close().await;
    Ok(code)
}
