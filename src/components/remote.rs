//! Data that comes from the API: loading, there, or failed — a hook that fetches it, and one way to show it.

use super::{loading, PageError};
use crate::messages::user_message;
use futures_util::future::LocalBoxFuture;
use lanyard_client::{Client, Error};
use serde::de::DeserializeOwned;
use std::any::Any;
use std::rc::Rc;
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

/// What a load holds once decoded, whatever the answer's type: one state shape for every [`use_fetch`].
type Loaded = Rc<dyn Any>;

/// A load: `GET path`, decoded, boxed as [`Loaded`].
type Load = fn(Client, String) -> LocalBoxFuture<'static, Result<Loaded, Error>>;

fn load<T: DeserializeOwned + 'static>(
    client: Client,
    path: String,
) -> LocalBoxFuture<'static, Result<Loaded, Error>> {
    Box::pin(async move {
        client
            .get::<T>(&path)
            .await
            .map(|value| Rc::new(value) as Loaded)
    })
}

/// Fetches `GET path` into a `Remote`, again whenever `path` changes or the returned callback is emitted.
/// Only the latest load may write the state, so a slow old answer never overwrites a newer one.
///
/// Generic only in how the answer is decoded: the state, the effect and the reload callback are one shape
/// for every answer type ([`use_load`]), so each page's data costs the bundle a decoder, not a copy of
/// Yew's hook machinery.
#[hook]
pub fn use_fetch<T>(client: &Client, path: String) -> (Remote<Rc<T>>, Callback<()>)
where
    T: DeserializeOwned + 'static,
{
    let (state, reload) = use_load(client, path, load::<T>);
    let remote = match &*state {
        Remote::Loading => Remote::Loading,
        // `load::<T>` is the only writer, so the value is a `T`; were it not, it would show as loading.
        Remote::Ready(value) => value
            .clone()
            .downcast::<T>()
            .map_or(Remote::Loading, Remote::Ready),
        Remote::Failed(err) => Remote::Failed(err.clone()),
    };
    (remote, reload)
}

#[hook]
fn use_load(
    client: &Client,
    path: String,
    load: Load,
) -> (UseStateHandle<Remote<Loaded>>, Callback<()>) {
    let state = use_state(|| Remote::<Loaded>::Loading);
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
            let (state, generation) = (state.clone(), generation.clone());
            let answer = load(client.clone(), path.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = answer.await;
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
