//! Showing typed text safely: the rules every platform's renderer follows (Discord's fenced
//! block is in `discord/render.rs`). Bidirectional control characters are removed, so text
//! cannot reorder what surrounds it; links are recognised, so a reporter can be warned.

/// Bidirectional formatting characters (embeddings, overrides, isolates, marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
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
    fn links_are_recognised() {
        assert!(has_link("see https://example.org/x"));
        assert!(has_link("WWW.example.org"));
        assert!(has_link("join discord.gg/abc"));
        assert!(!has_link("Vi utreder ärendet."));
    }
}
