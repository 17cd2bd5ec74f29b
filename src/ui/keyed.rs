//! Keyed lists, all through one instantiation of Leptos's `For`.
//!
//! Each `<For>` with its own item, key and view types compiled to 8 to 16 KB
//! of wasm: the keyed diffing is monomorphised per list. Every list in the
//! console goes through [`keyed_list`] instead. Its items are [`Row`]s, a
//! string key and a boxed view, so the diffing is compiled once.
//!
//! Behaviour is `For`'s: a row whose key is still in the list keeps its DOM
//! nodes (and the focus inside them) and is not rendered again; a new key
//! renders its row; a key that left removes its row. So a key must change
//! whenever the row's content should be redrawn.

use leptos::prelude::*;
use std::sync::Arc;

/// One row of a keyed list: its key and how to draw it.
pub struct Row {
    key: String,
    view: Box<dyn FnOnce() -> AnyView + Send>,
}

impl Row {
    pub fn new(key: String, view: impl FnOnce() -> AnyView + Send + 'static) -> Row {
        Row {
            key,
            view: Box::new(view),
        }
    }
}

/// The rows `rows` returns, kept in step with it by key.
pub fn keyed_list(rows: impl Fn() -> Vec<Row> + Send + Sync + 'static) -> AnyView {
    erased(Arc::new(rows))
}

fn erased(rows: Arc<dyn Fn() -> Vec<Row> + Send + Sync>) -> AnyView {
    view! { <For each=move || rows() key=|row: &Row| row.key.clone() children=|row: Row| (row.view)() /> }
        .into_any()
}
