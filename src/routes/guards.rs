//! Route guards: components that wrap a page's content and decide whether it may render.
//!
//! Protected content renders only in `SignedIn` — never while the session is still being checked,
//! not even for one frame — so nothing private flashes on the screen of someone who is signed out.

use super::next::safe_next;
use super::route::LoginQuery;
use super::Route;
use crate::components::{Loading, MissingProvider, PageError};
use crate::pages::Forbidden;
use crate::session::{use_session, SessionState};
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Properties, PartialEq)]
pub struct GuardProps {
    #[prop_or_default]
    pub children: Html,
}

/// Where the user is now, as `path?query`, to come back to after signing in.
#[hook]
fn use_current_path() -> String {
    let location = use_location();
    location
        .map(|l| format!("{}{}", l.path(), l.query_str()))
        .unwrap_or_else(|| "/".to_string())
}

/// Renders its children only for a signed-in user; sends everyone else to the login page with `next`.
#[component]
pub fn RequireAuth(props: &GuardProps) -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let here = use_current_path();
    let state = session.as_ref().map(|s| s.state.clone());
    let must_sign_in = matches!(
        state,
        Some(SessionState::SignedOut | SessionState::Ended(_))
    );
    use_effect_with(must_sign_in, move |must_sign_in| {
        if *must_sign_in {
            if let Some(navigator) = navigator {
                let query = LoginQuery { next: Some(here) };
                if let Err(err) = navigator.replace_with_query(&Route::Login, &query) {
                    log::error!("could not go to the login page: {err}");
                }
            }
        }
    });
    let Some(session) = session else {
        return html! { <MissingProvider /> };
    };
    match &session.state {
        SessionState::SignedIn(_) => props.children.clone(),
        SessionState::Checking => html! { <Loading label="Checking your session…" /> },
        SessionState::Unreachable(message) => {
            let retry = {
                let session = session.clone();
                Callback::from(move |_| session.recheck())
            };
            html! { <PageError title="We couldn't reach the server" message={message.clone()} {retry} /> }
        }
        SessionState::SignedOut | SessionState::Ended(_) => {
            html! { <Loading label="Taking you to the sign-in page…" /> }
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct RoleProps {
    pub role: AttrValue,
    #[prop_or_default]
    pub children: Html,
}

/// Signed in *and* holding `role`; signed in without it → the 403 page (no redirect, so no loop).
#[component]
pub fn RequireRole(props: &RoleProps) -> Html {
    html! {
        <RequireAuth>
            <RoleCheck role={props.role.clone()}>{ props.children.clone() }</RoleCheck>
        </RequireAuth>
    }
}

#[component]
fn RoleCheck(props: &RoleProps) -> Html {
    let session = use_session();
    let has_role = session
        .as_ref()
        .and_then(|s| s.user())
        .is_some_and(|user| user.roles.iter().any(|r| r.as_str() == props.role.as_str()));
    if has_role {
        props.children.clone()
    } else {
        html! { <Forbidden /> }
    }
}

/// The login page: a signed-in user is sent on to a safe `next`, or home.
#[component]
pub fn GuestOnly(props: &GuardProps) -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let location = use_location();
    let signed_in = session.as_ref().is_some_and(|s| s.state.is_signed_in());
    use_effect_with(signed_in, move |signed_in| {
        if *signed_in {
            let next = location
                .and_then(|l| l.query::<LoginQuery>().ok())
                .and_then(|q| q.next);
            let target = safe_next(next.as_deref());
            go_to_app_path(navigator.as_ref(), &target);
        }
    });
    match session.map(|s| s.state) {
        None => html! { <MissingProvider /> },
        Some(SessionState::SignedIn(_)) => {
            html! { <Loading label="Signed in. Taking you back…" /> }
        }
        Some(_) => props.children.clone(),
    }
}

/// Navigates inside the app to a path already checked by `safe_next`.
fn go_to_app_path(navigator: Option<&Navigator>, path: &str) {
    let without_fragment = path.split('#').next().unwrap_or(path);
    let (route_path, query) = without_fragment
        .split_once('?')
        .unwrap_or((without_fragment, ""));
    let route = Route::recognize(route_path).unwrap_or(Route::NotFound);
    let Some(navigator) = navigator else { return };
    if query.is_empty() {
        navigator.replace(&route);
        return;
    }
    // Keep the query string as the user had it (e.g. the Lab's parameters).
    let pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect();
    if let Err(err) = navigator.replace_with_query(&route, &pairs) {
        log::error!("could not navigate to {path}: {err}");
        navigator.replace(&route);
    }
}

fn decode(component: &str) -> String {
    js_sys::decode_uri_component(&component.replace('+', " "))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| component.to_string())
}
