//! Lists of views, each kind compiled once for the whole console.
//!
//! Keyed lists go through one instantiation of Leptos's `For`; plain lists
//! are `Vec<AnyView>` ([`CollectAny`]).
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

/// Collects views into a plain (unkeyed) list of one type, `Vec<AnyView>`,
/// whose rendering is compiled once; `collect_view()` compiled it once per
/// item type (about 4 KB of the gzipped wasm over the console's 18 lists).
pub trait CollectAny {
    fn collect_any(self) -> Vec<AnyView>;
}

impl<I> CollectAny for I
where
    I: Iterator,
    I::Item: IntoAny,
{
    fn collect_any(self) -> Vec<AnyView> {
        self.map(IntoAny::into_any).collect()
    }
}
