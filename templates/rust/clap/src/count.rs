//! Counting the lines, words and bytes of a stream, the way `wc` does.

use std::fmt;
use std::io::{self, Read};

/// What [`count`] found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Newline characters, as `wc -l` counts them: a last line without
    /// one is not counted.
    pub lines: u64,
    /// Runs of characters that are not white space (Unicode's
    /// `White_Space`); bytes that are not valid UTF-8 count as word
    /// characters.
    pub words: u64,
    /// Bytes read.
    pub bytes: u64,
}

impl Counts {
    /// The counts as a JSON object: `{"lines":2,"words":3,"bytes":14}`.
    pub fn to_json(&self) -> String {
        format!(
            r#"{{"lines":{},"words":{},"bytes":{}}}"#,
            self.lines, self.words, self.bytes
        )
    }
}

/// Reads like `2 lines, 3 words, 14 bytes` (and `1 line`).
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

struct Plural(u64, &'static str);

impl fmt::Display for Plural {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self(n, unit) = *self;
        let s = if n == 1 { "" } else { "s" };
        write!(f, "{n} {unit}{s}")
    }
}

/// Counts `reader` to its end, in chunks, so the input may be larger than
/// memory. A character split between two reads is counted once. On a read
/// error the counts so far are lost: the error is all there is to say.
pub fn count(mut reader: impl Read) -> io::Result<Counts> {
    let mut counter = Counter::default();
    let mut buf = vec![0; 64 * 1024];
    // The first `kept` bytes of buf are the start of a character whose
    // other bytes the next read brings.
    let mut kept = 0;
    loop {
        let n = match reader.read(&mut buf[kept..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        counter.counts.bytes += n as u64;
        let filled = kept + n;
        kept = counter.text(&buf[..filled], false);
        buf.copy_within(filled - kept..filled, 0);
    }
    counter.text(&buf[..kept], true);
    Ok(counter.counts)
}

#[derive(Default)]
struct Counter {
    counts: Counts,
    in_word: bool,
}

impl Counter {
    /// Counts the lines and words of `bytes` and returns how many bytes
    /// at its end start a character that is not complete yet (none when
    /// `last`: then they are invalid, and count as a word character).
    fn text(&mut self, bytes: &[u8], last: bool) -> usize {
        let mut chunks = bytes.utf8_chunks().peekable();
        while let Some(chunk) = chunks.next() {
            for c in chunk.valid().chars() {
                self.char(c.is_whitespace(), c == '\n');
            }
            let invalid = chunk.invalid();
            if invalid.is_empty() {
                continue;
            }
            let incomplete = std::str::from_utf8(invalid).is_err_and(|e| e.error_len().is_none());
            if !last && incomplete && chunks.peek().is_none() {
                return invalid.len();
            }
            self.char(false, false);
        }
        0
    }

    fn char(&mut self, space: bool, newline: bool) {
        if newline {
            self.counts.lines += 1;
        }
        if !space && !self.in_word {
            self.counts.words += 1;
        }
        self.in_word = !space;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(lines: u64, words: u64, bytes: u64) -> Counts {
        Counts {
            lines,
            words,
            bytes,
        }
    }

    #[test]
    fn counts_lines_words_and_bytes() {
        let cases: &[(&[u8], Counts)] = &[
            (b"", counts(0, 0, 0)),
            (b"one two\nthree\n", counts(2, 3, 14)),
            (b"no newline at the end", counts(0, 5, 21)),
            (b"  spaced   out \t\n\n", counts(2, 2, 18)),
            (b"\r\n", counts(1, 0, 2)),
            // U+3000 IDEOGRAPHIC SPACE separates words; U+00E9 is a letter.
            ("caf\u{e9}\u{3000}cr\u{e8}me".as_bytes(), counts(0, 2, 14)),
            // Bytes that are not UTF-8 are word characters.
            (b"a \xff\xfe b", counts(0, 3, 6)),
        ];
        for (input, want) in cases {
            assert_eq!(count(*input).unwrap(), *want, "input {input:?}");
        }
    }

    /// A reader that hands out one byte per read, so every multi-byte
    /// character is split between reads.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some((first, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            buf[0] = *first;
            self.0 = rest;
            Ok(1)
        }
    }

    #[test]
    fn counts_characters_split_between_reads() {
        let text = "\u{3000}caf\u{e9}\u{3000}\u{1f980}\n";
        assert_eq!(
            count(Trickle(text.as_bytes())).unwrap(),
            count(text.as_bytes()).unwrap()
        );
        assert_eq!(count(Trickle(text.as_bytes())).unwrap(), counts(1, 2, 16));
        // A character cut short at the end of input is one word character.
        assert_eq!(count(Trickle(b"ab \xe3\x80")).unwrap(), counts(0, 2, 5));
    }

    #[test]
    fn read_errors_are_returned() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        let err = count(Broken).unwrap_err();
        assert_eq!(err.to_string(), "disk on fire");
    }

    #[test]
    fn displays_like_a_sentence() {
        assert_eq!(counts(2, 3, 14).to_string(), "2 lines, 3 words, 14 bytes");
        assert_eq!(counts(1, 1, 1).to_string(), "1 line, 1 word, 1 byte");
        assert_eq!(counts(0, 0, 0).to_string(), "0 lines, 0 words, 0 bytes");
    }

    #[test]
    fn prints_json() {
        assert_eq!(
            counts(2, 3, 14).to_json(),
            r#"{"lines":2,"words":3,"bytes":14}"#
        );
    }
}
