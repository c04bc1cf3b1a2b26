//! Showing typed text safely. What a reporter or handler typed is shown to the other side inside
//! a code block: no markdown, no clickable links, no mentions, and it cannot close the block to
//! forge a label or a line of ours. Bidirectional control characters are removed, so text cannot
//! reorder what surrounds it either.

/// The fence line that opens and closes a block of typed text.
pub const FENCE: &str = "```";

/// Bidirectional formatting characters (embeddings, overrides, isolates, marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// `text` without bidirectional controls, with every backtick replaced by a look-alike that
/// cannot end a code block, inside a fenced block on lines of its own.
pub fn fenced(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 10);
    out.push('\n');
    out.push_str(FENCE);
    out.push('\n');
    for c in text.chars() {
        match c {
            '`' => out.push('\u{02CB}'),
            c if is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(FENCE);
    out
}

/// True if the text carries something a client could open as a link. Shown to a reporter with a
/// warning: opening a link from the other side can reveal who they are (address, device).
pub fn has_link(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.contains("://") || lower.contains("www.") || lower.contains("discord.gg/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_cannot_leave_its_block() {
        let forged = "ok\n```\n**Handler:** pay here\u{202E}txt.exe\n`x`";
        let shown = fenced(forged);
        // Exactly our two fence lines; the typed ones are defused.
        assert_eq!(shown.lines().filter(|l| *l == FENCE).count(), 2);
        assert_eq!(shown.matches('`').count(), 6);
        assert!(shown.starts_with("\n```\n") && shown.ends_with("\n```"));
        assert!(!shown.chars().any(is_bidi_control));
        assert!(shown.contains("**Handler:** pay here"));
    }

    #[test]
    fn links_are_recognised() {
        assert!(has_link("see https://example.org/x"));
        assert!(has_link("WWW.example.org"));
        assert!(has_link("join discord.gg/abc"));
        assert!(!has_link("Vi utreder ärendet."));
    }
}
