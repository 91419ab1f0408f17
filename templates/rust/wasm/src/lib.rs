//! Count lines, words and bytes: Rust compiled to WebAssembly and called
//! from JavaScript through [wasm-bindgen](https://wasm-bindgen.github.io/wasm-bindgen/).
//!
//! This file is the JavaScript API: each `#[wasm_bindgen]` item is
//! exported to JavaScript, with the name `js_name` gives it. The work is
//! done in plain Rust modules (`count`), which `cargo test` tests
//! natively; `js/count.test.mjs` tests this API from Node.js.

use wasm_bindgen::prelude::*;

mod count;

pub use count::{Counts, NotUtf8};

/// Counts the lines, words and bytes (in UTF-8) of a string.
#[wasm_bindgen]
pub fn count(text: &str) -> Counts {
    count::count(text)
}

/// Counts bytes that must be UTF-8 (a file's content, a `fetch` body) as
/// `count` counts a string; throws an `Error` saying where the first byte
/// that is not UTF-8 is.
#[wasm_bindgen(js_name = countBytes)]
pub fn count_bytes(bytes: &[u8]) -> Result<Counts, JsError> {
    count::count_utf8(bytes).map_err(JsError::from)
}
