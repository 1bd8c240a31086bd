use web_sys::{HtmlElement, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::SaveState;

/// What a note form shows and does. Plain data, not a component's props: the form is a function its page
/// calls (a component per form would ship a copy of Yew's lifecycle for it), and its focus handling is the
/// page's hook ([`use_form_focus`]).
pub struct NoteFormProps {
    /// Prefix of the fields' ids; unique on the page.
    pub id: &'static str,
    pub title: String,
    pub body: String,
    pub title_error: Option<AttrValue>,
    pub body_error: Option<AttrValue>,
    /// A problem with the whole form (network, session, server).
    pub form_error: Option<AttrValue>,
    pub pending: bool,
    pub on_title: Callback<String>,
    pub on_body: Callback<String>,
    pub on_submit: Callback<()>,
    /// Extra actions next to the submit button.
    pub children: Html,
}

/// The nodes of a note form that take focus: the title (also focused by the page, e.g. after a save, ready
/// for the next note), the body and the form's message.
#[derive(Clone, PartialEq)]
pub struct FormFocus {
    pub title: NodeRef,
    body: NodeRef,
    error: NodeRef,
}

/// A note form's focus: after each failed save (`failures` bumped) it moves to the first problem, a field or
/// else the form's message. Called by the page on every render, whether or not the form is shown yet.
#[hook]
pub fn use_form_focus(save: &SaveState) -> FormFocus {
    let focus = FormFocus {
        title: use_node_ref(),
        body: use_node_ref(),
        error: use_node_ref(),
    };
    let first_problem = if save.errors.title.is_some() {
        focus.title.clone()
    } else if save.errors.body.is_some() {
        focus.body.clone()
    } else {
        focus.error.clone()
    };
    use_effect_with(save.failures, move |failures| {
        if *failures > 0 {
            if let Some(element) = first_problem.cast::<HtmlElement>() {
                let _ = element.focus();
            }
        }
    });
    focus
}

/// The title and body of a note, with the server's per-field messages inline.
/// The submit button keeps its name while saving (only disabled and busy), so it is always findable.
pub fn note_form(props: NoteFormProps, focus: &FormFocus) -> Html {
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
                <input id={title_id.clone()} name="title" type="text" autocomplete="off" ref={focus.title.clone()}
                    value={props.title} oninput={on_title} aria-required="true"
                    aria-invalid={invalid(&props.title_error)}
                    aria-describedby={format!("{title_id}-hint {title_id}-error")}
                    data-testid="note-title-input" />
                <p id={format!("{title_id}-hint")} class="field-hint">{ "Required, up to 120 characters." }</p>
                { field_error(&title_id, "note-title-error", &props.title_error) }
            </div>
            <div class="field">
                <label for={body_id.clone()}>{ "Body" }</label>
                <textarea id={body_id.clone()} name="body" rows="8" ref={focus.body.clone()}
                    value={props.body} oninput={on_body}
                    aria-invalid={invalid(&props.body_error)}
                    aria-describedby={format!("{body_id}-hint {body_id}-error")}
                    data-testid="note-body-input" />
                <p id={format!("{body_id}-hint")} class="field-hint">{ "Optional, up to 10,000 characters." }</p>
                { field_error(&body_id, "note-body-error", &props.body_error) }
            </div>
            <p id={error_id} class="field-error form-error" role="alert" tabindex="-1" ref={focus.error.clone()}
                data-testid="note-form-error" hidden={props.form_error.is_none()}>
                { props.form_error.clone().unwrap_or_default() }
            </p>
            <div class="form-actions">
                <button class="button button-primary" type="submit" disabled={props.pending}
                    aria-busy={props.pending.then_some("true")} data-testid="note-save">
                    if props.pending { <span class="spinner spinner-small" aria-hidden="true"></span> }
                    { "Save note" }
                </button>
                { props.children }
            </div>
        </form>
    }
}
