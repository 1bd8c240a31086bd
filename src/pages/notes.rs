use yew::prelude::*;

#[component]
pub fn Notes() -> Html {
    html! { <h1>{ "Notes" }</h1> }
}
