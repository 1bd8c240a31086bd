use yew::prelude::*;

/// A busy indicator that screen readers announce. A function, not a component: it holds no state, and each
/// component costs the bundle its own copy of Yew's lifecycle.
pub fn loading(label: impl Into<AttrValue>) -> Html {
    html! {
        <div class="loading" role="status" aria-live="polite" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            <span>{ label.into() }</span>
        </div>
    }
}
