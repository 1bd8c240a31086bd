use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NoteEditorProps {
    pub id: i64,
}

#[component]
pub fn NoteEditor(props: &NoteEditorProps) -> Html {
    html! { <h1>{ format!("Note {}", props.id) }</h1> }
}
