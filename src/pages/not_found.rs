use crate::components::route_link;
use crate::routes::Route;
use yew::prelude::*;

/// 404: nothing at this address.
pub fn not_found() -> Html {
    html! {
        <section class="status-page" data-testid="not-found">
            <p class="status-code" aria-hidden="true">{ "404" }</p>
            <h1>{ "Page not found" }</h1>
            <p>{ "There is nothing at this address. It may have moved, or the link may be mistyped." }</p>
            { route_link(Route::Home, "button".into(), html! { "Go to the dashboard" }) }
        </section>
    }
}
