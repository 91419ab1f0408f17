//! Counting the lines, words and bytes of a text, the way `wc` does. Plain
//! Rust: the tests run natively with `cargo test`.

use std::fmt;

use wasm_bindgen::prelude::*;

/// What `count` found: in JavaScript an object with the read-only number
/// properties `lines`, `words` and `bytes`.
///
/// The counts are `usize`, a JavaScript number: on wasm32 that is 32 bits,
/// as many as the module's memory can hold bytes.
#[wasm_bindgen]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Newline characters, as `wc -l` counts them: a last line without
    /// one is not counted.
    #[wasm_bindgen(readonly)]
    pub lines: usize,
    /// Runs of characters that are not white space (Unicode's
    /// `White_Space`).
    #[wasm_bindgen(readonly)]
    pub words: usize,
    /// The length of the text in UTF-8.
    #[wasm_bindgen(readonly)]
    pub bytes: usize,
}

#[wasm_bindgen]
impl Counts {
    /// Reads like `2 lines, 3 words, 14 bytes` (and `1 line`): what
    /// `String(counts)` and template literals give in JavaScript.
    #[wasm_bindgen(js_name = toString)]
    pub fn sentence(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {}, {}",
            Plural(self.lines, "line"),
            Plural(self.words, "word"),
            Plural(self.bytes, "byte")
        )
    }
}

struct Plural(usize, &'static str);

impl fmt::Display for Plural {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self(n, unit) = *self;
        let s = if n == 1 { "" } else { "s" };
        write!(f, "{n} {unit}{s}")
    }
}

/// Counts the lines, words and bytes of `text`.
pub fn count(text: &str) -> Counts {
    Counts {
        lines: text.bytes().filter(|&b| b == b'\n').count(),
        words: text.split_whitespace().count(),
        bytes: text.len(),
    }
}

/// Why [`count_utf8`] refused its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotUtf8 {
    /// Where the first byte that is not part of a UTF-8 character is.
    pub offset: usize,
}

impl fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the input is not UTF-8: invalid byte at offset {}",
            self.offset
        )
    }
}

impl std::error::Error for NotUtf8 {}

/// Counts `bytes` as [`count`] counts text, once they are known to be
/// UTF-8; a character cut short at the end is not UTF-8 either.
pub fn count_utf8(bytes: &[u8]) -> Result<Counts, NotUtf8> {
    std::str::from_utf8(bytes)
        .map(count)
        .map_err(|err| NotUtf8 {
            offset: err.valid_up_to(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(lines: usize, words: usize, bytes: usize) -> Counts {
        Counts {
            lines,
            words,
            bytes,
        }
    }

    #[test]
    fn counts_lines_words_and_bytes() {
        let cases = [
            ("", counts(0, 0, 0)),
            ("one two\nthree\n", counts(2, 3, 14)),
            ("no newline at the end", counts(0, 5, 21)),
            ("  spaced   out \t\n\n", counts(2, 2, 18)),
            ("\r\n", counts(1, 0, 2)),
            // U+3000 IDEOGRAPHIC SPACE separates words; U+00E9 is a letter.
            ("caf\u{e9}\u{3000}cr\u{e8}me", counts(0, 2, 14)),
        ];
        for (text, want) in cases {
            assert_eq!(count(text), want, "text {text:?}");
        }
    }

    #[test]
    fn counts_utf8_bytes() {
        assert_eq!(count_utf8(b"one two\nthree\n"), Ok(counts(2, 3, 14)));
        assert_eq!(count_utf8("\u{1f980}\n".as_bytes()), Ok(counts(1, 1, 5)));
    }

    #[test]
    fn refuses_bytes_that_are_not_utf8() {
        assert_eq!(count_utf8(b"ab \xff cd"), Err(NotUtf8 { offset: 3 }));
        // A character cut short at the end.
        assert_eq!(count_utf8(b"ab \xe3\x80"), Err(NotUtf8 { offset: 3 }));
        assert_eq!(
            NotUtf8 { offset: 3 }.to_string(),
            "the input is not UTF-8: invalid byte at offset 3"
        );
    }

    #[test]
    fn displays_like_a_sentence() {
        assert_eq!(counts(2, 3, 14).to_string(), "2 lines, 3 words, 14 bytes");
        assert_eq!(counts(1, 1, 1).sentence(), "1 line, 1 word, 1 byte");
        assert_eq!(counts(0, 0, 0).to_string(), "0 lines, 0 words, 0 bytes");
    }
}
