//! The smallest Yew app on `lanyard-client` and `lanyard-yew`: what a developer writes on day one.
//!
//! A user type for the backend's answers, a sign-in form, one guarded page that makes one API call, and a
//! sign-out button. The client comes with defaults that match the dev backend (`/api/auth/login`,
//! `/api/auth/refresh`, `/api/me`, the `lanyard_csrf` cookie); set the fields of `ClientConfig` that differ
//! for yours.
//!
//! It is also the size probe: `cargo xtask size` builds it like `bench/floor` (a bare Yew app) and checks
//! what the two crates add; `cargo xtask bench` measures its cold start next to the floor's.

#[cfg(target_arch = "wasm32")]
mod app {
    use lanyard_client::{Client, ClientConfig, Error};
    use lanyard_yew::{
        use_session, use_signed_in, GuestOnly, RequireAuth, SessionProvider, SessionUser,
    };
    use serde::de::IgnoredAny;
    use serde::{Deserialize, Serialize};
    use yew::platform::spawn_local;
    use yew::prelude::*;
    use yew_router::prelude::*;

    /// Who is signed in, as the dev backend describes them.
    #[derive(Clone, PartialEq, Deserialize)]
    struct User {
        id: i64,
        username: String,
        display_name: String,
        #[serde(default)]
        roles: Vec<String>,
    }

    /// The answer to sign-in and "who am I": `{"user": {…}, "access_expires_at": …}`. The client reads the
    /// expiry itself (`ClientConfig::expiry_field`); the app only needs the user.
    #[derive(Deserialize)]
    struct SessionAnswer {
        user: User,
    }

    impl SessionUser for User {
        type Answer = SessionAnswer;

        fn from_answer(answer: SessionAnswer) -> Self {
            answer.user
        }

        fn has_role(&self, role: &str) -> bool {
            self.roles.iter().any(|r| r == role)
        }
    }

    /// The body of the sign-in call: the field names are the backend's.
    #[derive(Serialize)]
    struct Credentials {
        username: String,
        password: String,
    }

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

    /// What the user reads when signing in fails: the server's own message when it sent one.
    fn sign_in_error(err: &Error) -> String {
        match err.server_message() {
            Some(message) => message.to_string(),
            None if err.is_retryable() => "The server could not be reached. Try again.".into(),
            None => "Signing in did not work. Try again.".into(),
        }
    }

    fn value(input: &NodeRef) -> String {
        input
            .cast::<web_sys::HtmlInputElement>()
            .map(|i| i.value())
            .unwrap_or_default()
    }

    /// The sign-in form. Inside `GuestOnly`: once signed in, the user is sent on to `?next=` or home.
    #[component]
    fn LoginForm() -> Html {
        let session = use_session::<User>();
        let username = use_node_ref();
        let password = use_node_ref();
        let error = use_state(|| None::<String>);
        let busy = use_state(|| false);
        {
            let username = username.clone();
            use_effect_with((), move |_| {
                if let Some(input) = username.cast::<web_sys::HtmlInputElement>() {
                    let _ = input.focus();
                }
                // The start-up bench times the cold load to this mark (as for the app and bench/floor).
                if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
                    let _ = performance.mark("lanyard:login-visible");
                }
            });
        }
        let onsubmit = {
            let (username, password) = (username.clone(), password.clone());
            let (error, busy) = (error.clone(), busy.clone());
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                let Some(session) = session.clone() else {
                    return;
                };
                let credentials = Credentials {
                    username: value(&username),
                    password: value(&password),
                };
                let (error, busy) = (error.clone(), busy.clone());
                busy.set(true);
                error.set(None);
                spawn_local(async move {
                    if let Err(err) = session.login(&credentials).await {
                        error.set(Some(sign_in_error(&err)));
                    }
                    busy.set(false);
                });
            })
        };
        html! {
            <main>
                <h1>{ "Sign in" }</h1>
                <form {onsubmit}>
                    <label>{ "Username " }<input ref={username} name="username" autocomplete="username" /></label>
                    <label>{ "Password " }<input ref={password} type="password" name="password" autocomplete="current-password" /></label>
                    <button disabled={*busy}>{ "Sign in" }</button>
                </form>
                if let Some(message) = &*error {
                    <p role="alert">{ message }</p>
                }
            </main>
        }
    }

    /// The guarded page: one API call through the client (a 401 refreshes once, then replays), and sign-out.
    #[component]
    fn Notes() -> Html {
        let signed_in = use_signed_in::<User>();
        let session = use_session::<User>();
        let notes = use_state(|| None::<Result<usize, Error>>);
        {
            let notes = notes.clone();
            let client = signed_in.as_ref().map(|s| s.client.clone());
            use_effect_with(client, move |client| {
                if let Some(client) = client.clone() {
                    spawn_local(async move {
                        // Only the count is shown: each note is skipped, not decoded.
                        let answer = client.get::<Vec<IgnoredAny>>("/api/notes").await;
                        notes.set(Some(answer.map(|list| list.len())));
                    });
                }
            });
        }
        let Some(signed_in) = signed_in else {
            return html! {};
        };
        let sign_out = Callback::from(move |_: MouseEvent| {
            if let Some(session) = &session {
                session.logout();
            }
        });
        let count = match &*notes {
            None => "Loading your notes…".to_string(),
            Some(Ok(1)) => "You have 1 note.".to_string(),
            Some(Ok(n)) => format!("You have {n} notes."),
            // Session ended: the guard is already on its way to the login page.
            Some(Err(err)) if err.is_session_ended() => String::new(),
            Some(Err(_)) => "Your notes could not be loaded.".to_string(),
        };
        let user = &signed_in.user;
        html! {
            <main>
                <h1>{ format!("Hello, {}", user.display_name) }</h1>
                <p>{ format!("Signed in as {} (#{}).", user.username, user.id) }</p>
                <p>{ count }</p>
                <button onclick={sign_out}>{ "Sign out" }</button>
            </main>
        }
    }

    fn switch(route: Route) -> Html {
        match route {
            Route::Home => html! { <RequireAuth><Notes /></RequireAuth> },
            Route::Login => html! { <GuestOnly><LoginForm /></GuestOnly> },
            Route::NotFound => html! { <p>{ "Not found" }</p> },
        }
    }

    #[component]
    fn App() -> Html {
        // The dev backend's endpoints and names are the defaults; a misconfiguration is reported, not panicked.
        let client = use_memo((), |_| Client::builder(ClientConfig::default()).build());
        match &*client {
            Ok(client) => html! {
                <SessionProvider<User> client={client.clone()}>
                    <BrowserRouter><Switch<Route> render={switch} /></BrowserRouter>
                </SessionProvider<User>>
            },
            Err(err) => {
                html! { <p role="alert">{ format!("The client is misconfigured: {err}") }</p> }
            }
        }
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
    eprintln!(
        "a browser app: `trunk serve` in examples/minimal (with the dev backend on :8081), \
         or `cargo xtask size` to build it for wasm32"
    );
}
