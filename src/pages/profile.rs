use yew::prelude::*;

#[component]
pub fn Profile() -> Html {
    html! { <h1>{ "Profile" }</h1> }
}
