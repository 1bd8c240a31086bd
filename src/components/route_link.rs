//! In-app links as a function rather than yew-router's `Link` component: the same `<a class href>` and the
//! same click handling, without a component instance per link (and without `Link`'s generic query and state
//! support, which this app never uses, in the bundle).

use crate::routes::Route;
use yew::prelude::*;
use yew_router::history::{BrowserHistory, History};

/// A link to `to`. A real `<a href>`, so a new tab, a copied address or a modifier-click work as anywhere;
/// a plain click stays in the app. The router listens to the browser history, which is one instance per page
/// (`BrowserHistory::new` hands out that one), so pushing here is what `Link` does through the navigator.
pub fn route_link(to: Route, classes: Classes, children: Html) -> Html {
    let href = AttrValue::from(to.to_path());
    let onclick = {
        let href = href.clone();
        Callback::from(move |e: MouseEvent| {
            if e.meta_key() || e.ctrl_key() || e.shift_key() || e.alt_key() {
                return;
            }
            e.prevent_default();
            BrowserHistory::new().push(href.as_str());
        })
    };
    html! { <a class={classes} {href} {onclick}>{ children }</a> }
}
