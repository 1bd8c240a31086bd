//! Route guards: components that wrap a page's content and decide whether it may render.
//!
//! Protected content renders only when someone is signed in — never while the session is still being
//! checked, not even for one frame — so nothing private flashes on the screen of someone who is signed out.
//! Guards import no page: what they show instead (while checking, while redirecting, when the backend is
//! unreachable, when a role is missing) comes from [`Fallbacks`] and props.

use std::any::Any;
use std::rc::Rc;

use lanyard_client::Error;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::next::safe_next;
use crate::provider::use_session;
use crate::user::SessionUser;

/// What guards show in place of their content. Set once on the
/// [`SessionProvider`](crate::SessionProvider); a guard's own `fallbacks` prop overrides it.
#[derive(Clone, Default, PartialEq)]
pub struct Fallbacks {
    /// While the session is being checked. Default: nothing.
    pub checking: Html,
    /// While the user is being sent elsewhere (to sign in, or on from the login page). Default: `checking`.
    pub redirecting: Option<Html>,
    /// When the backend could not be asked who is signed in. Default: a short message and a retry button.
    pub unreachable: Option<Callback<Unreachable, Html>>,
}

/// Why a guard cannot decide yet, and how to try again.
#[derive(Clone, Debug, PartialEq)]
pub struct Unreachable {
    /// What went wrong.
    pub error: Error,
    /// Asks the backend again.
    pub retry: Callback<()>,
}

/// Where the session stands, without the user's type: all the guards need.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Status {
    Checking,
    SignedIn,
    MustSignIn,
    Unreachable(Error),
}

type HasRole = Rc<dyn Fn(&str) -> bool>;

/// A role check on the signed-in user, compared by identity.
#[derive(Clone, Default)]
pub(crate) struct RoleCheck(Option<HasRole>);

impl RoleCheck {
    pub(crate) fn of<U: SessionUser>(user: Option<&U>) -> Self {
        RoleCheck(user.map(|user| {
            let user = user.clone();
            Rc::new(move |role: &str| user.has_role(role)) as HasRole
        }))
    }

    fn allows(&self, role: &str) -> bool {
        self.0.as_ref().is_some_and(|has_role| has_role(role))
    }
}

