use yew::prelude::*;

#[component]
pub fn Home() -> Html {
    html! { <h1>{ "Dashboard" }</h1> }
}
