//! The app's routes and what each renders, guards included.

use super::guards::{GuestOnly, RequireAuth, RequireRole};
use super::{Route, PATTERNS};
use crate::pages;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use yew::prelude::*;
use yew_router::Routable;

/// By hand (see `path.rs`): the same contract as yew-router's derive, without its run-time recogniser.
impl Routable for Route {
    fn from_path(path: &str, params: &HashMap<&str, &str>) -> Option<Self> {
        if params.len() > 1 {
            return None;
        }
        Route::from_pattern(path, params.get("id").copied())
    }
    fn to_path(&self) -> String {
        Route::to_path(self)
    }
    fn routes() -> Vec<&'static str> {
        PATTERNS.to_vec()
    }
    fn not_found_route() -> Option<Self> {
        Some(Route::NotFound)
    }
    fn recognize(pathname: &str) -> Option<Self> {
        Some(Route::from_pathname(pathname))
    }
}

/// The login page's query: where to go after signing in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoginQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

pub fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <RequireAuth><pages::Home /></RequireAuth> },
        Route::Login => html! { <GuestOnly><pages::Login /></GuestOnly> },
        Route::Notes => html! { <RequireAuth><pages::Notes /></RequireAuth> },
        Route::Note { id } => html! { <RequireAuth><pages::NoteEditor {id} /></RequireAuth> },
        Route::Profile => html! { <RequireAuth><pages::Profile /></RequireAuth> },
        Route::Admin => html! { <RequireRole role="admin"><pages::Admin /></RequireRole> },
        #[cfg(feature = "lab")]
        Route::Lab => html! { <RequireAuth><pages::Lab /></RequireAuth> },
        #[cfg(not(feature = "lab"))]
        Route::Lab => html! { <pages::NotFound /> },
        Route::Forbidden => html! { <pages::Forbidden /> },
        Route::NotFound => html! { <pages::NotFound /> },
    }
}
