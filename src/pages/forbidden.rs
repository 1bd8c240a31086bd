use crate::components::route_link;
use crate::routes::Route;
use yew::prelude::*;

/// 403: signed in, but without the role this page needs. Not a redirect, so never a loop.
pub fn forbidden() -> Html {
    html! {
        <section class="status-page" data-testid="forbidden">
            <p class="status-code" aria-hidden="true">{ "403" }</p>
            <h1>{ "You don't have access to this page" }</h1>
            <p>{ "Your account doesn't have the role this page needs. If you think it should, ask an administrator." }</p>
            { route_link(Route::Home, "button".into(), html! { "Back to the dashboard" }) }
        </section>
    }
}
