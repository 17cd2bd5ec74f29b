#![cfg(target_arch = "wasm32")]
//! The console shell mounts in a real browser with every panel labelled.

use agent_governance_console::ui::Console;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_container() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let container = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&container).unwrap();
    container.unchecked_into()
}

#[wasm_bindgen_test]
fn the_shell_shows_the_product_and_every_labelled_panel() {
    let container = fresh_container();
    let _mounted = leptos::mount::mount_to(container.clone(), || view! { <Console /> });

    let title = container.query_selector("h1").unwrap().expect("a title");
    assert_eq!(title.text_content().unwrap(), "Agent Governance Console");

    for (testid, heading) in [
        ("panel-kill-switch", "Kill switch"),
        ("panel-fleet", "Fleet"),
        ("panel-inbox", "Escalation inbox"),
        ("panel-policies", "Policies"),
        ("panel-charts", "Spending"),
        ("panel-audit", "Audit trail"),
    ] {
        let panel = container
            .query_selector(&format!("[data-testid='{testid}']"))
            .unwrap()
            .unwrap_or_else(|| panic!("panel {testid} is missing"));
        let label_id = panel.get_attribute("aria-labelledby").expect("labelled");
        let label = container
            .query_selector(&format!("#{label_id}"))
            .unwrap()
            .unwrap_or_else(|| panic!("{testid} names a missing heading"));
        assert_eq!(label.text_content().unwrap(), heading);
    }
}
