//! Search text, the pure part: how text is written into the search index
//! and how a query is read, the same way on both databases.
//!
//! Text is lower-cased and cut into words at anything that is not a
//! letter or a digit (so `OMB-2026-000042` is `omb 2026 000042`). Chinese,
//! Japanese and Korean have no spaces between words, so a run of their
//! characters is written as its overlapping pairs (`调解服务`: `调解 解服
//! 服务`), and a query's run is read the same way: every pair must be
//! there, which finds any substring of two characters or more. A query's
//! words must each begin a word of one document (`заказ` finds `заказа`,
//! `refund` finds `refunded`): prefixes stand in for stemming, which no
//! one configuration does well for English, Russian and Polish at once.

/// Whether `c` is written without spaces between words (Han, kana,
/// Hangul and their punctuation-free neighbours).
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0x20000..=0x3134F) // CJK Extensions B to G
}

/// The words of `text` as the index holds them, separated by spaces.
pub fn normalize(text: &str) -> String {
    words(text).join(" ")
}

/// The words of `text`: lower-case runs of letters and digits, and the
/// overlapping pairs of each run of CJK characters (a lone one alone).
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut cjk: Vec<char> = Vec::new();
    let flush_cjk = |cjk: &mut Vec<char>, out: &mut Vec<String>| {
        match cjk.len() {
            0 => {}
            1 => out.push(cjk[0].to_string()),
            _ => out.extend(cjk.windows(2).map(|w| w.iter().collect::<String>())),
        }
        cjk.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            cjk.push(c);
        } else if c.is_alphanumeric() {
            flush_cjk(&mut cjk, &mut out);
            word.extend(c.to_lowercase());
        } else {
            flush_cjk(&mut cjk, &mut out);
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        }
    }
    flush_cjk(&mut cjk, &mut out);
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The most words a query may have.
pub const MAX_QUERY_WORDS: usize = 16;

/// The words of a query (each at most 100 bytes), or why it cannot be one.
pub fn query_words(q: &str) -> Result<Vec<String>, String> {
    let q = q.trim();
    if q.is_empty() || q.chars().count() > 200 {
        return Err("`q` must be 1 to 200 characters".into());
    }
    let mut found = words(q);
    found.dedup();
    if found.is_empty() {
        return Err("`q` has no letters or digits to look for".into());
    }
    if found.len() > MAX_QUERY_WORDS || found.iter().any(|w| w.len() > 100) {
        return Err(format!(
            "`q` may have at most {MAX_QUERY_WORDS} words of at most 100 bytes"
        ));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_case_runs_and_cjk_pairs() {
        assert_eq!(
            normalize("OMB-2026-000042: Refund!"),
            "omb 2026 000042 refund"
        );
        assert_eq!(normalize("Заказ НЕ пришёл"), "заказ не пришёл");
        assert_eq!(normalize("Zamówienie ŁÓDŹ"), "zamówienie łódź");
        assert_eq!(
            normalize("我想申请调解服务"),
            "我想 想申 申请 请调 调解 解服 服务"
        );
        assert_eq!(normalize("订单123没到"), "订单 123 没到");
        assert_eq!(normalize("a 中 b"), "a 中 b");
        assert_eq!(normalize("  ,;  "), "");
    }

    #[test]
    fn a_query_is_checked() {
        assert_eq!(
            query_words("Refund order").unwrap(),
            vec!["refund", "order"]
        );
        assert_eq!(
            query_words("调解服务").unwrap(),
            vec!["调解", "解服", "服务"]
        );
        assert!(query_words("   ").is_err());
        assert!(query_words("?!").is_err());
        assert!(query_words(&"a ".repeat(17)).is_ok(), "repeats count once");
        let many: String = (0..17).map(|i| format!("w{i} ")).collect();
        assert!(query_words(&many).is_err());
        assert!(query_words(&"x".repeat(201)).is_err());
    }
}
