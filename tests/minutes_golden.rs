//! Golden minutes: the seed council minutes (Branschråd 2025-09-16) drafted in Swedish and in
//! English and compared with the reviewed files in `tests/golden/`. `UPDATE_GOLDEN=1`
//! rewrites them (then review the diff: they are checked by reading, not just regenerated).

#[path = "support/branschrad.rs"]
mod branschrad;

use samverkan::domain::minutes::{draft, to_html, Document};
use samverkan::i18n::Lang;
use samverkan::service::minutes::labels;

fn golden(name: &str, actual: &str) {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var("UPDATE_GOLDEN").is_ok() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{name} differs from the golden file; run with UPDATE_GOLDEN=1 and review the diff\n{actual}"
    );
}

#[test]
fn swedish_minutes_of_the_seed_council_meeting() {
    let doc = draft(&branschrad::input_sv(), &labels(Lang::Sv));
    let md = doc.to_markdown();
    golden("branschrad-2025-09-16.sv.md", &md);
    assert_eq!(Document::parse(&md).unwrap(), doc, "the file splits back");
    // What the original has, where it has it.
    for must in [
        "# Minnesanteckningar Branschråd",
        "Plats: Digital Teams",
        "Tid: 13:30–15:00",
        "- Stefan Petersson, Västra Götalandsregionen (ordförande)",
        "- Helena Dalman, Västra Götalandsregionen (sekreterare)",
        "### Frånvarande\n\n- Inga",
        "1. Tidigare minnesanteckningar",
        "6. Visselblåsning",
        "## 6. Visselblåsning",
        "### Beslut BR-2025-01: Information om visselblåsning",
        "| Vad | Vem | När |",
        "Nästa möte planeras till november.",
        "Stefan Petersson  \nOrdförande",
        "Helena Dalman  \nSekreterare",
    ] {
        assert!(md.contains(must), "missing {must:?}");
    }
    assert_eq!(
        doc.keys(),
        [
            "header",
            "attendance",
            "agenda",
            "opening",
            "item-1",
            "item-2",
            "item-3",
            "item-4",
            "item-5",
            "item-6",
            "actions",
            "escalations",
            "next-meeting",
            "signatures"
        ]
    );
    let html = to_html(&doc, "Minnesanteckningar Branschråd 2025-09-16", "sv", None);
    golden("branschrad-2025-09-16.sv.html", &html);
}

#[test]
fn english_minutes_of_the_seed_council_meeting() {
    let doc = draft(&branschrad::input_en(), &labels(Lang::En));
    let md = doc.to_markdown();
    golden("branschrad-2025-09-16.en.md", &md);
    assert_eq!(Document::parse(&md).unwrap(), doc);
    for must in [
        "# Minutes Industry council",
        "Date: 2025-09-16",
        "### Absent\n\n- None",
        "The meeting was recorded: 12 of 12 asked agreed to the recording.",
        "| What | Who | When |",
        "### Decision BR-2025-01:",
        "Stefan Petersson  \nChair",
    ] {
        assert!(md.contains(must), "missing {must:?}");
    }
}
