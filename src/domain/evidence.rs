//! Evidence files, as policy: what a file is (from its first bytes, never
//! from its name or the client's word), which kinds a case accepts, and the
//! name it is stored and offered under.

/// How many leading bytes [`sniff`] looks at.
pub const HEAD_BYTES: usize = 8192;

/// The kinds accepted when the `evidence_types` setting is left as it is:
/// documents, images, audio and video that no browser or desktop runs.
/// Executables, scripts, HTML, SVG and archives are not among them.
pub const DEFAULT_TYPES: &str = "application/pdf image/png image/jpeg image/gif image/webp \
     text/plain audio/mpeg audio/wav video/mp4 \
     application/vnd.openxmlformats-officedocument.wordprocessingml.document \
     application/vnd.openxmlformats-officedocument.spreadsheetml.sheet \
     application/vnd.oasis.opendocument.text";

/// What kind of file begins with `head`, as a media type. Files that are
/// not recognised are `application/octet-stream`; text that is valid UTF-8
/// and not markup is `text/plain`.
pub fn sniff(head: &[u8]) -> &'static str {
    let starts = |magic: &[u8]| head.starts_with(magic);
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    // Programs first: they are refused whatever else they look like.
    if starts(b"\x7fELF") {
        return "application/x-executable";
    }
    if starts(b"MZ") {
        return "application/vnd.microsoft.portable-executable";
    }
    if [
        &b"\xfe\xed\xfa\xce"[..],
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
    ]
    .iter()
    .any(|m| starts(m))
    {
        return "application/x-mach-binary";
    }
    if starts(b"#!") {
        return "text/x-shellscript";
    }
    if starts(b"%PDF-") {
        return "application/pdf";
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return "image/png";
    }
    if starts(b"\xff\xd8\xff") {
        return "image/jpeg";
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return "image/gif";
    }
    if starts(b"RIFF") && at(8, b"WEBP") {
        return "image/webp";
    }
    if starts(b"RIFF") && at(8, b"WAVE") {
        return "audio/wav";
    }
    if starts(b"ID3") || starts(b"\xff\xfb") || starts(b"\xff\xf3") || starts(b"\xff\xf2") {
        return "audio/mpeg";
    }
    if at(4, b"ftyp") {
        return "video/mp4";
    }
    if starts(b"PK\x03\x04") {
        return zip_kind(head);
    }
    if starts(b"\x1f\x8b") || starts(b"7z\xbc\xaf\x27\x1c") || starts(b"Rar!") {
        return "application/x-archive";
    }
    text_kind(head)
}

/// An Office Open XML or OpenDocument file, or another zip archive, from
/// the names of the first entries. An Office file must carry its content
/// types and main part; one with macros (`vbaProject.bin`) is a zip.
fn zip_kind(head: &[u8]) -> &'static str {
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    let office = has(b"[Content_Types].xml") && !has(b"vbaProject.bin");
    if has(b"mimetypeapplication/vnd.oasis.opendocument.text") {
        "application/vnd.oasis.opendocument.text"
    } else if office && has(b"word/document.xml") {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    } else if office && has(b"xl/workbook.xml") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "application/zip"
    }
}

/// Text: markup a browser would render (HTML, SVG, XML) or plain text.
/// Text need not be UTF-8 (UTF-16 with its byte-order mark, or an older
/// 8-bit encoding, is text too), but bytes no text holds make it binary.
/// Anything that opens a tag (`<` before a letter, `!`, `/` or `?`) is
/// taken for markup: a browser would render it.
fn text_kind(head: &[u8]) -> &'static str {
    if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") {
        return "text/plain";
    }
    let binary = |b: &u8| matches!(b, 0..=8 | 0x0e..=0x1a | 0x1c..=0x1f | 0x7f);
    if head.iter().any(binary) {
        return "application/octet-stream";
    }
    let lower = String::from_utf8_lossy(head).to_ascii_lowercase();
    if lower.contains("<svg") || lower.contains(":svg") {
        return "image/svg+xml";
    }
    let trimmed = lower.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with("<?xml") {
        return "application/xml";
    }
    let opens_tag = lower.as_bytes().windows(2).any(|w| {
        w[0] == b'<' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'!' | b'/' | b'?'))
    });
    if opens_tag {
        return "text/html";
    }
    "text/plain"
}

