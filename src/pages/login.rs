use crate::app::use_config;
use crate::app::use_session;
use crate::components::use_on_mount;
use crate::messages::ended_notice;
use crate::sign_in::{login_failure, name_label, name_noun, Credentials, Invalid};
use lanyard_yew::SessionState;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Sign-in form. Where to go afterwards is `GuestOnly`'s job (it reads `next` safely).
#[component]
pub fn Login() -> Html {
    let session = use_session();
    let config = use_config();
    let username = use_state(String::new);
    let password = use_state(String::new);
    let pending = use_state(bool::default);
    let error = use_state(Option::<String>::default);
    // Which inputs the server said are wrong (never guessed: a timeout or an unreadable answer marks none).
    let invalid = use_state(Invalid::default);
    // Seconds the server asked us to wait after too many attempts; the button stays off until they pass.
    let locked_for = use_state(u64::default);
    let username_ref = use_node_ref();
    let error_ref = use_node_ref();

    {
        let username_ref = username_ref.clone();
        use_on_mount(Callback::from(move |()| {
            if let Some(input) = username_ref.cast::<HtmlInputElement>() {
                let _ = input.focus();
            }
            // The start-up benchmark reads this mark: the first meaningful render is the login form on screen.
            crate::boot::mark("lanyard:login-visible");
        }));
    }
    {
        // Announce and focus an error so keyboard users don't have to hunt for it.
        let error_ref = error_ref.clone();
        use_effect_with((*error).clone(), move |error| {
            if error.is_some() {
                if let Some(element) = error_ref.cast::<web_sys::HtmlElement>() {
                    let _ = element.focus();
                }
            }
        });
    }

    {
        let locked_for = locked_for.clone();
        use_effect_with(*locked_for, move |&secs| {
            let unlock = (secs > 0).then(|| {
                let millis = u32::try_from(secs.saturating_mul(1_000)).unwrap_or(u32::MAX);
                gloo_timers::callback::Timeout::new(millis, move || locked_for.set(0))
            });
            move || drop(unlock)
        });
    }

    let on_username = {
        let username = username.clone();
        Callback::from(move |e: InputEvent| {
            username.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_password = {
        let password = password.clone();
        Callback::from(move |e: InputEvent| {
            password.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let onsubmit = {
        let session = session.clone();
        let (username, password, pending, error, invalid, locked_for) = (
            username.clone(),
            password.clone(),
            pending.clone(),
            error.clone(),
            invalid.clone(),
            locked_for.clone(),
        );
        let login_field = config.login_field.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *pending || *locked_for > 0 {
                return;
            }
            let Some(session) = session.clone() else {
                return;
            };
            let noun = name_noun(&login_field);
            if username.trim().is_empty() || password.is_empty() {
                invalid.set(Invalid {
                    name: username.trim().is_empty(),
                    password: password.is_empty(),
                });
                error.set(Some(format!("Enter your {noun} and password.")));
                return;
            }
            pending.set(true);
            error.set(None);
            invalid.set(Invalid::default());
            let (name, pass) = (username.trim().to_string(), (*password).clone());
            let (pending, error, invalid, locked_for) = (
                pending.clone(),
                error.clone(),
                invalid.clone(),
                locked_for.clone(),
            );
            let login_field = login_field.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let credentials = Credentials {
                    field: &login_field,
                    name: &name,
                    password: &pass,
                };
                let result = session.login(&credentials).await;
                pending.set(false);
                if let Err(err) = result {
                    if let Some(wait) = err.retry_after().filter(|_| err.status() == Some(429)) {
                        let secs = wait.as_secs().max(1);
                        locked_for.set(secs);
                        error.set(Some(format!("Too many attempts — try again in {secs} s.")));
                    } else {
                        let (message, marked) = login_failure(&err, &login_field);
                        invalid.set(marked);
                        error.set(Some(message));
                    }
                }
            });
        })
    };

    let notice = session.as_ref().and_then(|s| match s.state() {
        SessionState::Ended(reason) => ended_notice(*reason),
        _ => None,
    });
    let demo = config.show_demo_credentials.then(|| {
        html! {
            <aside class="demo-credentials" aria-label="Demo accounts">
                <p><strong>{ "Demo accounts (dev backend)" }</strong></p>
                <ul>
                    <li><code>{ "admin" }</code>{ " / " }<code>{ "admin-pass" }</code>{ " — has the admin role" }</li>
                    <li><code>{ "user" }</code>{ " / " }<code>{ "user-pass" }</code></li>
                </ul>
            </aside>
        }
    });
    html! {
        <section class="card narrow login">
            <h1>{ "Sign in" }</h1>
            if let Some(notice) = notice {
                <p class="notice notice-info" role="status" data-testid="session-notice">{ notice }</p>
            }
            <form onsubmit={onsubmit} novalidate=true>
                <div class="field">
                    <label for="username">{ name_label(&config.login_field) }</label>
                    <input id="username" name="username" type="text" autocomplete="username"
                        ref={username_ref} value={(*username).clone()} oninput={on_username}
                        aria-invalid={invalid.name.then_some("true")} aria-describedby="login-error" />
                </div>
                <div class="field">
                    <label for="password">{ "Password" }</label>
                    <input id="password" name="password" type="password" autocomplete="current-password"
                        value={(*password).clone()} oninput={on_password}
                        aria-invalid={invalid.password.then_some("true")} aria-describedby="login-error" />
                </div>
                <p id="login-error" class="field-error" role="alert" tabindex="-1" ref={error_ref}
                    data-testid="login-error" hidden={error.is_none()}>
                    { (*error).clone().unwrap_or_default() }
                </p>
                <button class="button button-primary" type="submit" disabled={*pending || *locked_for > 0}
                    aria-busy={pending.then_some("true")}>
                    { if *pending { "Signing in…" } else { "Sign in" } }
                </button>
            </form>
            { for demo }
        </section>
    }
}
