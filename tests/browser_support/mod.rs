//! What every browser test does with the page: find controls by their
//! `data-testid` inside the element the console was mounted in, and act on
//! them as a user would (a click, typing with an `input` event, choosing an
//! option with a `change` event). Each test file implements [`Page`] for its
//! own mounted console.
#![allow(dead_code)]

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

/// Lets the reactive system settle after an action.
pub async fn settle() {
    TimeoutFuture::new(20).await;
}

/// Adds the console's stylesheet to the page once, so layout (scrolling
/// lists, sizes) is what a user sees.
pub fn use_stylesheet() {
    let document = web_sys::window().unwrap().document().unwrap();
    if document.get_element_by_id("console-stylesheet").is_some() {
        return;
    }
    let style = document.create_element("style").unwrap();
    style.set_id("console-stylesheet");
    style.set_text_content(Some(include_str!("../../style/main.css")));
    document.head().unwrap().append_child(&style).unwrap();
}

/// A bubbling DOM event, as a browser sends after user input.
pub fn event(name: &str) -> web_sys::Event {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    web_sys::Event::new_with_event_init_dict(name, &init).unwrap()
}

pub trait Page {
    /// The element the console was mounted in.
    fn root(&self) -> &HtmlElement;

    fn all(&self, testid: &str) -> Vec<Element> {
        let list = self
            .root()
            .query_selector_all(&format!("[data-testid='{testid}']"))
            .unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().unchecked_into())
            .collect()
    }

    fn one(&self, testid: &str) -> Element {
        self.find(testid)
            .unwrap_or_else(|| panic!("no element with data-testid {testid}"))
    }

    fn find(&self, testid: &str) -> Option<Element> {
        self.root()
            .query_selector(&format!("[data-testid='{testid}']"))
            .unwrap()
    }

    fn text(&self, testid: &str) -> String {
        self.one(testid).text_content().unwrap_or_default()
    }

    fn value(&self, testid: &str) -> String {
        self.one(testid)
            .unchecked_into::<HtmlInputElement>()
            .value()
    }

    fn click(&self, testid: &str) {
        self.one(testid).unchecked_into::<HtmlElement>().click();
    }

    /// Types into an input or a text area: the value, then `input`.
    fn type_into(&self, testid: &str, value: &str) {
        let element = self.one(testid);
        if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
            input.set_value(value);
        } else {
            element
                .unchecked_ref::<web_sys::HtmlTextAreaElement>()
                .set_value(value);
        }
        element.dispatch_event(&event("input")).unwrap();
    }

    /// Ticks or unticks a checkbox as a click would: the state, then `change`.
    fn set_checked(&self, testid: &str, checked: bool) {
        let input = self.one(testid).unchecked_into::<HtmlInputElement>();
        input.set_checked(checked);
        input.dispatch_event(&event("change")).unwrap();
    }

    fn checked(&self, testid: &str) -> bool {
        self.one(testid)
            .unchecked_into::<HtmlInputElement>()
            .checked()
    }

    /// Chooses an option as a user would: the value changes, then `change`.
    fn choose(&self, testid: &str, value: &str) {
        let select = self.one(testid).unchecked_into::<HtmlSelectElement>();
        select.set_value(value);
        select.dispatch_event(&event("change")).unwrap();
    }

    fn selected(&self, testid: &str) -> String {
        self.one(testid)
            .unchecked_into::<HtmlSelectElement>()
            .value()
    }
}
