//! Rules for text that users type and the bot shows again.

/// Characters that Discord reads as markdown or mention syntax. Names may not contain them, so
/// a name shown in a message is always just the name.
const MARKUP: &[char] = &[
    '*', '_', '~', '`', '|', '>', '<', '#', '@', '[', ']', '(', ')', '\\', ':',
];

/// Why a short text (a name, a label) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    Empty,
    TooLong { max: usize },
    Markup,
    Control,
}

/// Validates and normalises a short single-line name: trimmed, inner whitespace folded, at
/// most `max` characters, no control characters, no markdown or mention syntax.
pub fn clean_name(input: &str, max: usize) -> Result<String, NameProblem> {
    if input.chars().any(|c| c.is_control()) {
        return Err(NameProblem::Control);
    }
    let folded = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.is_empty() {
        return Err(NameProblem::Empty);
    }
    if folded.chars().count() > max {
        return Err(NameProblem::TooLong { max });
    }
    if folded.contains(MARKUP) || folded.to_lowercase().contains("everyone") && folded.contains('@')
    {
        return Err(NameProblem::Markup);
    }
    Ok(folded)
}

/// The key a name is unique by: case-insensitive for every script (SQLite's NOCASE folds only
/// ASCII, and forum names are Swedish: "Ärendeforum" and "ärendeforum" are the same).
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// Orders names as a Swedish reader expects: case-insensitive, with å, ä and ö after z
/// (byte order would put ä before å, and a database's collation varies by server).
pub fn swedish_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn key(s: &str) -> Vec<u32> {
        s.chars()
            .flat_map(char::to_lowercase)
            .map(|c| match c {
                'å' => 'z' as u32 + 1,
                'ä' | 'æ' => 'z' as u32 + 2,
                'ö' | 'ø' => 'z' as u32 + 3,
                other => other as u32,
            })
            .collect()
    }
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

/// Makes free text safe to show inside a message: mention syntax is broken with a zero-width
/// space so it cannot ping even if a message forgot its allowed-mentions (it never should).
pub fn defuse_mentions(text: &str) -> String {
    text.replace("@everyone", "@\u{200b}everyone")
        .replace("@here", "@\u{200b}here")
        .replace("<@", "<\u{200b}@")
}

/// Cuts `text` to at most `max` characters at a line or word boundary, marking the cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let at = cut
        .rfind('\n')
        .filter(|&i| i > cut.len() / 2)
        .unwrap_or(cut.len());
    format!("{}…", &cut[..at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_folded() {
        assert_eq!(
            clean_name("  Leverans   forum ", 80).unwrap(),
            "Leverans forum"
        );
    }

    #[test]
    fn names_refuse_markup_mentions_and_length() {
        assert_eq!(clean_name("**bold**", 80), Err(NameProblem::Markup));
        assert_eq!(clean_name("@everyone", 80), Err(NameProblem::Markup));
        assert_eq!(clean_name("<@&123>", 80), Err(NameProblem::Markup));
        assert_eq!(clean_name("a\u{0}b", 80), Err(NameProblem::Control));
        assert_eq!(clean_name("   ", 80), Err(NameProblem::Empty));
        assert_eq!(
            clean_name(&"x".repeat(500), 80),
            Err(NameProblem::TooLong { max: 80 })
        );
        assert!(clean_name("Arkitektur- och säkerhetsforum", 80).is_ok());
    }

    #[test]
    fn name_key_folds_swedish_letters() {
        assert_eq!(name_key("ÄNDRINGSFORUM"), name_key("ändringsforum"));
    }

    #[test]
    fn swedish_order_puts_aao_last() {
        let mut v = vec![
            "Ödeforum",
            "Ärendeforum",
            "Åtgärdsforum",
            "ledning",
            "Avtal",
        ];
        v.sort_by(|a, b| swedish_cmp(a, b));
        assert_eq!(
            v,
            vec![
                "Avtal",
                "ledning",
                "Åtgärdsforum",
                "Ärendeforum",
                "Ödeforum"
            ]
        );
    }

    #[test]
    fn defuse_breaks_mentions() {
        let t = defuse_mentions("hi @everyone and <@&42>");
        assert!(!t.contains("@everyone"));
        assert!(!t.contains("<@&"));
    }

    #[test]
    fn truncate_marks_the_cut() {
        let t = truncate(&"abc ".repeat(1000), 100);
        assert!(t.chars().count() <= 100);
        assert!(t.ends_with('…'));
    }
}
