use yew::prelude::*;

/// Rendered instead of panicking when something that needs the session is used outside the session
/// provider: a developer sees what is wrong at once.
pub fn missing_provider() -> Html {
    html! {
        <div class="notice notice-error" role="alert">
            { "Lanyard is wired wrong: this part of the page needs a SessionProvider around it." }
        </div>
    }
}
