//! The app: providers around the router, and the layout around every page.

use crate::client::Client;
use crate::components::Layout;
use crate::config::Config;
use crate::routes::{switch, Route};
use crate::session::SessionProvider;
use std::rc::Rc;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Properties, Clone, PartialEq)]
pub struct AppProps {
    pub config: Rc<Config>,
    pub client: Client,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    html! {
        <ContextProvider<Rc<Config>> context={props.config.clone()}>
            <SessionProvider client={props.client.clone()}>
                <BrowserRouter>
                    <Layout>
                        <Switch<Route> render={switch} />
                    </Layout>
                </BrowserRouter>
            </SessionProvider>
        </ContextProvider<Rc<Config>>>
    }
}

/// The runtime configuration (compiled-in defaults outside the app, e.g. in component tests).
#[hook]
pub fn use_config() -> Rc<Config> {
    use_context::<Rc<Config>>().unwrap_or_default()
}
