use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PageErrorProps {
    pub title: AttrValue,
    pub message: AttrValue,
    /// Shown as a "Try again" button when given.
    #[prop_or_default]
    pub retry: Option<Callback<()>>,
}

/// A page-level error (network or server trouble) with a retry button.
#[component]
pub fn PageError(props: &PageErrorProps) -> Html {
    let button_ref = use_node_ref();
    {
        // Move focus to the way out, so keyboard and screen-reader users land on it.
        let button_ref = button_ref.clone();
        use_effect_with(props.message.clone(), move |_| {
            if let Some(button) = button_ref.cast::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
        });
    }
    let retry = props.retry.clone().map(|retry| {
        let onclick = Callback::from(move |_: MouseEvent| retry.emit(()));
        html! { <button class="button" ref={button_ref} {onclick}>{ "Try again" }</button> }
    });
    html! {
        <section class="page-error" role="alert" data-testid="page-error">
            <h2>{ props.title.clone() }</h2>
            <p>{ props.message.clone() }</p>
            { for retry }
        </section>
    }
}
