//! Login throttling, the way auth servers do it: per account and per client address, a few failures are free,
//! then each further failure locks that key out for twice as long as the last (1 s, 2 s, 4 s … capped). A
//! successful login clears its account and address. While locked, login answers 429 with `Retry-After`, even
//! for the right password, and no password check runs (so a flood costs no CPU).
//!
//! Attempts still being checked count too: once a key's free failures are used up by failures and attempts
//! under way together, it gets one attempt at a time. So a burst of wrong passwords sent at once cannot slip
//! more checks past the limit than a sequence of them could (they would all pass `check` before any failed).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The longest lock-out.
const MAX_LOCK: Duration = Duration::from_secs(300);
/// Keys remembered at most per table; past it, keys that are not locked are forgotten first.
const MAX_KEYS: usize = 10_000;

/// How many failures are free before lock-outs start.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub per_account: u32,
    pub per_address: u32,
}

#[derive(Clone, Copy, Debug, Default)]
struct Strikes {
    failures: u32,
    locked_until: Option<Instant>,
    /// Attempts admitted and not yet over.
    pending: u32,
}

struct Table<K> {
    free: u32,
    keys: Mutex<HashMap<K, Strikes>>,
}

impl<K: Eq + Hash> Table<K> {
    fn new(free: u32) -> Self {
        Table {
            free,
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn keys(&self) -> std::sync::MutexGuard<'_, HashMap<K, Strikes>> {
        // A panic while holding the lock leaves plain counters behind: still usable.
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long `key` is still locked out.
    fn locked_for(&self, key: &K, now: Instant) -> Option<Duration> {
        let until = self.keys().get(key)?.locked_until?;
        until.checked_duration_since(now).filter(|d| !d.is_zero())
    }

    fn failed(&self, key: K, now: Instant) {
        let mut keys = self.keys();
        if keys.len() >= MAX_KEYS && !keys.contains_key(&key) {
            keys.retain(|_, s| s.locked_until.is_some_and(|until| until > now));
            if keys.len() >= MAX_KEYS {
                keys.clear();
            }
        }
        let strikes = keys.entry(key).or_default();
        strikes.failures = strikes.failures.saturating_add(1);
        if let Some(over) = strikes.failures.checked_sub(self.free).filter(|n| *n > 0) {
            let lock = Duration::from_secs(1 << (over - 1).min(16)).min(MAX_LOCK);
            strikes.locked_until = Some(now + lock);
        }
    }

    /// Counts an attempt under way, unless the free failures are used up and one is already under way.
    fn reserve(&self, key: &K) -> bool
    where
        K: Clone,
    {
        let mut keys = self.keys();
        let strikes = keys.entry(key.clone()).or_default();
        let exhausted = strikes.failures.saturating_add(strikes.pending) >= self.free;
        if exhausted && strikes.pending > 0 {
            return false;
        }
        strikes.pending += 1;
        true
    }

    fn release(&self, key: &K) {
        if let Some(strikes) = self.keys().get_mut(key) {
            strikes.pending = strikes.pending.saturating_sub(1);
        }
    }

    fn clear(&self, key: &K) {
        // Attempts still under way keep their place: they release it when they end.
        if let Some(strikes) = self.keys().get_mut(key) {
            *strikes = Strikes {
                pending: strikes.pending,
                ..Strikes::default()
            };
        }
    }

    fn reset(&self) {
        self.keys().clear();
    }
}

/// A login attempt under way (see [`LoginThrottle::admit`]).
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    account: String,
    address: Option<IpAddr>,
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        self.throttle.accounts.release(&self.account);
        if let Some(address) = &self.address {
            self.throttle.addresses.release(address);
        }
    }
}

/// Failed logins by account (the username as typed, trimmed and lower-cased) and by client address.
pub struct LoginThrottle {
    accounts: Table<String>,
    addresses: Table<IpAddr>,
}

fn account_key(username: &str) -> String {
    username.trim().to_lowercase()
}

impl LoginThrottle {
    pub fn new(policy: Policy) -> Self {
        LoginThrottle {
            accounts: Table::new(policy.per_account),
            addresses: Table::new(policy.per_address),
        }
    }

    /// Lets a login attempt go to the password check: `Err(seconds to wait)` while the account or the address is
    /// locked out, or (1 s) while its free failures are used up and another attempt is still being checked.
    /// The attempt counts until the returned guard is dropped.
    pub fn admit(
        &self,
        username: &str,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<Attempt<'_>, u64> {
        self.check(username, address, now)?;
        let account = account_key(username);
        if !self.accounts.reserve(&account) {
            return Err(1);
        }
        if let Some(a) = address {
            if !self.addresses.reserve(&a) {
                self.accounts.release(&account);
                return Err(1);
            }
        }
        Ok(Attempt {
            throttle: self,
            account,
            address,
        })
    }

