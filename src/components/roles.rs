use yew::prelude::*;

/// Role badges, or a plain phrase when there are none.
pub fn roles(roles: &[String]) -> Html {
    if roles.is_empty() {
        return html! { <span class="muted">{ "no special roles" }</span> };
    }
    html! {
        <span class="badges" data-testid="roles">
            { for roles.iter().map(|role| html! { <span class="badge">{ role.clone() }</span> }) }
        </span>
    }
}
