//! Text rules shared by the handlers.

/// Whether `text` shows nothing: only whitespace and invisible format characters (zero-width spaces and
/// joiners, direction marks, the byte-order mark, the soft hyphen…), so "\u{200B}" is as blank as "".
pub fn is_blank(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_whitespace() || is_invisible_format(c))
}

/// Unicode's format characters (general category Cf) that render as nothing, and the Hangul fillers that
/// are meant to look empty.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FFF9}'..='\u{FFFB}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

#[cfg(test)]
mod tests {
    use super::is_blank;

    #[test]
    fn invisible_text_is_blank_and_visible_text_is_not() {
        for blank in [
            "",
            " ",
            "\t\n",
            "\u{200B}",
            "\u{FEFF}",
            " \u{200D}\u{2060} ",
            "\u{00A0}\u{3000}",
            "\u{3164}",
        ] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for visible in ["a", " x ", "\u{200B}a", "é", "👍", "\u{200D}👍", "0"] {
            assert!(!is_blank(visible), "{visible:?}");
        }
    }
}
