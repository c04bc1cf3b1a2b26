//! Samverkan: a Discord bot for supplier forums.
//!
//! The library holds everything; `main.rs` only calls [`cli::main`]. Layers, from the inside out:
//! [`domain`] (pure rules), [`store`] (all SQL), [`service`] (use cases, permissions),
//! and the thin adapters [`discord`] and [`shell`]; [`app`] builds and wires them (the
//! composition root).

pub mod action;
pub mod app;
pub mod cli;
pub mod clock;
pub mod command;
pub mod config;
pub mod discord;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod live;
pub mod logging;
pub mod notifier;
pub mod render;
pub mod scheduler;
pub mod service;
pub mod shell;
pub mod store;
pub mod templates;
