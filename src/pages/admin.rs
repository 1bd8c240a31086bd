use yew::prelude::*;

#[component]
pub fn Admin() -> Html {
    html! { <h1>{ "Admin" }</h1> }
}
