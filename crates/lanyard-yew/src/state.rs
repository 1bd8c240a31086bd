//! The session as a UI sees it, and how the client's events change it. Pure, so it is tested on the host.

use lanyard_client::{EndReason, Error};

/// Where the session stands. Guards render protected content only in `SignedIn`.
///
/// ```
/// use lanyard_yew::SessionState;
/// use lanyard_client::EndReason;
///
/// let state: SessionState<String> = SessionState::SignedIn("ada".into());
/// assert_eq!(state.user().map(String::as_str), Some("ada"));
/// assert!(!SessionState::<String>::Ended(EndReason::RefreshRefused).is_signed_in());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum SessionState<U> {
    /// Start-up (or a re-check): "who am I" has not answered yet.
    Checking,
    /// Someone is signed in.
    SignedIn(U),
    /// Nobody is signed in and nothing ended: a first visit, or after signing out in this tab.
    SignedOut,
    /// A session that existed is over (never [`EndReason::SignedOut`]: signing out here is `SignedOut`).
    Ended(EndReason),
    /// The backend could not be asked (network, timeout, 5xx): not a sign-out; offer a retry.
    Unreachable(Error),
}

impl<U> SessionState<U> {
    /// The signed-in user, if any.
    pub fn user(&self) -> Option<&U> {
        match self {
            SessionState::SignedIn(user) => Some(user),
            _ => None,
        }
    }

    /// Whether someone is signed in.
    pub fn is_signed_in(&self) -> bool {
        matches!(self, SessionState::SignedIn(_))
    }

    /// Whether the user must sign in to see protected content (known to be signed out or ended).
    pub fn must_sign_in(&self) -> bool {
        matches!(self, SessionState::SignedOut | SessionState::Ended(_))
    }
}

/// Everything that can happen to the session.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SessionEvent<U> {
    /// Start-up check, or a retry of it.
    CheckStarted,
    /// "Who am I" answered with a user, or a sign-in succeeded.
    SignedIn(U),
    /// "Who am I" found no session.
    NoSession,
    /// "Who am I" failed for a reason other than "not signed in".
    CheckFailed(Error),
    /// The client reports the session is over (signed out here, elsewhere, or refused).
    Ended(EndReason),
}

/// The transition function.
pub(crate) fn reduce<U: Clone>(state: &SessionState<U>, event: SessionEvent<U>) -> SessionState<U> {
    match event {
        SessionEvent::CheckStarted => SessionState::Checking,
        SessionEvent::SignedIn(user) => SessionState::SignedIn(user),
        SessionEvent::NoSession => match state {
            // The check raced with the end of a session we knew: keep telling the user why.
            SessionState::Ended(reason) => SessionState::Ended(*reason),
            _ => SessionState::SignedOut,
        },
        SessionEvent::CheckFailed(error) => SessionState::Unreachable(error),
        // Signing out here is not an "ended" notice, whatever the state was.
        SessionEvent::Ended(EndReason::SignedOut) => SessionState::SignedOut,
        SessionEvent::Ended(reason) => match state {
            // Only a session that existed can end; during start-up "ended" just means "no session".
            SessionState::SignedIn(_) => SessionState::Ended(reason),
            SessionState::Ended(previous) => SessionState::Ended(*previous),
            SessionState::Checking | SessionState::Unreachable(_) | SessionState::SignedOut => {
                if reason == EndReason::SignedOutElsewhere {
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

    type State = SessionState<&'static str>;
    type Event = SessionEvent<&'static str>;

    #[test]
    fn start_up_resolves_to_signed_in_or_signed_out() {
        let checking = reduce(&State::SignedOut, Event::CheckStarted);
        assert_eq!(checking, State::Checking);
        assert_eq!(
            reduce(&checking, Event::SignedIn("ada")),
            State::SignedIn("ada")
        );
        assert_eq!(reduce(&checking, Event::NoSession), State::SignedOut);
    }

    #[test]
    fn only_a_live_session_can_end() {
        let signed_in = State::SignedIn("ada");
        let ended = reduce(&signed_in, Event::Ended(EndReason::RefreshRefused));
        assert_eq!(ended, State::Ended(EndReason::RefreshRefused));
        assert!(ended.must_sign_in());
        // A refused refresh during the start-up check means "nobody signed in", not "session ended".
        assert_eq!(
            reduce(&State::Checking, Event::Ended(EndReason::RefreshRefused)),
            State::Checking
        );
        assert_eq!(
            reduce(&State::SignedOut, Event::Ended(EndReason::EndedElsewhere)),
            State::SignedOut
        );
    }

    #[test]
    fn the_first_reason_sticks_until_sign_in() {
        let ended = State::Ended(EndReason::SignedOutElsewhere);
        assert_eq!(
            reduce(&ended, Event::Ended(EndReason::RefreshRefused)),
            ended
        );
        assert_eq!(reduce(&ended, Event::NoSession), ended);
        assert_eq!(
            reduce(&ended, Event::SignedIn("ada")),
            State::SignedIn("ada")
        );
    }

    #[test]
    fn unreachable_server_is_not_a_sign_out() {
        let state = reduce(&State::Checking, Event::CheckFailed(Error::Timeout));
        assert_eq!(state, State::Unreachable(Error::Timeout));
        assert!(!state.is_signed_in() && !state.must_sign_in());
        assert_eq!(reduce(&state, Event::CheckStarted), State::Checking);
    }

    #[test]
    fn signing_out_here_shows_no_notice() {
        let state = reduce(&State::SignedIn("ada"), Event::Ended(EndReason::SignedOut));
        assert_eq!(state, State::SignedOut);
        assert_eq!(state.user(), None);
        let ended = State::Ended(EndReason::RefreshRefused);
        assert_eq!(
            reduce(&ended, Event::Ended(EndReason::SignedOut)),
            State::SignedOut
        );
    }

    #[test]
    fn sign_out_elsewhere_before_start_up_finished_is_plain_signed_out() {
        assert_eq!(
            reduce(
                &State::Checking,
                Event::Ended(EndReason::SignedOutElsewhere)
            ),
            State::SignedOut
        );
    }
}
