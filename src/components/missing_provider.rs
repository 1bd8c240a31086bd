use yew::prelude::*;

/// Rendered instead of panicking when a component that needs the session is used outside
/// `SessionProvider`: a developer sees what is wrong at once.
#[component]
pub fn MissingProvider() -> Html {
    html! {
        <div class="notice notice-error" role="alert">
            { "Lanyard is wired wrong: this part of the page needs a SessionProvider around it." }
        </div>
    }
}
