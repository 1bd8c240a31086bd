//! The smallest app that does what the size and start-up targets assume: three routes, a login
//! form that sets the same `lanyard:login-visible` mark as Lanyard's, one JSON fetch. `cargo xtask bench`
//! builds it exactly like Lanyard (same profile, same wasm-opt) and measures it next to Lanyard, so the
//! figures show what the framework costs on the machine at hand and what Lanyard adds.

#[cfg(target_arch = "wasm32")]
mod app {
    use yew::prelude::*;
    use yew_router::prelude::*;

    #[derive(Clone, PartialEq, Routable)]
    enum Route {
        #[at("/")]
        Home,
        #[at("/login")]
        Login,
        #[not_found]
        #[at("/404")]
        NotFound,
    }

    #[derive(serde::Deserialize, Clone, PartialEq)]
    struct User {
        id: i64,
        username: String,
    }

    #[component]
    fn Home() -> Html {
        let user = use_state(|| None::<User>);
        {
            let user = user.clone();
            use_effect_with((), move |_| {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(response) = gloo_net::http::Request::get("/api/me").send().await {
                        if let Ok(me) = response.json::<User>().await {
                            user.set(Some(me));
                        }
                    }
                });
            });
        }
        let text = user
            .as_ref()
            .map(|u| format!("{} {}", u.id, u.username))
            .unwrap_or_default();
        html! { <p>{ text }</p> }
    }

    #[component]
    fn Login() -> Html {
        let username = use_node_ref();
        {
            let username = username.clone();
            use_effect_with((), move |_| {
                if let Some(input) = username.cast::<web_sys::HtmlInputElement>() {
                    let _ = input.focus();
                }
                if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
                    let _ = performance.mark("lanyard:login-visible");
                }
            });
        }
        html! {
            <main>
                <h1>{ "Sign in" }</h1>
                <form>
                    <label>{ "Username" }<input ref={username} name="username" /></label>
                    <label>{ "Password" }<input type="password" name="password" /></label>
                    <button>{ "Sign in" }</button>
                </form>
            </main>
        }
    }

    fn switch(route: Route) -> Html {
        match route {
            Route::Home => html! { <Home /> },
            Route::Login => html! { <Login /> },
            Route::NotFound => html! { <p>{ "Not found" }</p> },
        }
    }

    #[component]
    fn App() -> Html {
        html! { <BrowserRouter><Switch<Route> render={switch} /></BrowserRouter> }
    }

    pub fn start() {
        yew::Renderer::<App>::new().render();
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    app::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("a browser app: `cargo xtask bench` builds it for wasm32");
}
