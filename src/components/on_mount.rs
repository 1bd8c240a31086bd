use yew::prelude::*;

/// Emits `callback` once, after the first render. One hook for every page's "on mount" effect: each
/// closure given to `use_effect_with` is a copy of Yew's effect code of its own.
#[hook]
pub fn use_on_mount(callback: Callback<()>) {
    use_effect_with((), move |_| callback.emit(()));
}
