//! Every user and how many sessions each has open. The route guard already requires the admin role.

use super::api::{self, UserSummary};
use super::PageProps;
use crate::components::{remote_view, roles, use_fetch};
use yew::prelude::*;

#[component]
pub fn Admin(props: &PageProps) -> Html {
    let me = props.account.user.id.clone();
    let (users, reload) =
        use_fetch::<Vec<UserSummary>>(&props.account.client, api::ADMIN_USERS.to_string());
    let content = remote_view(&users, "the users", reload, |users| {
        html! {
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
                                <tr key={row.user.id.clone()} data-testid="admin-user-row">
                                    <th scope="row">
                                        { row.user.username.clone() }
                                        if row.user.id == me { <span class="badge badge-accent">{ "you" }</span> }
                                    </th>
                                    <td>{ row.user.display_name.clone() }</td>
                                    <td>{ roles(&row.user.roles) }</td>
                                    <td class="numeric">{ row.active_sessions }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
        }
    });
    html! {
        <div class="page" data-testid="admin">
            <header class="page-header">
                <h1>{ "Users" }</h1>
                <p class="lead">{ "Everyone with an account, and how many sessions each has open." }</p>
            </header>
            <section class="card" aria-busy={users.is_loading().then_some("true")}>
                { content }
            </section>
        </div>
    }
}
