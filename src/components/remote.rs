//! Data that comes from the API: loading, there, or failed — and a hook that fetches it.

use crate::client::{ApiError, Client};
use serde::de::DeserializeOwned;
use yew::prelude::*;

#[derive(Clone, Debug, Default, PartialEq)]
pub enum Remote<T> {
    #[default]
    Loading,
    Ready(T),
    Failed(ApiError),
}

impl<T> From<Result<T, ApiError>> for Remote<T> {
    fn from(result: Result<T, ApiError>) -> Self {
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
