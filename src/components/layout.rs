use crate::app::use_config;
use crate::app::use_session;
use crate::components::route_link;
use crate::routes::Route;
use crate::user::ADMIN;
use lanyard_yew::SessionUser;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LayoutProps {
    #[prop_or_default]
    pub children: Html,
}

/// The frame around every page: skip link, navigation, the signed-in user, and `<main>`.
/// On each route change it moves focus to the new page's heading, as a screen reader user expects.
#[component]
pub fn Layout(props: &LayoutProps) -> Html {
    let session = use_session();
    let config = use_config();
    let location = use_location();
    let path = location.map(|l| l.path().to_string()).unwrap_or_default();
    let first_render = use_mut_ref(|| true);
    use_effect_with(path.clone(), move |_| {
        if std::mem::replace(&mut *first_render.borrow_mut(), false) {
            return;
        }
        focus_page_heading();
    });

    let online = super::use_online(session.as_ref().map(|s| s.client().clone()));
    let user = session.as_ref().and_then(|s| s.user().cloned());
    let is_admin = user.as_ref().is_some_and(|u| u.has_role(ADMIN));
    let nav_link = |route: Route, label: &'static str| {
        let current = Route::recognize(&path).as_ref() == Some(&route);
        let aria_current = current.then_some("page");
        html! {
            <li>{ route_link(route, classes!(current.then_some("active")),
                html! { <span aria-current={aria_current}>{ label }</span> }) }</li>
        }
    };
    let signed_in_nav = user.as_ref().map(|user| {
        let logout = session.clone().map(|session| Callback::from(move |_: MouseEvent| session.logout()));
        html! {
            <>
                <ul class="nav-links">
                    { nav_link(Route::Home, "Dashboard") }
                    { nav_link(Route::Notes, "Notes") }
                    { nav_link(Route::Profile, "Profile") }
                    if is_admin { { nav_link(Route::Admin, "Admin") } }
                    if crate::config::LAB_BUILT && config.lab_enabled { { nav_link(Route::Lab, "Lab") } }
                </ul>
                <div class="nav-user">
                    <span class="user-name" data-testid="user-name">{ user.display_name.clone() }</span>
                    <button class="button button-quiet" onclick={logout} data-testid="sign-out">{ "Sign out" }</button>
                </div>
            </>
        }
    });
    html! {
        <>
            <a class="skip-link" href="#main">{ "Skip to content" }</a>
            <header class="site-header">
                <nav class="nav container" aria-label="Main">
                    { route_link(Route::Home, "brand".into(), html! {
                        <><span class="brand-mark" aria-hidden="true">{ "L" }</span>{ "Lanyard" }</>
                    }) }
                    { for signed_in_nav }
                </nav>
            </header>
            { super::offline_notice(online) }
            <main id="main" class="container" tabindex="-1">
                { props.children.clone() }
            </main>
        </>
    }
}

fn focus_page_heading() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let target = document
        .query_selector("#main h1")
        .ok()
        .flatten()
        .or_else(|| document.get_element_by_id("main"));
    if let Some(element) = target {
        if !element.has_attribute("tabindex") {
            let _ = element.set_attribute("tabindex", "-1");
        }
        if let Ok(element) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(element) {
            let _ = element.focus();
        }
    }
}
