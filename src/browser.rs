//! Browser-only glue: the one place that touches `window`, timers and storage,
//! so the rest of the crate stays testable without a browser.

use crate::governance::fast_hash::FastMap;
use gloo_timers::callback::Interval;
use std::cell::RefCell;

/// The page's `window`; the console only ever runs inside one.
pub fn window() -> web_sys::Window {
    web_sys::window().expect("the console runs in a browser window")
}

/// The page address's fragment, with its `#` (empty when there is none).
pub fn location_hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// Milliseconds from a monotonic clock, for measuring work per frame.
pub fn now_ms() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

thread_local! {
    static TIMERS: RefCell<FastMap<u32, Interval>> = RefCell::new(FastMap::default());
    static NEXT_TIMER: RefCell<u32> = const { RefCell::new(0) };
}

/// A repeating timer, cancelled with [`Timer::cancel`]. A plain id, so it can be
/// held by reactive cleanups that must be `Send`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timer(u32);

impl Timer {
    pub fn cancel(self) {
        TIMERS.with(|timers| timers.borrow_mut().remove(&self.0));
    }
}

/// Calls `tick` every `millis` milliseconds until cancelled.
pub fn every(millis: u32, tick: impl FnMut() + 'static) -> Timer {
    let id = NEXT_TIMER.with(|next| {
        let mut next = next.borrow_mut();
        *next += 1;
        *next
    });
    let interval = Interval::new(millis, tick);
    TIMERS.with(|timers| timers.borrow_mut().insert(id, interval));
    Timer(id)
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// What the console saved under `key`, if storage is available.
pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Saves a value; a full or unavailable storage is not an error worth
/// interrupting a reviewer for, so failures are ignored.
pub fn save(key: &str, value: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, value);
    }
}

pub fn forget(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
}
