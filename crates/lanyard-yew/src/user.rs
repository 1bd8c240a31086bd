//! What the session needs to know about your user type.

use serde::de::DeserializeOwned;

/// A signed-in user as your app models it. Lanyard never looks inside it: the sign-in and "who am I"
/// answers are decoded into [`SessionUser::Answer`] (your shape, your field names) and turned into the user.
///
/// ```
/// use lanyard_yew::SessionUser;
/// use serde::Deserialize;
///
/// #[derive(Clone, PartialEq, Deserialize)]
/// struct User {
///     id: String,
///     #[serde(default)]
///     roles: Vec<String>,
/// }
///
/// /// Sign-in and "who am I" answer `{"user": {...}, "access_expires_at": …}`.
/// #[derive(Deserialize)]
/// struct Answer {
///     user: User,
/// }
///
/// impl SessionUser for User {
///     type Answer = Answer;
///     fn from_answer(answer: Answer) -> Self {
///         answer.user
///     }
///     fn has_role(&self, role: &str) -> bool {
///         self.roles.iter().any(|r| r == role)
///     }
/// }
/// ```
pub trait SessionUser: Clone + PartialEq + 'static {
    /// The JSON body of the sign-in and "who am I" answers.
    type Answer: DeserializeOwned;

    /// The user in an answer.
    fn from_answer(answer: Self::Answer) -> Self;

    /// Whether the user holds `role`, for [`RequireRole`](crate::RequireRole). Default: no roles.
    fn has_role(&self, role: &str) -> bool {
        let _ = role;
        false
    }
}
