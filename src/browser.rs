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
    /// The frame loops that run: each one's timer and the number of the
    /// start it runs for.
    static TIMERS: RefCell<Vec<(Timer, u32)>> = const { RefCell::new(Vec::new()) };
    static NEXT_TIMER: RefCell<u32> = const { RefCell::new(0) };
}

/// A frame loop that can be started, ended and started again. A plain id, so
/// it can be held by reactive cleanups that must be `Send`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timer(u32);

impl Timer {
    /// A timer that does not run yet.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Timer {
        Timer(next_number())
    }

    /// Calls `tick` once before each frame the browser draws
    /// (`requestAnimationFrame`), for as long as it returns true and the
    /// timer is not cancelled; nothing when the timer runs already. Work done
    /// there is followed by the rest of the frame to paint in, and stops
    /// while the page is hidden (a hidden tab gets no frames). Nothing stays
    /// allocated once the loop ends.
    pub fn start(self, tick: impl FnMut() -> bool + 'static) {
        if self.run().is_some() {
            return;
        }
        // A frame asked for by an earlier run, cancelled since, is not this
        // run's: each run has its own number.
        let run = next_number();
        TIMERS.with(|timers| timers.borrow_mut().push((self, run)));
        next_frame(self, run, Rc::new(RefCell::new(tick)));
    }

    /// Ends the loop: its next frame calls nothing and asks for no more.
    pub fn cancel(self) {
        TIMERS.with(|timers| timers.borrow_mut().retain(|&(timer, _)| timer != self));
    }

    fn run(self) -> Option<u32> {
        TIMERS.with(|timers| {
            timers
                .borrow()
                .iter()
                .find(|&&(timer, _)| timer == self)
                .map(|&(_, run)| run)
        })
    }
}

/// A number not handed out before: for timers and for their runs.
fn next_number() -> u32 {
    NEXT_TIMER.with(|next| {
        let mut next = next.borrow_mut();
        *next += 1;
        *next
    })
}

type Tick = Rc<RefCell<dyn FnMut() -> bool>>;

/// Asks for the next frame of `run`, with a callback that frees itself once
/// called.
fn next_frame(timer: Timer, run: u32, tick: Tick) {
    let callback = Closure::once_into_js(move || {
        if timer.run() == Some(run) {
            let again = (tick.borrow_mut())();
            if again {
                next_frame(timer, run, tick);
            } else {
                timer.cancel();
            }
        }
    });
    let _ = window().request_animation_frame(callback.unchecked_ref());
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
