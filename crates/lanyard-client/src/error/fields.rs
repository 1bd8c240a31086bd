//! Per-field validation messages of an error answer.

/// Per-field validation messages (field name → message), in the order the server sent them; a field the
/// server named twice keeps its first message.
///
/// ```
/// use lanyard_client::ErrorBody;
///
/// let body = ErrorBody::parse(br#"{"error": {"code": "validation", "fields": {"title": "Required."}}}"#);
/// assert_eq!(body.fields.get("title"), Some("Required."));
/// assert_eq!(body.fields.get("body"), None);
/// let names: Vec<&str> = body.fields.iter().map(|(name, _)| name).collect();
/// assert_eq!(names, ["title"]);
/// ```
// A list, not a map: answers name a few fields, and a BTreeMap's code (~4 KB of wasm) was a tenth of what the
// client added to an app.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    /// No messages.
    pub const fn new() -> FieldErrors {
        FieldErrors(Vec::new())
    }

    /// The message for `field`, if the server flagged it.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, message)| message.as_str())
    }

    /// Each field and its message, in the server's order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(name, message)| (name.as_str(), message.as_str()))
    }

    /// How many fields were flagged.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no field was flagged.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds `message` for `field` unless the field already has one.
    pub(crate) fn insert_first(&mut self, field: String, message: String) {
        if self.get(&field).is_none() {
            self.0.push((field, message));
        }
    }
}
