//! When to run next. Full runs back off after failures (a valley full of phones must not
//! hammer the county), but while something waits a probe of a few hundred bytes asks every
//! [`PROBE_EVERY`] whether the county answers again, so two minutes of signal on a hilltop
//! are not spent waiting out a backoff.

use std::time::Duration;

use super::{SyncFailure, SyncReport};

/// Between runs while records or photos wait (and nothing failed).
pub const WHILE_PENDING: Duration = Duration::from_secs(3 * 60);
/// Between runs when nothing waits: still pulls the county's plans and alerts.
pub const IDLE: Duration = Duration::from_secs(15 * 60);
/// After a run that was cut off but got something through: the link works, go on.
pub const AFTER_CUT: Duration = Duration::from_millis(200);
/// The first retry after a failure that got nothing through; doubled each time up to
/// [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(20);
/// The longest wait between retries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30 * 60);
/// While something waits and the county could not be reached: how often to ask whether it
/// answers again (±25 % jitter, so at most 37.5 s between probes).
pub const PROBE_EVERY: Duration = Duration::from_secs(30);

/// What to do until the next run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// The next run, from now.
    pub run_in: Duration,
    /// Meanwhile, probe this often and run as soon as the county answers.
    pub probe_every: Option<Duration>,
}

impl Plan {
    fn run_in(run_in: Duration) -> Self {
        Self { run_in, probe_every: None }
    }
}

/// When to run next, from how runs went.
#[derive(Debug, Default)]
pub struct Schedule {
    failures: u32,
}

impl Schedule {
    /// The plan after a run that ended with `outcome`, having done `report`; `pending` says
    /// whether anything still waits to be sent.
    pub fn after(&mut self, outcome: &Result<(), SyncFailure>, report: &SyncReport, pending: bool) -> Plan {
        match outcome {
            Ok(()) => {
                self.failures = 0;
                Plan::run_in(if pending { WHILE_PENDING } else { IDLE })
            }
            // Not enrolled, revoked: nothing changes until someone acts (and wakes the worker).
            Err(e) if !e.is_transient() => Plan::run_in(IDLE),
            // A hilltop with two minutes of signal: a cut after progress retries at once.
            Err(_) if report.progressed() => {
                self.failures = 0;
                Plan::run_in(AFTER_CUT)
            }
            Err(_) => {
                self.failures += 1;
                let run_in = backoff(self.failures);
                Plan { run_in, probe_every: (pending && run_in > PROBE_EVERY).then(|| jitter(PROBE_EVERY, 0.25)) }
            }
        }
    }
}

/// The wait before retry `failures` (1, 2, …): doubling, capped, ±50 % jitter so a valley
/// full of phones does not hit the county at the same second.
pub fn backoff(failures: u32) -> Duration {
    let base = FIRST_BACKOFF.saturating_mul(1u32 << failures.saturating_sub(1).min(16)).min(MAX_BACKOFF);
    jitter(base, 0.5)
}

/// `base` scaled by a factor in [1 − spread, 1 + spread).
fn jitter(base: Duration, spread: f64) -> Duration {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    base.mul_f64(1.0 - spread + 2.0 * spread * f64::from(nanos % 1000) / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        for failures in 1..=20 {
            let base = FIRST_BACKOFF.saturating_mul(1 << (failures - 1).min(16)).min(MAX_BACKOFF);
            let wait = backoff(failures);
            assert!(wait >= base.mul_f64(0.5) && wait <= base.mul_f64(1.5), "{failures}: {wait:?} around {base:?}");
        }
        assert!(backoff(30) <= MAX_BACKOFF.mul_f64(1.5));
    }

    #[test]
    fn a_cut_after_progress_retries_at_once_and_success_resets() {
        let mut s = Schedule::default();
        let offline = Err(SyncFailure::Offline("no route".into()));
        let nothing = SyncReport::default();
        assert!(s.after(&offline, &nothing, true).run_in >= FIRST_BACKOFF / 2);
        assert!(s.after(&offline, &nothing, true).run_in >= FIRST_BACKOFF, "doubles");
        let some = SyncReport { photo_bytes_sent: 1, ..SyncReport::default() };
        assert_eq!(s.after(&offline, &some, true), Plan { run_in: AFTER_CUT, probe_every: None });
        assert!(s.after(&offline, &nothing, true).run_in <= FIRST_BACKOFF.mul_f64(1.5), "progress reset the backoff");
        assert_eq!(s.after(&Ok(()), &some, false).run_in, IDLE);
        assert_eq!(s.after(&Err(SyncFailure::Revoked("x".into())), &nothing, true), Plan { run_in: IDLE, probe_every: None }, "no hammering when revoked");
    }

    #[test]
    fn while_something_waits_a_long_backoff_is_watched_by_probes_under_a_minute() {
        let mut s = Schedule::default();
        let offline = Err(SyncFailure::Offline("connection refused".into()));
        let nothing = SyncReport::default();
        let mut plan = s.after(&offline, &nothing, true);
        for _ in 0..10 {
            plan = s.after(&offline, &nothing, true);
        }
        assert!(plan.run_in >= MAX_BACKOFF / 2, "runs back off to minutes: {plan:?}");
        let probe = plan.probe_every.expect("probes while a record waits");
        assert!(probe <= PROBE_EVERY.mul_f64(1.25) && probe >= PROBE_EVERY.mul_f64(0.75), "{probe:?}");
        assert_eq!(s.after(&offline, &nothing, false).probe_every, None, "nothing waits: no probes, the backoff is enough");
    }
}
