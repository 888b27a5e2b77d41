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

/// The most terms a query may have.
pub const MAX_QUERY_TERMS: usize = 16;

/// One thing a query looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A word that must begin a word of the document (one letter or digit:
    /// be that whole word, so that a query cannot ask for the whole index).
    Word(String),
    /// A run of CJK characters: its pairs, one after the other (a lone
    /// character: a pair that begins with it).
    Run(Vec<String>),
}

/// The terms of a query, or why it cannot be one.
pub fn query_terms(q: &str) -> Result<Vec<Term>, String> {
    let q = q.trim();
    if q.is_empty() || q.chars().count() > 200 {
        return Err("`q` must be 1 to 200 characters".into());
    }
    let mut terms: Vec<Term> = Vec::new();
    let mut word = String::new();
    let mut cjk: Vec<char> = Vec::new();
    let mut push = |t: Term, terms: &mut Vec<Term>| {
        if !terms.contains(&t) {
            terms.push(t);
        }
    };
    let end_run =
        |cjk: &mut Vec<char>, terms: &mut Vec<Term>, push: &mut dyn FnMut(Term, &mut Vec<Term>)| {
            if !cjk.is_empty() {
                let pairs = words(&cjk.iter().collect::<String>());
                push(Term::Run(pairs), terms);
                cjk.clear();
            }
        };
    for c in q.chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                push(Term::Word(std::mem::take(&mut word)), &mut terms);
            }
            cjk.push(c);
        } else if c.is_alphanumeric() {
            end_run(&mut cjk, &mut terms, &mut push);
            word.extend(c.to_lowercase());
        } else {
            end_run(&mut cjk, &mut terms, &mut push);
            if !word.is_empty() {
                push(Term::Word(std::mem::take(&mut word)), &mut terms);
            }
        }
    }
    end_run(&mut cjk, &mut terms, &mut push);
    if !word.is_empty() {
        push(Term::Word(word), &mut terms);
    }
    if terms.is_empty() {
        return Err("`q` has no letters or digits to look for".into());
    }
    let too_long = |t: &Term| match t {
        Term::Word(w) => w.len() > 100,
        Term::Run(p) => p.len() > 50,
    };
    if terms.len() > MAX_QUERY_TERMS || terms.iter().any(too_long) {
        return Err(format!(
            "`q` may have at most {MAX_QUERY_TERMS} words (of at most 100 bytes; a run of Chinese, Japanese or Korean characters is one word)"
        ));
    }
    Ok(terms)
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
        use Term::{Run, Word};
        let w = |s: &str| Word(s.into());
        assert_eq!(
            query_terms("Refund order").unwrap(),
            vec![w("refund"), w("order")]
        );
        assert_eq!(
            query_terms("调解服务 refund").unwrap(),
            vec![
                Run(vec!["调解".into(), "解服".into(), "服务".into()]),
                w("refund")
            ]
        );
        assert_eq!(query_terms("订").unwrap(), vec![Run(vec!["订".into()])]);
        assert!(query_terms("   ").is_err());
        assert!(query_terms("?!").is_err());
        assert!(
            query_terms(&"a b ".repeat(20)).is_ok(),
            "repeats count once"
        );
        let many: String = (0..17).map(|i| format!("w{i} ")).collect();
        assert!(query_terms(&many).is_err());
        assert!(query_terms(&"x".repeat(201)).is_err());
        assert!(query_terms(&"调".repeat(30)).is_ok(), "one run is one word");
    }
}
