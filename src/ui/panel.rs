//! A labelled region of the console: a `<section>` named by its heading, with a
//! stable `data-testid` for tests and users' own automation.

use leptos::prelude::*;

#[component]
pub fn Panel(
    /// Stable test id, also the stem of the heading's id.
    testid: &'static str,
    title: &'static str,
    children: Children,
) -> impl IntoView {
    let heading_id = format!("{testid}-heading");
    let labelled_by = heading_id.clone();
    view! {
        <section class="panel" data-testid=testid aria-labelledby=labelled_by>
            <h2 class="panel-title" id=heading_id>
                {title}
            </h2>
            {children()}
        </section>
    }
}
