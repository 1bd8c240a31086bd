use yew::prelude::*;

/// Shown instead of the app when `/config.json` is unusable: says what is wrong and where to fix it.
/// A function the app's root calls, not a root of its own: a second root component would ship a second
/// copy of Yew's mounting and lifecycle code for one static page.
pub fn config_error_page(message: AttrValue) -> Html {
    html! {
        <main class="container narrow" id="main">
            <section class="page-error" role="alert" data-testid="config-error">
                <h1>{ "Lanyard can't start" }</h1>
                <p>{ message }</p>
                <p>{ "Fix config.json next to index.html (see the README's Configuration section), then reload." }</p>
            </section>
        </main>
    }
}
