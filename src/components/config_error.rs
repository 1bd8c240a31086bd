use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConfigErrorProps {
    pub message: AttrValue,
}

/// Shown instead of the app when `/config.json` is unusable: says what is wrong and where to fix it.
#[component]
pub fn ConfigErrorPage(props: &ConfigErrorProps) -> Html {
    html! {
        <main class="container narrow" id="main">
            <section class="page-error" role="alert" data-testid="config-error">
                <h1>{ "Lanyard can't start" }</h1>
                <p>{ props.message.clone() }</p>
                <p>{ "Fix config.json next to index.html (see the README's Configuration section), then reload." }</p>
            </section>
        </main>
    }
}
