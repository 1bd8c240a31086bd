//! What the app knows about the session, and how events change it. Pure, so it is tested on the host.

use crate::client::User;

/// Why a session that existed is over; shown as a notice on the login page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndedReason {
    /// The session could not be renewed: it expired or the server revoked it.
    Expired,
    /// The user signed out in another tab.
    SignedOutElsewhere,
    /// The server revoked the session (e.g. a refresh token was reused).
    Revoked,
}

impl EndedReason {
    pub fn notice(self) -> &'static str {
        match self {
            EndedReason::Expired => "Your session has ended. Please sign in again — you'll be taken back to where you were.",
            EndedReason::SignedOutElsewhere => "You signed out in another tab.",
            EndedReason::Revoked => "Your session was ended by the server for your security. Please sign in again.",
        }
    }
}

/// The session as the UI sees it. Guards render protected content only in `SignedIn`.
#[derive(Clone, Debug, PartialEq)]
pub enum SessionState {
    /// Start-up: `GET /me` (which may refresh) has not answered yet.
    Checking,
    SignedIn(User),
    /// Nobody is signed in and nothing ended: a first visit, or after signing out here.
    SignedOut,
    /// A session existed and is over.
    Ended(EndedReason),
    /// The server could not be reached to learn the session; the page offers a retry.
    Unreachable(String),
}

impl SessionState {
    pub fn user(&self) -> Option<&User> {
        match self {
            SessionState::SignedIn(user) => Some(user),
            _ => None,
        }
    }

    pub fn is_signed_in(&self) -> bool {
        matches!(self, SessionState::SignedIn(_))
    }
}

/// Everything that can happen to the session.
#[derive(Clone, Debug, PartialEq)]
pub enum SessionEvent {
    /// Start-up check, or a retry of it.
    CheckStarted,
    /// `GET /me` answered with a user, or a login succeeded (here or in another tab).
    SignedIn(User),
    /// `GET /me` found no session.
    NoSession,
    /// `GET /me` failed for a reason other than "not signed in".
    CheckFailed(String),
    /// The user signed out in this tab.
    SignedOut,
    /// The client reports the session is over.
    Ended(EndedReason),
}

/// The transition function.
pub fn reduce(state: &SessionState, event: SessionEvent) -> SessionState {
    match event {
        SessionEvent::CheckStarted => SessionState::Checking,
        SessionEvent::SignedIn(user) => SessionState::SignedIn(user),
        SessionEvent::NoSession => match state {
            // The check raced with the end of a session we knew: keep telling the user why.
            SessionState::Ended(reason) => SessionState::Ended(*reason),
            _ => SessionState::SignedOut,
        },
        SessionEvent::CheckFailed(message) => SessionState::Unreachable(message),
        SessionEvent::SignedOut => SessionState::SignedOut,
        SessionEvent::Ended(reason) => match state {
            // Only a session that existed can end; during start-up "ended" just means "no session".
            SessionState::SignedIn(_) => SessionState::Ended(reason),
            SessionState::Ended(previous) => SessionState::Ended(*previous),
            SessionState::Checking | SessionState::Unreachable(_) | SessionState::SignedOut => {
                if reason == EndedReason::SignedOutElsewhere {
                    SessionState::SignedOut
                } else {
                    state.clone()
                }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User {
            id: 1,
            username: "user".into(),
            display_name: "Uma User".into(),
            roles: vec![],
        }
    }

    #[test]
    fn start_up_resolves_to_signed_in_or_signed_out() {
        let checking = reduce(&SessionState::SignedOut, SessionEvent::CheckStarted);
        assert_eq!(checking, SessionState::Checking);
        assert_eq!(
            reduce(&checking, SessionEvent::SignedIn(user())),
            SessionState::SignedIn(user())
        );
        assert_eq!(
            reduce(&checking, SessionEvent::NoSession),
            SessionState::SignedOut
        );
    }

    #[test]
    fn only_a_live_session_can_end() {
        let signed_in = SessionState::SignedIn(user());
        let ended = reduce(&signed_in, SessionEvent::Ended(EndedReason::Expired));
        assert_eq!(ended, SessionState::Ended(EndedReason::Expired));
        // A refused refresh during the start-up check means "nobody signed in", not "session ended".
        assert_eq!(
            reduce(
                &SessionState::Checking,
                SessionEvent::Ended(EndedReason::Expired)
            ),
            SessionState::Checking
        );
        assert_eq!(
            reduce(
                &SessionState::SignedOut,
                SessionEvent::Ended(EndedReason::Revoked)
            ),
            SessionState::SignedOut
        );
    }

    #[test]
    fn the_first_reason_sticks_until_sign_in() {
        let ended = SessionState::Ended(EndedReason::SignedOutElsewhere);
        assert_eq!(
            reduce(&ended, SessionEvent::Ended(EndedReason::Expired)),
            ended
        );
        assert_eq!(reduce(&ended, SessionEvent::NoSession), ended);
        assert_eq!(
            reduce(&ended, SessionEvent::SignedIn(user())),
            SessionState::SignedIn(user())
        );
    }

    #[test]
    fn unreachable_server_is_not_a_sign_out() {
        let state = reduce(
            &SessionState::Checking,
            SessionEvent::CheckFailed("offline".into()),
        );
        assert_eq!(state, SessionState::Unreachable("offline".into()));
        assert!(!state.is_signed_in());
        assert_eq!(
            reduce(&state, SessionEvent::CheckStarted),
            SessionState::Checking
        );
    }

    #[test]
    fn signing_out_here_shows_no_notice() {
        let state = reduce(&SessionState::SignedIn(user()), SessionEvent::SignedOut);
        assert_eq!(state, SessionState::SignedOut);
        assert_eq!(state.user(), None);
    }

    #[test]
    fn sign_out_elsewhere_before_start_up_finished_is_plain_signed_out() {
        assert_eq!(
            reduce(
                &SessionState::Checking,
                SessionEvent::Ended(EndedReason::SignedOutElsewhere)
            ),
            SessionState::SignedOut
        );
    }
}
