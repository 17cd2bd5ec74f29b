//! The part of wasm-streams' API that server_fn's browser client names, for a
//! console that never calls a server function (see Cargo.toml). A stream
//! built here is the raw JS stream it was given; converting it to a Rust
//! stream yields nothing, and building one from a Rust stream is refused.

use futures_util::stream::{self, Empty};
use wasm_bindgen::JsValue;

pub mod readable {
    pub use super::ReadableStream;
}

/// A JS `ReadableStream`, held as is.
pub struct ReadableStream {
    raw: web_sys::ReadableStream,
}

impl ReadableStream {
    pub fn from_raw(raw: web_sys::ReadableStream) -> Self {
        Self { raw }
    }

    /// Unreachable in the console: only streaming server functions build
    /// request bodies from Rust streams.
    pub fn from_stream<St>(_stream: St) -> Self
    where
        St: futures_util::Stream<Item = Result<JsValue, JsValue>> + 'static,
    {
        panic!("the console calls no server functions")
    }

    pub fn into_raw(self) -> web_sys::ReadableStream {
        self.raw
    }

    /// An empty stream: no server ever answers the console.
    pub fn into_stream(self) -> Empty<Result<JsValue, JsValue>> {
        stream::empty()
    }
}
