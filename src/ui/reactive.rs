//! Memos and effects whose computations are boxed, so Leptos's machinery for
//! them is compiled once per value type instead of once per closure.
//!
//! `Memo::new(closure)` monomorphises the memo's creation and its
//! recomputation for each closure (about 700 bytes of wasm each before
//! optimisation, 25 of them); `Effect::new` about 1.3 KB each. Behind a
//! `Box<dyn Fn>` every memo of one value type shares that code, and every
//! effect shares one copy.

use leptos::prelude::*;

/// A memo's computation, boxed.
type Compute<T> = Box<dyn Fn(Option<&T>) -> T + Send + Sync>;

/// A memo of `f`: recomputed when what it reads changes, and noticed by its
/// readers only when the value differs.
pub fn memo<T>(f: impl Fn() -> T + Send + Sync + 'static) -> Memo<T>
where
    T: PartialEq + Send + Sync + 'static,
{
    let f: Compute<T> = Box::new(move |_| f());
    Memo::new(f)
}

/// Runs `f` now and again whenever what it reads changes.
pub fn effect(f: impl Fn() + 'static) {
    let f: Box<dyn Fn(Option<()>)> = Box::new(move |_| f());
    Effect::new(f);
}