/// Whether `kind` is among the space- or comma-separated `types`.
pub fn allowed(kind: &str, types: &str) -> bool {
    types
        .split(|c: char| c == ',' || c.is_whitespace())
        .any(|t| t.eq_ignore_ascii_case(kind))
}

/// The extensions a file of `kind` may carry; the first is given to a
/// name that has none of them.
fn extensions(kind: &str) -> &'static [&'static str] {
    match kind {
        "application/pdf" => &["pdf"],
        "image/png" => &["png"],
        "image/jpeg" => &["jpg", "jpeg"],
        "image/gif" => &["gif"],
        "image/webp" => &["webp"],
        "text/plain" => &["txt", "text", "log", "csv", "md"],
        "audio/mpeg" => &["mp3"],
        "audio/wav" => &["wav"],
        "video/mp4" => &["mp4", "m4a", "m4v", "mov"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => &["docx"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => &["xlsx"],
        "application/vnd.oasis.opendocument.text" => &["odt"],
        "text/html" => &["html", "htm"],
        "image/svg+xml" => &["svg"],
        "application/xml" => &["xml"],
        "application/zip" => &["zip"],
        _ => &["bin"],
    }
}

/// The name a file of `kind` is stored and offered under: the last part of
/// what the client sent, without control or invisible formatting
/// characters (such as a right-to-left override), quotes or separators, at
/// most 200 characters, `file` when nothing is left; and ending in an
/// extension of the kind detected, so that a text file called `run.bat` is
/// offered as `run.bat.txt` and opens as what it is.
pub fn file_name(raw: &str, kind: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let invisible = |c: char| matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}');
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && !invisible(*c) && !matches!(c, '"' | ';' | '<' | '>'))
        .take(190)
        .collect();
    let clean = clean.trim().trim_start_matches('.').trim().to_string();
    let clean = if clean.is_empty() {
        "file".to_string()
    } else {
        clean
    };
    let allowed = extensions(kind);
    let has = clean
        .rsplit_once('.')
        .is_some_and(|(_, ext)| allowed.iter().any(|a| ext.eq_ignore_ascii_case(a)));
    if has {
        clean
    } else {
        format!("{clean}.{}", allowed[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_bytes_not_their_names() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), "application/pdf");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), "image/jpeg");
        assert_eq!(sniff(b"GIF89a\x01\0"), "image/gif");
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), "image/webp");
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), "audio/wav");
        assert_eq!(sniff(b"ID3\x04\0"), "audio/mpeg");
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42"), "video/mp4");
        assert_eq!(sniff("Квитанция № 1234\n".as_bytes()), "text/plain");
        assert_eq!(sniff(b""), "text/plain");
    }

    #[test]
    fn programs_and_markup_are_named_for_what_they_are() {
        assert_eq!(sniff(b"\x7fELF\x02\x01"), "application/x-executable");
        assert_eq!(
            sniff(b"MZ\x90\0\x03"),
            "application/vnd.microsoft.portable-executable"
        );
        assert_eq!(sniff(b"\xcf\xfa\xed\xfe\x07"), "application/x-mach-binary");
        assert_eq!(sniff(b"#!/bin/sh\nrm -rf /"), "text/x-shellscript");
        assert_eq!(
            sniff(b"\n  <!DOCTYPE html><html><script>alert(1)</script>"),
            "text/html"
        );
        assert_eq!(sniff(b"<IMG SRC=x onerror=alert(1)>"), "text/html");
        assert_eq!(
            sniff(b"hello <input autofocus onfocus=alert(1)>"),
            "text/html"
        );
        assert_eq!(sniff(b"<a/href=javascript:x>"), "text/html");
        assert_eq!(
            sniff(b"<s:svg xmlns:s=\"http://www.w3.org/2000/svg\"/>"),
            "image/svg+xml"
        );
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><svg onload=\"x\"/>"),
            "image/svg+xml"
        );
        assert_eq!(sniff(b"<?xml version=\"1.0\"?><note/>"), "application/xml");
        assert_eq!(sniff(b"\0\x01\x02binary"), "application/octet-stream");
        assert_eq!(sniff(b"\x1f\x8b\x08"), "application/x-archive");
    }

    #[test]
    fn office_files_are_told_from_other_zips() {
        assert_eq!(
            sniff(b"PK\x03\x04\x14\0\0\0\x08\0[Content_Types].xml...word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(
            sniff(b"PK\x03\x04\0\0mimetypeapplication/vnd.oasis.opendocument.text"),
            "application/vnd.oasis.opendocument.text"
        );
        assert_eq!(sniff(b"PK\x03\x04\x14\0evil.exe"), "application/zip");
        assert_eq!(sniff(b"PK\x03\x04\x14\0password/word/x"), "application/zip");
        assert_eq!(
            sniff(b"PK\x03\x04[Content_Types].xml word/document.xml word/vbaProject.bin"),
            "application/zip"
        );
    }

    #[test]
    fn text_in_other_encodings_is_text() {
        assert_eq!(sniff(b"\xff\xfeH\0i\0"), "text/plain");
        // Windows-1251 and Windows-1250, as older editors save them.
        assert_eq!(
            sniff(b"\xcf\xee\xf1\xfb\xeb\xea\xe0 \xed\xe5 \xef\xf0\xe8\xf8\xeb\xe0"),
            "text/plain"
        );
        assert_eq!(sniff(b"Paczka zagin\xea\xb3a"), "text/plain");
    }

    #[test]
    fn text_cut_inside_a_character_is_still_text() {
        let text = "Посылка".repeat(2000);
        let head = &text.as_bytes()[..HEAD_BYTES - 1];
        assert_eq!(sniff(head), "text/plain");
    }

    #[test]
    fn the_default_list_refuses_programs_markup_and_archives() {
        for kind in ["application/pdf", "image/png", "text/plain", "video/mp4"] {
            assert!(allowed(kind, DEFAULT_TYPES), "{kind}");
        }
        for kind in [
            "application/x-executable",
            "application/vnd.microsoft.portable-executable",
            "text/x-shellscript",
            "text/html",
            "image/svg+xml",
            "application/zip",
            "application/octet-stream",
        ] {
            assert!(!allowed(kind, DEFAULT_TYPES), "{kind}");
        }
        assert!(allowed("text/html", "text/plain, text/html"));
    }

    #[test]
    fn file_names_lose_paths_and_anything_that_could_break_a_header() {
        let name = |raw: &str| file_name(raw, "application/pdf");
        assert_eq!(name("../../etc/passwd"), "passwd.pdf");
        assert_eq!(name("C:\\Users\\ann\\receipt.pdf"), "receipt.pdf");
        assert_eq!(name("a\"b;c\r\n.pdf"), "abc.pdf");
        assert_eq!(name(".htaccess"), "htaccess.pdf");
        assert_eq!(name("   "), "file.pdf");
        assert_eq!(name("квитанция.PDF"), "квитанция.PDF");
        assert_eq!(name("invoice\u{202e}fdp.exe"), "invoicefdp.exe.pdf");
        assert!(name(&"x".repeat(500)).chars().count() <= 200);
    }

    #[test]
    fn a_file_is_offered_with_an_extension_of_what_it_is() {
        assert_eq!(file_name("run.bat", "text/plain"), "run.bat.txt");
        assert_eq!(file_name("notes.TXT", "text/plain"), "notes.TXT");
        assert_eq!(file_name("contract.pdf", "image/png"), "contract.pdf.png");
        assert_eq!(file_name("photo.jpeg", "image/jpeg"), "photo.jpeg");
        assert_eq!(file_name("x", "application/octet-stream"), "x.bin");
    }
}
