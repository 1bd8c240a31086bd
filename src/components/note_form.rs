use web_sys::{HtmlElement, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NoteFormProps {
    /// Prefix of the fields' ids; unique on the page.
    pub id: AttrValue,
    pub title: AttrValue,
    pub body: AttrValue,
    #[prop_or_default]
    pub title_error: Option<AttrValue>,
    #[prop_or_default]
    pub body_error: Option<AttrValue>,
    /// A problem with the whole form (network, session, server).
    #[prop_or_default]
    pub form_error: Option<AttrValue>,
    /// Bumped by the page on every failed save, so focus moves to the first problem each time.
    #[prop_or_default]
    pub error_seq: u32,
    pub pending: bool,
    #[prop_or(AttrValue::Static("Save note"))]
    pub submit_label: AttrValue,
    pub on_title: Callback<String>,
    pub on_body: Callback<String>,
    pub on_submit: Callback<()>,
    /// Lets the page focus the title field (e.g. after a save, ready for the next note).
    #[prop_or_default]
    pub title_ref: NodeRef,
    /// Extra actions next to the submit button.
    #[prop_or_default]
    pub children: Html,
}

/// The title and body of a note, with the server's per-field messages inline.
/// The submit button keeps its name while saving (only disabled and busy), so it is always findable.
#[component]
pub fn NoteForm(props: &NoteFormProps) -> Html {
    let body_ref = use_node_ref();
    let error_ref = use_node_ref();
    {
        let first_problem = if props.title_error.is_some() {
            props.title_ref.clone()
        } else if props.body_error.is_some() {
            body_ref.clone()
        } else {
            error_ref.clone()
        };
        use_effect_with(props.error_seq, move |seq| {
            if *seq > 0 {
                if let Some(element) = first_problem.cast::<HtmlElement>() {
                    let _ = element.focus();
                }
            }
        });
    }

    let id = &props.id;
    let (title_id, body_id, error_id) = (
        format!("{id}-title"),
        format!("{id}-body"),
        format!("{id}-error"),
    );
    let on_title = props
        .on_title
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let on_body = props
        .on_body
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlTextAreaElement>().value());
    let onsubmit = {
        let (on_submit, pending) = (props.on_submit.clone(), props.pending);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !pending {
                on_submit.emit(());
            }
        })
    };
    let invalid = |error: &Option<AttrValue>| error.is_some().then_some("true");
    // Always rendered (hidden when empty): a child that comes and goes would make Yew's unkeyed diff
    // replace the input before it, and the user would lose focus mid-word.
    let field_error = |field_id: &str, testid: &'static str, error: &Option<AttrValue>| {
        html! {
            <p id={format!("{field_id}-error")} class="field-error" data-testid={testid} hidden={error.is_none()}>
                { error.clone().unwrap_or_default() }
            </p>
        }
    };
    html! {
        <form class="note-form" onsubmit={onsubmit} novalidate=true aria-describedby={error_id.clone()}>
            <div class="field">
                <label for={title_id.clone()}>{ "Title" }</label>
                <input id={title_id.clone()} name="title" type="text" autocomplete="off" ref={props.title_ref.clone()}
                    value={props.title.clone()} oninput={on_title} aria-required="true"
                    aria-invalid={invalid(&props.title_error)}
                    aria-describedby={format!("{title_id}-hint {title_id}-error")}
                    data-testid="note-title-input" />
                <p id={format!("{title_id}-hint")} class="field-hint">{ "Required, up to 120 characters." }</p>
                { field_error(&title_id, "note-title-error", &props.title_error) }
            </div>
            <div class="field">
                <label for={body_id.clone()}>{ "Body" }</label>
                <textarea id={body_id.clone()} name="body" rows="8" ref={body_ref}
                    value={props.body.clone()} oninput={on_body}
                    aria-invalid={invalid(&props.body_error)}
                    aria-describedby={format!("{body_id}-hint {body_id}-error")}
                    data-testid="note-body-input" />
                <p id={format!("{body_id}-hint")} class="field-hint">{ "Optional, up to 10,000 characters." }</p>
                { field_error(&body_id, "note-body-error", &props.body_error) }
            </div>
            <p id={error_id} class="field-error form-error" role="alert" tabindex="-1" ref={error_ref}
                data-testid="note-form-error" hidden={props.form_error.is_none()}>
                { props.form_error.clone().unwrap_or_default() }
            </p>
            <div class="form-actions">
                <button class="button button-primary" type="submit" disabled={props.pending}
                    aria-busy={props.pending.then_some("true")} data-testid="note-save">
                    if props.pending { <span class="spinner spinner-small" aria-hidden="true"></span> }
                    { props.submit_label.clone() }
                </button>
                { props.children.clone() }
            </div>
        </form>
    }
}
