//! The app's routes as yew-router's `Routable`, and what each renders behind which guard.

use super::{Route, PATTERNS};
use crate::app::{fallbacks, Account};
use crate::components::{loading, missing_provider};
use crate::pages;
use crate::user::{User, ADMIN};
use lanyard_yew::{use_signed_in, Fallbacks, GuestOnly, RequireAuth, RequireRole};
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

pub fn switch(route: Route) -> Html {
    match route {
        Route::Home => signed_in(|account| html! { <pages::Home {account} /> }),
        Route::Login => {
            let fallbacks = Fallbacks {
                redirecting: Some(loading("Signed in. Taking you back…")),
                ..fallbacks()
            };
            html! { <GuestOnly {fallbacks}><pages::Login /></GuestOnly> }
        }
        Route::Notes => signed_in(pages::notes),
        Route::Note { id } => signed_in(move |account| pages::note_editor(account, id)),
        Route::Profile => signed_in(|account| html! { <pages::Profile {account} /> }),
        Route::Admin => html! {
            <RequireRole role={ADMIN} forbidden={pages::forbidden()}>
                <SignedInPage render={Callback::from(|account| html! { <pages::Admin {account} /> })} />
            </RequireRole>
        },
        #[cfg(feature = "lab")]
        Route::Lab => signed_in(|account| html! { <pages::Lab {account} /> }),
        #[cfg(not(feature = "lab"))]
        Route::Lab => pages::not_found(),
        Route::Forbidden => pages::forbidden(),
        Route::NotFound => pages::not_found(),
    }
}

/// A page for signed-in users: the guard, then the page with the account the guard guarantees.
pub fn signed_in(page: impl Fn(Account) -> Html + 'static) -> Html {
    let render = Callback::from(page);
    html! { <RequireAuth><SignedInPage {render} /></RequireAuth> }
}

#[derive(Properties, PartialEq)]
pub struct SignedInPageProps {
    pub render: Callback<Account, Html>,
}

/// Renders a page with the signed-in account (behind a guard, so there is one; a visible message if the
/// app is wired without a provider).
#[component]
pub fn SignedInPage(props: &SignedInPageProps) -> Html {
    match use_signed_in::<User>() {
        Some(account) => props.render.emit(account),
        None => missing_provider(),
    }
}
