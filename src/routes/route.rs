//! The app's routes and what each renders, guards included.

use super::guards::{GuestOnly, RequireAuth, RequireRole};
use crate::pages;
use serde::{Deserialize, Serialize};
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, Routable)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/login")]
    Login,
    #[at("/notes")]
    Notes,
    #[at("/notes/:id")]
    Note { id: i64 },
    #[at("/profile")]
    Profile,
    #[at("/admin")]
    Admin,
    #[at("/lab")]
    Lab,
    #[at("/403")]
    Forbidden,
    #[not_found]
    #[at("/404")]
    NotFound,
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
