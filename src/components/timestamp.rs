use yew::prelude::*;

/// A point in time (Unix milliseconds) in the reader's own locale, with the exact instant in `datetime` for
/// machines.
pub fn timestamp(ms: i64) -> Html {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    // An out-of-range time gives an invalid Date, whose toISOString throws: show nothing rather than fail.
    if date.get_time().is_nan() {
        return html! {};
    }
    let iso = String::from(date.to_iso_string());
    html! { <time datetime={iso}>{ format_local(&date) }</time> }
}

/// `Intl.DateTimeFormat` with the browser's locale, medium date and short time.
pub fn format_local(date: &js_sys::Date) -> String {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options).format();
    format
        .call1(&wasm_bindgen::JsValue::NULL, date)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| String::from(date.to_utc_string()))
}
