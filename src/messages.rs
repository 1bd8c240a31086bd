//! The sentences users read about errors and ended sessions. The client's `Display` is for developers;
//! this is the app's voice.

use lanyard_client::{EndReason, Error};

/// What to tell the user about a failed call: the server's own message when it sent one (it knows best:
/// "Wrong username or password."), otherwise a plain sentence for the kind of failure.
pub fn user_message(err: &Error) -> String {
    if let Some(message) = err.server_message() {
        return message.to_owned();
    }
    kind_message(err).to_owned()
}

fn kind_message(err: &Error) -> &'static str {
    match err {
        Error::Network(_) => "Couldn't reach the server. Check your connection and try again.",
        Error::Offline => "You're offline. Try again once you're back online.",
        Error::Timeout => "The server took too long to answer. Please try again.",
        Error::Aborted => "The request was cancelled.",
        Error::Http { status, .. } => http_message(*status),
        Error::Decode { .. } => {
            "The server sent an answer the app couldn't read. Please try again later."
        }
        Error::SessionEnded => "Your session has ended. Please sign in again.",
        Error::RefreshUnavailable => {
            "Couldn't reach the server to renew your session. Check your connection and try again."
        }
        Error::QueueFull => {
            "Too many requests are waiting for your session to be renewed. Please try again in a moment."
        }
        Error::QueueTimeout => "Renewing your session took too long. Please try again.",
        Error::CookiesNotKept { .. } => COOKIES_NOT_KEPT,
        _ => "Something went wrong. Please try again.",
    }
}

fn http_message(status: u16) -> &'static str {
    match status {
        400 => "The server couldn't understand the request.",
        401 => "You need to sign in to do that.",
        403 => "You don't have permission to do that.",
        404 => "We couldn't find what you were looking for.",
        409 => "That conflicts with a change made elsewhere. Reload and try again.",
        413 => "That's too large to send.",
        422 => "Some fields need attention.",
        429 => "Too many requests. Please wait a moment and try again.",
        500..=599 => "The server had a problem. Please try again in a moment.",
        _ => "The request failed.",
    }
}

const COOKIES_NOT_KEPT: &str = "Your browser didn't keep the sign-in cookies, so you can't stay signed in. \
     Allow cookies for this site (and, if you use a private window or block third-party cookies, try without), \
     then sign in again.";

/// The notice on the login page after a session ended; `None` when there is nothing to explain.
pub fn ended_notice(reason: EndReason) -> Option<&'static str> {
    match reason {
        EndReason::CookiesNotKept => Some(COOKIES_NOT_KEPT),
        EndReason::SignedOutElsewhere => Some("You signed out in another tab."),
        EndReason::SignedOut => None,
        _ => Some(
            "Your session has ended. Please sign in again — you'll be taken back to where you were.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanyard_client::ErrorBody;

    #[test]
    fn the_server_message_wins_when_there_is_one() {
        let err = Error::Http {
            status: 401,
            body: ErrorBody::parse(br#"{"error":{"code":"invalid_credentials","message":"Wrong username or password."}}"#),
            retry_after_secs: None,
        };
        assert_eq!(user_message(&err), "Wrong username or password.");
        let bare = Error::Http {
            status: 503,
            body: ErrorBody::parse(b"<html>"),
            retry_after_secs: None,
        };
        assert_eq!(
            user_message(&bare),
            "The server had a problem. Please try again in a moment."
        );
        assert_eq!(
            user_message(&Error::SessionEnded),
            "Your session has ended. Please sign in again."
        );
    }

    #[test]
    fn developer_detail_stays_out_of_the_message() {
        let msg = user_message(&Error::Network("TypeError: Failed to fetch".into()));
        assert!(!msg.contains("TypeError"), "{msg}");
        let decode = Error::Decode {
            endpoint: "GET /api/me".into(),
            message: "missing field `id`".into(),
        };
        assert!(user_message(&decode).contains("couldn't read"));
        assert!(!user_message(&decode).contains("missing field"));
    }

    #[test]
    fn cookies_the_browser_did_not_keep_are_not_an_ended_session() {
        let not_kept = Error::CookiesNotKept {
            cookie: "lanyard_csrf".into(),
        };
        assert!(user_message(&not_kept).contains("didn't keep the sign-in cookies"));
        let notice = ended_notice(EndReason::CookiesNotKept).unwrap_or_default();
        assert!(notice.contains("didn't keep"), "{notice}");
        assert!(!notice.contains("has ended"), "{notice}");
    }

    #[test]
    fn signing_out_here_needs_no_notice() {
        assert_eq!(ended_notice(EndReason::SignedOut), None);
        assert!(ended_notice(EndReason::RefreshRefused).is_some());
        assert_eq!(
            ended_notice(EndReason::SignedOutElsewhere),
            Some("You signed out in another tab.")
        );
    }
}
