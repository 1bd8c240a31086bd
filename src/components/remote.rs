//! Data that comes from the API: loading, there, or failed — a hook that fetches it, and one way to show it.

use super::{loading, PageError};
use crate::messages::user_message;
use lanyard_client::{Client, Error};
use serde::de::DeserializeOwned;
use yew::prelude::*;

#[derive(Clone, Debug, Default, PartialEq)]
pub enum Remote<T> {
    #[default]
    Loading,
    Ready(T),
    Failed(Error),
}

impl<T> Remote<T> {
    pub fn is_loading(&self) -> bool {
        matches!(self, Remote::Loading)
    }
}

impl<T> From<Result<T, Error>> for Remote<T> {
    fn from(result: Result<T, Error>) -> Self {
        match result {
            Ok(value) => Remote::Ready(value),
            Err(err) => Remote::Failed(err),
        }
    }
}

/// Fetches `GET path` into a `Remote`, again whenever `path` changes or `reload` is emitted.
/// Only the latest load may write the state, so a slow old answer never overwrites a newer one.
#[hook]
pub fn use_fetch<T>(client: &Client, path: String) -> (UseStateHandle<Remote<T>>, Callback<()>)
where
    T: DeserializeOwned + 'static,
{
    let state = use_state(|| Remote::<T>::Loading);
    let generation = use_mut_ref(|| 0_u64);
    let reload = {
        let (state, client, path) = (state.clone(), client.clone(), path.clone());
        Callback::from(move |()| {
            let this_load = {
                let mut generation = generation.borrow_mut();
                *generation += 1;
                *generation
            };
            state.set(Remote::Loading);
            let (state, client, path, generation) = (
                state.clone(),
                client.clone(),
                path.clone(),
                generation.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let result = client.get::<T>(&path).await;
                if *generation.borrow() == this_load {
                    state.set(result.into());
                }
            });
        })
    };
    {
        let reload = reload.clone();
        use_effect_with(path, move |_| reload.emit(()));
    }
    (state, reload)
}

/// A spinner while loading, the data when it is there, or the error with a way to try again — unless the
/// session ended, when retrying cannot help (the guard is already taking the user to sign in).
pub fn remote_view<T>(
    remote: &Remote<T>,
    what: &str,
    retry: Callback<()>,
    view: impl FnOnce(&T) -> Html,
) -> Html {
    match remote {
        Remote::Loading => loading(format!("Loading {what}…")),
        Remote::Ready(value) => view(value),
        Remote::Failed(err) => {
            let retry = (!err.is_session_ended()).then_some(retry);
            html! { <PageError title={format!("Couldn't load {what}")} message={user_message(err)} {retry} /> }
        }
    }
}
