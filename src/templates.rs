//! The governance templates the bot offers: the shipped ones (embedded in the binary, so it
//! works from any directory) plus every `*.toml` in the `templates/` folder next to the
//! configuration file (`config/templates/`). A file there with a shipped template's key
//! replaces it. Every template is validated when loaded; one bad file stops the start with
//! the file and the problem.

use std::path::{Path, PathBuf};

use crate::domain::template::{Template, TemplateError};
use crate::domain::text::name_key;

/// The shipped templates, as in `config/templates/`.
const SHIPPED: &[(&str, &str)] = &[
    (
        "a3-dialog",
        include_str!("../config/templates/a3-dialog.toml"),
    ),
    (
        "stockholm",
        include_str!("../config/templates/stockholm.toml"),
    ),
    (
        "branschrad",
        include_str!("../config/templates/branschrad.toml"),
    ),
];

/// Validated templates, by key.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateCatalog {
    templates: Vec<Template>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Invalid { path: String, source: TemplateError },
    #[error("could not read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl TemplateCatalog {
    /// The shipped templates only.
    pub fn shipped() -> Self {
        let templates = SHIPPED
            .iter()
            .map(|(key, text)| {
                Template::parse(key, text)
                    .unwrap_or_else(|e| panic!("shipped template is invalid (a test checks): {e}"))
            })
            .collect();
        let mut c = Self { templates };
        c.sort();
        c
    }

    /// The templates folder for a configuration file: `templates/` beside it.
    pub fn dir_for_config(config_path: &Path) -> PathBuf {
        config_path
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join("templates")
    }

    /// The shipped templates plus (replacing by key) every `*.toml` in `dir`. A missing folder
    /// is fine; an unreadable or invalid file is an error.
    pub fn load(dir: &Path) -> Result<Self, LoadError> {
        let mut catalog = Self::shipped();
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(catalog),
            Err(source) => {
                return Err(LoadError::Io {
                    path: dir.display().to_string(),
                    source,
                })
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|source| LoadError::Io {
                path: shown.clone(),
                source,
            })?;
            let key = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            let t = Template::parse(key, &text).map_err(|source| LoadError::Invalid {
                path: shown.clone(),
                source,
            })?;
            catalog.templates.retain(|old| old.key != t.key);
            catalog.templates.push(t);
        }
        catalog.sort();
        Ok(catalog)
    }

    fn sort(&mut self) {
        self.templates.sort_by(|a, b| a.key.cmp(&b.key));
    }

    pub fn all(&self) -> &[Template] {
        &self.templates
    }

    /// A template by key or display name, case-insensitive.
    pub fn get(&self, name: &str) -> Option<&Template> {
        let k = name_key(name.trim());
        self.templates
            .iter()
            .find(|t| t.key == k || name_key(&t.name) == k)
    }

    /// Keys matching what a user typed (for autocomplete), with their display names.
    pub fn suggestions(&self, partial: &str) -> Vec<(String, String)> {
        let p = name_key(partial.trim());
        self.templates
            .iter()
            .filter(|t| t.key.contains(&p) || name_key(&t.name).contains(&p))
            .map(|t| (t.key.clone(), t.name.clone()))
            .take(25)
            .collect()
    }
}

impl Default for TemplateCatalog {
    fn default() -> Self {
        Self::shipped()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_templates_are_valid() {
        for (key, text) in SHIPPED {
            Template::parse(key, text).unwrap_or_else(|e| panic!("{e}"));
        }
        let c = TemplateCatalog::shipped();
        assert_eq!(
            c.all().iter().map(|t| t.key.as_str()).collect::<Vec<_>>(),
            ["a3-dialog", "branschrad", "stockholm"]
        );
    }

    #[test]
    fn the_files_in_config_templates_are_valid_and_the_shipped_ones() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/templates");
        let loaded = TemplateCatalog::load(&dir).unwrap();
        assert_eq!(loaded, TemplateCatalog::shipped());
    }

    #[test]
    fn stockholm_has_the_structure_of_domain_md() {
        let c = TemplateCatalog::shipped();
        let t = c.get("Stockholm").unwrap();
        assert_eq!(t.forums.len(), 11);
        let f = |n: &str| t.forum(n).unwrap();
        assert_eq!(
            f("Leveransforum").escalates_to.as_deref(),
            Some("Verkställande forum")
        );
        assert_eq!(
            f("Verkställande forum").escalates_to.as_deref(),
            Some("Ledningsforum")
        );
        assert_eq!(f("Ledningsforum").escalates_to, None);
        assert_eq!(f("Ledningsforum").tier, "business");
        assert!(f("Operativt möte").cancel_without_agenda);
        assert!(!f("Leveransforum").cancel_without_agenda);
        assert_eq!(
            f("Ändringskoordineringsforum").cadence.to_spec(),
            "biweekly wed"
        );
        assert_eq!(
            f("Releaseplaneringsmöte").cadence.to_spec(),
            "half-yearly 2nd thu"
        );
        assert_eq!(
            f("Driftsättningsinformationsmöte").cadence.to_spec(),
            "weekly thu"
        );
        // Targets come first in creation order.
        let pos = |n: &str| t.forums.iter().position(|x| x.name == n).unwrap();
        assert!(pos("Ledningsforum") < pos("Verkställande forum"));
        assert!(pos("Verkställande forum") < pos("Leveransforum"));
        let b = c.get("branschråd").unwrap();
        assert_eq!(b.forums.len(), 1);
        assert!(b.forums[0].note.as_deref().unwrap().contains("sekreterare"));
    }

    #[test]
    fn a_folder_adds_and_replaces_and_refuses_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("stockholm.toml"),
            "name = \"Egen\"\n[[forum]]\nname = \"A\"\ntier = \"delivery\"\ncadence = \"weekly mon\"\ntime = \"09:00\"\nduration = 30\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("readme.txt"), "ignored").unwrap();
        let c = TemplateCatalog::load(dir.path()).unwrap();
        assert_eq!(c.get("stockholm").unwrap().name, "Egen");
        assert!(c.get("branschrad").is_some());
        std::fs::write(dir.path().join("bad.toml"), "name = \"X\"\nowner = 1\n").unwrap();
        let err = TemplateCatalog::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("bad.toml") && err.contains("owner"), "{err}");
        assert!(TemplateCatalog::load(&dir.path().join("missing")).is_ok());
    }

    #[test]
    fn suggestions_match_key_or_name() {
        let c = TemplateCatalog::shipped();
        assert_eq!(c.suggestions("stock")[0].0, "stockholm");
        assert_eq!(c.suggestions("bransch")[0].0, "branschrad");
        assert_eq!(c.suggestions("").len(), 3);
        assert_eq!(c.suggestions("a3")[0].0, "a3-dialog");
    }
}
