use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RolesProps {
    pub roles: Vec<String>,
}

/// Role badges, or a plain phrase when there are none.
#[component]
pub fn Roles(props: &RolesProps) -> Html {
    if props.roles.is_empty() {
        return html! { <span class="muted">{ "no special roles" }</span> };
    }
    html! {
        <span class="badges" data-testid="roles">
            { for props.roles.iter().map(|role| html! { <span class="badge">{ role.clone() }</span> }) }
        </span>
    }
}