    /// `Err(seconds to wait)` while the account or the address is locked out.
    pub fn check(&self, username: &str, address: Option<IpAddr>, now: Instant) -> Result<(), u64> {
        let account = self.accounts.locked_for(&account_key(username), now);
        let address = address.and_then(|a| self.addresses.locked_for(&a, now));
        match account.max(address) {
            // Rounded up: "try again in 0 s" would invite an immediate retry that fails again.
            Some(wait) => Err(wait.as_millis().div_ceil(1000).max(1) as u64),
            None => Ok(()),
        }
    }

    pub fn failed(&self, username: &str, address: Option<IpAddr>, now: Instant) {
        self.accounts.failed(account_key(username), now);
        if let Some(address) = address {
            self.addresses.failed(address, now);
        }
    }

    pub fn succeeded(&self, username: &str, address: Option<IpAddr>) {
        self.accounts.clear(&account_key(username));
        if let Some(address) = address {
            self.addresses.clear(&address);
        }
    }

    /// Forgets everything (the test hooks' reset).
    pub fn reset(&self) {
        self.accounts.reset();
        self.addresses.reset();
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    fn throttle() -> LoginThrottle {
        LoginThrottle::new(Policy {
            per_account: 3,
            per_address: 10,
        })
    }

    #[test]
    fn free_failures_then_doubling_lockouts_until_a_success() {
        let t = throttle();
        let now = Instant::now();
        for _ in 0..3 {
            assert_eq!(t.check("Ada", HOME, now), Ok(()));
            t.failed(" ada ", HOME, now);
        }
        assert_eq!(t.check("ada", HOME, now), Ok(()), "three are free");
        t.failed("ada", HOME, now);
        assert_eq!(t.check("ADA", HOME, now), Err(1));
        assert_eq!(
            t.check("ada", HOME, now + Duration::from_millis(1_001)),
            Ok(())
        );
        t.failed("ada", HOME, now);
        assert_eq!(t.check("ada", HOME, now), Err(2));
        t.failed("ada", HOME, now);
        assert_eq!(t.check("ada", HOME, now), Err(4));
        assert_eq!(
            t.check("grace", None, now),
            Ok(()),
            "other accounts are not locked"
        );
        t.succeeded("ada", HOME);
        assert_eq!(t.check("ada", HOME, now), Ok(()));
    }

    #[test]
    fn an_address_spraying_many_accounts_is_locked_too() {
        let t = throttle();
        let now = Instant::now();
        for i in 0..11 {
            t.failed(&format!("user{i}"), HOME, now);
        }
        assert_eq!(t.check("someone-new", HOME, now), Err(1));
        assert_eq!(t.check("someone-new", None, now), Ok(()));
        t.reset();
        assert_eq!(t.check("someone-new", HOME, now), Ok(()));
    }

    #[test]
    fn a_burst_gets_no_more_checks_than_the_free_failures() {
        let t = throttle(); // 3 free per account
        let now = Instant::now();
        let burst: Vec<_> = (0..3)
            .map(|_| t.admit("ada", HOME, now).expect("within the free failures"))
            .collect();
        assert!(
            t.admit("ada", HOME, now).is_err(),
            "a fourth at once would exceed them"
        );
        // They all fail: locked out, as three wrong passwords in a row would be… plus none slipped through.
        for attempt in burst {
            t.failed("ada", HOME, now);
            drop(attempt);
        }
        assert_eq!(t.check("ada", HOME, now), Ok(()), "three are free");
        // Past the free ones: one attempt at a time.
        let one = t.admit("ada", HOME, now).expect("one");
        assert_eq!(t.admit("ada", HOME, now).err(), Some(1));
        drop(one);
        assert!(t.admit("ada", HOME, now).is_ok());
        // A success clears the failures but not the attempts still under way.
        let running = t.admit("grace", HOME, now).expect("another account");
        t.succeeded("grace", HOME);
        drop(running);
        assert_eq!(t.accounts.keys().get("grace").map(|s| s.pending), Some(0));
    }

    #[test]
    fn lockouts_are_capped_and_tables_bounded() {
        let t = throttle();
        let now = Instant::now();
        for _ in 0..100 {
            t.failed("ada", None, now);
        }
        assert_eq!(t.check("ada", None, now), Err(MAX_LOCK.as_secs()));
        for i in 0..(MAX_KEYS + 5) {
            t.failed(&format!("u{i}"), None, now);
        }
        assert!(t.accounts.keys().len() <= MAX_KEYS);
    }
}
