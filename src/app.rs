//! The app: providers around the router, the layout around every page, and the session as the pages
//! see it.

use crate::components::{config_error_page, loading, Layout, PageError};
use crate::config::Config;
use crate::messages::user_message;
use crate::routes::{switch, Route};
use crate::user::User;
use lanyard_client::Client;
use lanyard_yew::{Fallbacks, SessionProvider, Unreachable};
use std::rc::Rc;
use yew::prelude::*;
use yew_router::prelude::*;

/// The session of this app's user type.
pub type Session = lanyard_yew::Session<User>;

/// A signed-in user and the client to act as them: what every protected page gets.
pub type Account = lanyard_yew::SignedIn<User>;

/// How start-up went: the app runs, or config.json is unusable and the page says why.
#[derive(Properties, Clone, PartialEq)]
pub struct AppProps {
    pub start: Start,
}

#[derive(Clone, PartialEq)]
pub enum Start {
    Ready { config: Rc<Config>, client: Client },
    ConfigError(AttrValue),
}

/// The one root: the app, or the configuration error page.
#[component]
pub fn App(props: &AppProps) -> Html {
    let (config, client) = match &props.start {
        Start::Ready { config, client } => (config, client),
        Start::ConfigError(message) => return config_error_page(message.clone()),
    };
    html! {
        <ContextProvider<Rc<Config>> context={config.clone()}>
            <SessionProvider<User> client={client.clone()} fallbacks={fallbacks()}
                login_path={Route::Login.to_path()}>
                <BrowserRouter>
                    <Layout>
                        <Switch<Route> render={switch} />
                    </Layout>
                </BrowserRouter>
            </SessionProvider<User>>
        </ContextProvider<Rc<Config>>>
    }
}

/// What the guards show instead of a page, in the app's words.
pub fn fallbacks() -> Fallbacks {
    Fallbacks {
        checking: loading("Checking your session…"),
        redirecting: Some(loading("Taking you to the sign-in page…")),
        unreachable: Some(Callback::from(|unreachable: Unreachable| {
            html! {
                <PageError title="We couldn't reach the server" message={user_message(&unreachable.error)}
                    retry={unreachable.retry} />
            }
        })),
    }
}

/// The runtime configuration (compiled-in defaults outside the app, e.g. in component tests).
#[hook]
pub fn use_config() -> Rc<Config> {
    use_context::<Rc<Config>>().unwrap_or_default()
}

/// The session (`None` outside the app's provider).
#[hook]
pub fn use_session() -> Option<Session> {
    lanyard_yew::use_session::<User>()
}