impl PartialEq for RoleCheck {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

/// The provider's one context: what the guards need, without the user's type, and the typed
/// [`Session`](crate::Session) behind it for [`use_session`] (one context, not two: each context type
/// costs the bundle a provider component of its own).
#[derive(Clone, PartialEq)]
pub(crate) struct GuardContext {
    pub(crate) session: AnySession,
    pub(crate) status: Status,
    pub(crate) roles: RoleCheck,
    pub(crate) recheck: Callback<()>,
    pub(crate) login_path: AttrValue,
    pub(crate) home_path: AttrValue,
    pub(crate) fallbacks: Fallbacks,
}

/// A `Session<U>` whose `U` only [`use_session`] knows, compared by identity.
#[derive(Clone)]
pub(crate) struct AnySession(pub(crate) Rc<dyn Any>);

impl PartialEq for AnySession {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// A path of this app as a route, so the navigator can go to the app's own login page (or any safe path)
/// without knowing the app's `Routable` type.
#[derive(Clone, PartialEq)]
struct AppPath(String);

impl Routable for AppPath {
    fn from_path(_path: &str, _params: &std::collections::HashMap<&str, &str>) -> Option<Self> {
        None
    }
    fn to_path(&self) -> String {
        self.0.clone()
    }
    fn routes() -> Vec<&'static str> {
        Vec::new()
    }
    fn not_found_route() -> Option<Self> {
        None
    }
    fn recognize(_pathname: &str) -> Option<Self> {
        None
    }
}

/// Properties of [`RequireAuth`] and [`GuestOnly`].
#[derive(Properties, PartialEq)]
pub struct GuardProps {
    /// Overrides the provider's [`Fallbacks`] for this guard.
    #[prop_or_default]
    pub fallbacks: Option<Fallbacks>,
    /// The content.
    #[prop_or_default]
    pub children: Html,
}

/// Rendered instead of panicking when a guard is used outside a `SessionProvider`.
fn missing_provider() -> Html {
    html! {
        <div role="alert" data-testid="missing-provider">
            { "Lanyard is wired wrong: this part of the page needs a SessionProvider around it." }
        </div>
    }
}

fn unreachable_default(unreachable: Unreachable) -> Html {
    let retry = unreachable.retry.reform(|_: MouseEvent| ());
    html! {
        <div role="alert" data-testid="session-unreachable">
            <p>{ "The server could not be reached to check your session." }</p>
            <button type="button" onclick={retry}>{ "Try again" }</button>
        </div>
    }
}

/// Where the user is now, as `path?query`, to come back to after signing in.
#[hook]
fn use_current_path() -> String {
    use_location()
        .map(|l| format!("{}{}", l.path(), l.query_str()))
        .unwrap_or_else(|| "/".to_string())
}

/// Renders its children only for a signed-in user; sends everyone else to the login page with `?next=`
/// (where they were), shows the fallbacks meanwhile.
///
/// ```no_run
/// use lanyard_yew::{Fallbacks, GuestOnly, RequireAuth, RequireRole};
/// use yew::prelude::*;
///
/// fn dashboard() -> Html {
///     html! { <RequireAuth><p>{ "Your notes" }</p></RequireAuth> }
/// }
///
/// fn admin() -> Html {
///     html! {
///         <RequireRole role="admin" forbidden={html! { <p>{ "Admins only." }</p> }}>
///             <p>{ "All users" }</p>
///         </RequireRole>
///     }
/// }
///
/// fn login_page() -> Html {
///     // A signed-in visitor is sent on to a safe `?next=`, or home.
///     html! { <GuestOnly><form>{ "…" }</form></GuestOnly> }
/// }
/// ```
#[component]
pub fn RequireAuth(props: &GuardProps) -> Html {
    let guard = use_context::<GuardContext>();
    let navigator = use_navigator();
    let here = use_current_path();
    let must_sign_in = guard
        .as_ref()
        .is_some_and(|g| g.status == Status::MustSignIn);
    let login_path = guard.as_ref().map(|g| g.login_path.to_string());
    use_effect_with(must_sign_in, move |must_sign_in| {
        if let (true, Some(navigator), Some(login)) = (*must_sign_in, navigator, login_path) {
            // Encoded by the browser rather than by yew-router's query serialiser (serde_urlencoded),
            // which would cost the bundle a serialiser for this one parameter.
            let next = String::from(js_sys::encode_uri_component(&here));
            navigator.replace(&AppPath(format!("{login}?next={next}")));
        }
    });
    let Some(guard) = guard else {
        return missing_provider();
    };
    let fallbacks = props.fallbacks.as_ref().unwrap_or(&guard.fallbacks);
    match &guard.status {
        Status::SignedIn => props.children.clone(),
        Status::Checking => fallbacks.checking.clone(),
        Status::MustSignIn => redirecting(fallbacks),
        Status::Unreachable(error) => {
            let unreachable = Unreachable {
                error: error.clone(),
                retry: guard.recheck.clone(),
            };
            match &fallbacks.unreachable {
                Some(render) => render.emit(unreachable),
                None => unreachable_default(unreachable),
            }
        }
    }
}

fn redirecting(fallbacks: &Fallbacks) -> Html {
    fallbacks
        .redirecting
        .clone()
        .unwrap_or_else(|| fallbacks.checking.clone())
}

/// Properties of [`RequireRole`].
#[derive(Properties, PartialEq)]
pub struct RoleProps {
    /// The role the user must hold ([`SessionUser::has_role`]).
    pub role: AttrValue,
    /// Shown to a signed-in user without the role (no redirect, so no loop). Default: nothing.
    #[prop_or_default]
    pub forbidden: Html,
    /// Overrides the provider's [`Fallbacks`] for this guard.
    #[prop_or_default]
    pub fallbacks: Option<Fallbacks>,
    /// The content.
    #[prop_or_default]
    pub children: Html,
}

/// Signed in *and* holding `role`: [`RequireAuth`] plus a role check.
#[component]
pub fn RequireRole(props: &RoleProps) -> Html {
    let guard = use_context::<GuardContext>();
    let allowed = guard.as_ref().is_some_and(|g| g.roles.allows(&props.role));
    signed_in_and(allowed, &props.fallbacks, &props.forbidden, &props.children)
}

/// [`RequireAuth`] around the content when `allowed`, around `forbidden` otherwise.
fn signed_in_and(
    allowed: bool,
    fallbacks: &Option<Fallbacks>,
    forbidden: &Html,
    children: &Html,
) -> Html {
    let content = if allowed { children } else { forbidden };
    html! { <RequireAuth fallbacks={fallbacks.clone()}>{ content.clone() }</RequireAuth> }
}

/// Properties of [`RequireUser`].
#[derive(Properties, PartialEq)]
pub struct UserProps<U: SessionUser> {
    /// Whether this user may see the content.
    pub allow: Callback<U, bool>,
    /// Shown to a signed-in user who is not allowed (no redirect, so no loop). Default: nothing.
    #[prop_or_default]
    pub forbidden: Html,
    /// Overrides the provider's [`Fallbacks`] for this guard.
    #[prop_or_default]
    pub fallbacks: Option<Fallbacks>,
    /// The content.
    #[prop_or_default]
    pub children: Html,
}

/// Signed in *and* allowed by a predicate on the user: [`RequireAuth`] plus `allow`.
#[component]
pub fn RequireUser<U: SessionUser>(props: &UserProps<U>) -> Html {
    let user = use_session::<U>().and_then(|s| s.user().cloned());
    let allowed = user.is_some_and(|user| props.allow.emit(user));
    signed_in_and(allowed, &props.fallbacks, &props.forbidden, &props.children)
}

/// For the login page: a signed-in user is sent on to a safe `?next=`, or to the home path.
#[component]
pub fn GuestOnly(props: &GuardProps) -> Html {
    let guard = use_context::<GuardContext>();
    let navigator = use_navigator();
    let location = use_location();
    let target = guard
        .as_ref()
        .filter(|g| g.status == Status::SignedIn)
        .map(|g| {
            let next = location
                .as_ref()
                .and_then(|l| query_value(l.query_str(), "next"));
            safe_next(next.as_deref(), &g.login_path, &g.home_path)
        });
    use_effect_with(target.clone(), move |target| {
        if let (Some(target), Some(navigator)) = (target, navigator) {
            // Already checked by `safe_next`: a path of this app, query and fragment kept as they were.
            navigator.replace(&AppPath(target.clone()));
        }
    });
    let Some(guard) = guard else {
        return missing_provider();
    };
    let fallbacks = props.fallbacks.as_ref().unwrap_or(&guard.fallbacks);
    if target.is_some() {
        redirecting(fallbacks)
    } else {
        props.children.clone()
    }
}

/// One parameter of a query string (`?a=1&next=%2Fnotes`), percent-decoded (`+` is a space).
fn query_value(query: &str, name: &str) -> Option<String> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| {
            let value = value.replace('+', " ");
            js_sys::decode_uri_component(&value)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or(value)
        })
}
