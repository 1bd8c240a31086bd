use yew::prelude::*;

#[component]
pub fn Lab() -> Html {
    html! { <h1>{ "Lab" }</h1> }
}
