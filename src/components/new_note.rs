use super::note_text::{field_callbacks, use_note_text, SaveErrors, SaveEvent, SaveState};
use super::{note_form, use_form_focus, NoteFormProps};
use crate::drafts::{draft_key, Draft};
use crate::pages::api::{self, Note, NoteInput};
use lanyard_client::Client;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NewNoteProps {
    pub client: Client,
    pub user_id: AttrValue,
    pub on_created: Callback<Note>,
}

/// The "new note" form. Its text is saved to sessionStorage on every keystroke and restored on mount, and
/// forgotten only once the server has the note — so an ended session or a reload loses nothing.
#[component]
pub fn NewNote(props: &NewNoteProps) -> Html {
    let text = use_note_text(draft_key(&props.user_id, None), Some(Draft::default()));
    let save = use_reducer(SaveState::default);
    let focus = use_form_focus(&save);
    let title_ref = focus.title.clone();

    let (on_title, on_body) = field_callbacks(&text, &save.dispatcher());
    let on_submit = {
        let (client, on_created) = (props.client.clone(), props.on_created.clone());
        let (text, save, title_ref) = (text.clone(), save.dispatcher(), title_ref.clone());
        Callback::from(move |()| {
            let submitted = text.snapshot();
            save.dispatch(SaveEvent::Started);
            let (client, on_created) = (client.clone(), on_created.clone());
            let (text, save, title_ref) = (text.clone(), save.clone(), title_ref.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let input = NoteInput {
                    title: &submitted.title,
                    body: &submitted.body,
                };
                match client.post::<_, Note>(api::NOTES, &input).await {
                    Ok(note) => {
                        save.dispatch(SaveEvent::Succeeded);
                        // The next note starts empty (unless the user already started typing it).
                        text.saved(&submitted, Draft::default());
                        on_created.emit(note);
                        if let Some(input) = title_ref.cast::<web_sys::HtmlElement>() {
                            let _ = input.focus();
                        }
                    }
                    // The draft is in storage since the last keystroke: nothing to keep or undo here.
                    Err(err) => save.dispatch(SaveEvent::Failed(SaveErrors::from_api(&err))),
                }
            });
        })
    };
    let discard = {
        let (text, save) = (text.clone(), save.dispatcher());
        Callback::from(move |_: MouseEvent| {
            text.discard();
            save.dispatch(SaveEvent::Reset);
        })
    };

    let shown = text.shown();
    html! {
        <section class="card" aria-labelledby="new-note-heading">
            <h2 id="new-note-heading">{ "New note" }</h2>
            if text.restored() {
                <div class="notice notice-info draft-notice" data-testid="draft-restored">
                    <span>{ "We restored your unsaved draft." }</span>
                    <button type="button" class="button button-quiet button-small" onclick={discard}>
                        { "Discard draft" }
                    </button>
                </div>
            }
            { note_form(NoteFormProps {
                id: "new-note",
                title: shown.title.clone(),
                body: shown.body.clone(),
                title_error: save.errors.title.clone(),
                body_error: save.errors.body.clone(),
                form_error: save.errors.form.clone(),
                pending: save.pending,
                on_title,
                on_body,
                on_submit,
                children: Html::default(),
            }, &focus) }
        </section>
    }
}
