//! Every user and how many sessions each has open. The route guard already requires the admin role.

use super::api::{self, UserSummary};
use crate::components::{use_fetch, Loading, MissingProvider, PageError, Remote, Roles};
use crate::session::use_session;
use yew::prelude::*;

#[component]
pub fn Admin() -> Html {
    let session = use_session();
    match session
        .as_ref()
        .and_then(|s| Some((s.client.clone(), s.user()?.id)))
    {
        Some((client, me)) => html! { <AdminPage {client} {me} /> },
        None => html! { <MissingProvider /> },
    }
}

#[derive(Properties, PartialEq)]
struct AdminPageProps {
    client: crate::client::Client,
    /// The signed-in admin, marked in the table.
    me: i64,
}

#[component]
fn AdminPage(props: &AdminPageProps) -> Html {
    let (users, reload) =
        use_fetch::<Vec<UserSummary>>(&props.client, api::ADMIN_USERS.to_string());
    let content = match &*users {
        Remote::Loading => html! { <Loading label="Loading users…" /> },
        Remote::Failed(err) => {
            let retry = (!err.is_session_ended()).then_some(reload);
            html! { <PageError title="Couldn't load the users" message={err.user_message()} {retry} /> }
        }
        Remote::Ready(users) => html! {
            // Scrolls sideways on a narrow screen instead of squeezing the columns.
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="admin-users-caption">
                <table class="table" data-testid="admin-users">
                    <caption id="admin-users-caption">{ format!("{} users", users.len()) }</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ "Username" }</th>
                            <th scope="col">{ "Display name" }</th>
                            <th scope="col">{ "Roles" }</th>
                            <th scope="col" class="numeric">{ "Active sessions" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for users.iter().map(|row| html! {
                            <tr key={row.user.id} data-testid="admin-user-row">
                                <th scope="row">
                                    { row.user.username.clone() }
                                    if row.user.id == props.me { <span class="badge badge-accent">{ "you" }</span> }
                                </th>
                                <td>{ row.user.display_name.clone() }</td>
                                <td><Roles roles={row.user.roles.clone()} /></td>
                                <td class="numeric">{ row.active_sessions }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };
    html! {
        <div class="page" data-testid="admin">
            <header class="page-header">
                <h1>{ "Users" }</h1>
                <p class="lead">{ "Everyone with an account, and how many sessions each has open." }</p>
            </header>
            <section class="card" aria-busy={matches!(*users, Remote::Loading).then_some("true")}>
                { content }
            </section>
        </div>
    }
}
