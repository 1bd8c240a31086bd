use super::*;

#[test]
fn owners_of_demangled_names() {
    assert_eq!(
        owner("lanyard::boot::start::{{closure}}"),
        "lanyard::boot::start"
    );
    assert_eq!(
        owner("<yew::html::component::lifecycle::CompStateInner<lanyard::app::App> as yew::html::component::lifecycle::Stateful>::view"),
        "yew::html::component::lifecycle::CompStateInner"
    );
    assert_eq!(
        owner("<yew::html::component::lifecycle::CompStateInner<COMP>>::view"),
        "yew::html::component::lifecycle::CompStateInner"
    );
    assert_eq!(owner("<&T as core::fmt::Debug>::fmt"), "core::fmt::Debug");
    assert_eq!(
        owner("<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop"),
        "alloc::vec::Vec"
    );
    assert_eq!(
        owner("core::ptr::drop_in_place<yew::virtual_dom::VNode>"),
        "core::ptr::drop_in_place"
    );
    assert_eq!(
        owner("__wbindgen_describe___wbg_fetch_1"),
        "__wbindgen_describe___wbg_fetch_1"
    );
}

#[test]
fn parts_by_prefix() {
    assert!(under("yew::html", "yew"));
    assert!(!under("yew_router::switch", "yew"));
    assert!(under("lanyard", "lanyard"));
    assert!(!under("lanyard_client::Client", "lanyard"));
    assert!(under("__wbindgen_describe_x", DESCRIBE));
}

/// The table for the wasm files cargo last built, without building:
/// `cargo test -p xtask breakdown::tests::last_builds -- --ignored --nocapture`.
#[test]
#[ignore = "reads the last release builds in target/"]
fn last_builds() {
    let floor = of(&cargo_wasm("floor"));
    print!("{}", table("the app", &of(&cargo_wasm("lanyard")), &floor));
    print!(
        "{}",
        table("the example", &of(&cargo_wasm("lanyard-example")), &floor)
    );
}

#[test]
fn a_wasm_without_names_is_refused() {
    // The smallest module: magic and version, nothing else.
    let err = parse(b"\0asm\x01\0\0\0").err().unwrap_or_default();
    assert!(err.contains("no `name` section"), "{err}");
}
