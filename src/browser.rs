//! Browser-only glue: the one place that touches `window`, timers and storage,
//! so the rest of the crate stays testable without a browser.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

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
    /// The frame loops still running, by id.
    static TIMERS: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    static NEXT_TIMER: RefCell<u32> = const { RefCell::new(0) };
}

/// A frame loop, cancelled with [`Timer::cancel`]. A plain id, so it can be
/// held by reactive cleanups that must be `Send`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timer(u32);

impl Timer {
    /// Stops the loop: its next frame calls nothing and asks for no more.
    pub fn cancel(self) {
        TIMERS.with(|timers| timers.borrow_mut().retain(|&id| id != self.0));
    }

    fn running(self) -> bool {
        TIMERS.with(|timers| timers.borrow().contains(&self.0))
    }
}

type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut()>>>>;

fn next_frame(callback: &FrameCallback) {
    if let Some(callback) = callback.borrow().as_ref() {
        let _ = window().request_animation_frame(callback.as_ref().unchecked_ref());
    }
}

/// Calls `tick` once before each frame the browser draws
/// (`requestAnimationFrame`) until cancelled. Work done there is followed by
/// the rest of the frame to paint in, and stops while the page is hidden.
pub fn every_frame(mut tick: impl FnMut() + 'static) -> Timer {
    let timer = NEXT_TIMER.with(|next| {
        let mut next = next.borrow_mut();
        *next += 1;
        Timer(*next)
    });
    TIMERS.with(|timers| timers.borrow_mut().push(timer.0));
    let callback: FrameCallback = Rc::default();
    let again = callback.clone();
    // The callback holds itself to ask for the next frame. Once cancelled it
    // asks for none, and stays allocated: one small closure per console.
    *callback.borrow_mut() = Some(Closure::new(move || {
        if timer.running() {
            tick();
            next_frame(&again);
        }
    }));
    next_frame(&callback);
    timer
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
