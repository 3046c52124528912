//! Sign-in throttling.
//!
//! Per account: the failure counter lives in the `users` row, so it holds across server
//! processes. Lockouts grow with repeated failures but are capped, so an anonymous caller
//! can delay a user's sign-in, never lock them out for good.
//!
//! Per client address: an in-memory window per process, which is enough to slow a single
//! source guessing across many accounts.

use super::clock::{MINUTE, Millis, SECOND};
use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
};

/// Failures allowed before an account is locked for a while.
pub const FREE_ATTEMPTS: i64 = 5;
const FIRST_LOCK: Millis = 30 * SECOND;
const MAX_LOCK: Millis = 15 * MINUTE;

/// How long to lock an account after its `failures`-th consecutive failure.
pub fn account_lock_for(failures: i64) -> Option<Millis> {
    if failures < FREE_ATTEMPTS {
        return None;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(10) as u32;
    Some((FIRST_LOCK << doublings).min(MAX_LOCK))
}

const IP_WINDOW: Millis = 10 * MINUTE;
const IP_MAX_FAILURES: u32 = 30;

#[derive(Clone, Debug, Default)]
pub struct IpThrottle {
    failures: Arc<Mutex<HashMap<IpAddr, (Millis, u32)>>>,
}

impl IpThrottle {
    /// When the address may try again, if it is blocked now.
    pub fn blocked_until(&self, ip: IpAddr, now: Millis) -> Option<Millis> {
        let map = self.failures.lock().expect("throttle lock");
        map.get(&ip).and_then(|&(start, count)| {
            (count >= IP_MAX_FAILURES && now < start + IP_WINDOW).then_some(start + IP_WINDOW)
        })
    }

    pub fn record_failure(&self, ip: IpAddr, now: Millis) {
        let mut map = self.failures.lock().expect("throttle lock");
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now < *start + IP_WINDOW);
        }
        let entry = map.entry(ip).or_insert((now, 0));
        if now >= entry.0 + IP_WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_lock_grows_and_is_capped() {
        let table = [
            (0, None),
            (4, None),
            (5, Some(30 * SECOND)),
            (6, Some(60 * SECOND)),
            (7, Some(2 * MINUTE)),
            (9, Some(8 * MINUTE)),
            (10, Some(MAX_LOCK)),
            (1_000, Some(MAX_LOCK)),
        ];
        for (failures, expected) in table {
            assert_eq!(account_lock_for(failures), expected, "{failures}");
        }
    }

    #[test]
    fn ip_window() {
        let t = IpThrottle::default();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..IP_MAX_FAILURES - 1 {
            t.record_failure(ip, 0);
        }
        assert_eq!(t.blocked_until(ip, 1), None);
        t.record_failure(ip, 1);
        assert_eq!(t.blocked_until(ip, 2), Some(IP_WINDOW));
        assert_eq!(t.blocked_until(ip, IP_WINDOW), None);
        t.record_failure(ip, IP_WINDOW);
        assert_eq!(t.blocked_until(ip, IP_WINDOW + 1), None);
    }
}
