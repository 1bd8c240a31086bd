//! "You're offline": one quiet notice while the browser reports no connection, gone when it is back.

use lanyard_client::{Client, ClientEvent};
use yew::prelude::*;

/// Whether the browser is online now, following the client's connectivity events.
#[hook]
pub fn use_online(client: Option<Client>) -> bool {
    let online = use_state(|| web_sys::window().is_none_or(|w| w.navigator().on_line()));
    {
        let online = online.clone();
        use_effect_with(client, move |client| {
            let subscription = client.as_ref().map(|client| {
                client.subscribe(move |event| {
                    if let ClientEvent::Connectivity { online: now } = event {
                        online.set(*now);
                    }
                })
            });
            move || drop(subscription)
        });
    }
    *online
}

/// The notice, when offline.
pub fn offline_notice(online: bool) -> Html {
    if online {
        return Html::default();
    }
    html! {
        <p class="notice notice-offline container" role="status" data-testid="offline-notice">
            { "You're offline. Nothing is lost: what you do will work again once you're back online." }
        </p>
    }
}
