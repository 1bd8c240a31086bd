use web_sys::HtmlElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConfirmDeleteProps {
    /// What is deleted, as the user knows it (a note's title).
    pub subject: AttrValue,
    pub on_confirm: Callback<()>,
    /// The deletion is under way: the buttons are disabled.
    #[prop_or_default]
    pub pending: bool,
}

/// A Delete button that asks "are you sure?" in place, without a modal or `window.confirm`.
/// Focus goes to Cancel (the safe choice) when it asks, and back to Delete when cancelled; Escape cancels.
#[component]
pub fn ConfirmDelete(props: &ConfirmDeleteProps) -> Html {
    let asking = use_state(bool::default);
    let delete_ref = use_node_ref();
    let cancel_ref = use_node_ref();
    // Focus follows the question only after the user acted, never on first render.
    let acted = use_mut_ref(|| false);
    {
        let (delete_ref, cancel_ref, acted) =
            (delete_ref.clone(), cancel_ref.clone(), acted.clone());
        use_effect_with(*asking, move |asking| {
            if !*acted.borrow() {
                return;
            }
            let target = if *asking { cancel_ref } else { delete_ref };
            if let Some(element) = target.cast::<HtmlElement>() {
                let _ = element.focus();
            }
        });
    }
    let set_asking = |value: bool| {
        let (asking, acted) = (asking.clone(), acted.clone());
        Callback::from(move |_: MouseEvent| {
            *acted.borrow_mut() = true;
            asking.set(value);
        })
    };
    let onkeydown = {
        let (asking, acted) = (asking.clone(), acted.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                *acted.borrow_mut() = true;
                asking.set(false);
            }
        })
    };
    let confirm = {
        let on_confirm = props.on_confirm.clone();
        Callback::from(move |_: MouseEvent| on_confirm.emit(()))
    };
    let subject = props.subject.clone();
    if !*asking {
        return html! {
            <button type="button" class="button button-danger-quiet" ref={delete_ref}
                onclick={set_asking(true)} aria-label={format!("Delete “{subject}”")} data-testid="note-delete">
                { "Delete" }
            </button>
        };
    }
    html! {
        <div class="confirm" role="group" aria-label={format!("Confirm deleting “{subject}”")} {onkeydown}>
            <span class="confirm-question">{ format!("Delete “{subject}”? This can't be undone.") }</span>
            <button type="button" class="button button-danger" onclick={confirm} disabled={props.pending}
                aria-busy={props.pending.then_some("true")} data-testid="note-delete-confirm">
                { if props.pending { "Deleting…" } else { "Yes, delete" } }
            </button>
            <button type="button" class="button button-quiet" ref={cancel_ref} onclick={set_asking(false)}
                disabled={props.pending} data-testid="note-delete-cancel">
                { "Cancel" }
            </button>
        </div>
    }
}
