//! Closed-form queueing results the simulator is validated against.
//!
//! A playbook with Poisson arrivals, exponential handling times and one pool of reps is an M/M/c
//! queue, so the simulator's waiting times must agree with Erlang C there; any other playbook is
//! checked by the simulator alone.

use std::fmt;

/// Why a queue has no steady state to compare against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TheoryError {
    /// The arrival rate λ is zero, negative or not finite.
    InvalidArrivalRate(f64),
    /// The service rate μ per server is zero, negative or not finite.
    InvalidServiceRate(f64),
    /// A queue needs at least one server.
    NoServers,
    /// λ ≥ cμ: the queue grows without bound, so there are no steady-state values.
    Unstable {
        /// Offered load a = λ/μ in erlangs.
        load: f64,
        /// Number of servers c, which must exceed `load`.
        servers: u32,
    },
}

impl fmt::Display for TheoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TheoryError::InvalidArrivalRate(rate) => {
                write!(f, "arrival rate must be positive and finite, got {rate}")
            }
            TheoryError::InvalidServiceRate(rate) => {
                write!(f, "service rate must be positive and finite, got {rate}")
            }
            TheoryError::NoServers => write!(f, "a queue needs at least one server"),
            TheoryError::Unstable { load, servers } => write!(
                f,
                "queue is unstable: offered load of {load} erlangs needs more than {servers} servers"
            ),
        }
    }
}

impl std::error::Error for TheoryError {}

/// An M/M/c queue: Poisson arrivals at rate λ, exponential service at rate μ per server, c servers.
///
/// Construct it with [`MMc::new`], which guarantees the queue is stable; the formulas below assume
/// it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MMc {
    /// Arrival rate λ.
    pub lambda: f64,
    /// Service rate μ of one server.
    pub mu: f64,
    /// Number of servers c.
    pub servers: u32,
}

impl MMc {
    /// Validates the parameters, so every method can assume a stable queue with a steady state.
    pub fn new(lambda: f64, mu: f64, servers: u32) -> Result<MMc, TheoryError> {
        if !(lambda.is_finite() && lambda > 0.0) {
            return Err(TheoryError::InvalidArrivalRate(lambda));
        }
        if !(mu.is_finite() && mu > 0.0) {
            return Err(TheoryError::InvalidServiceRate(mu));
        }
        if servers == 0 {
            return Err(TheoryError::NoServers);
        }
        let queue = MMc {
            lambda,
            mu,
            servers,
        };
        if queue.utilisation() >= 1.0 {
            return Err(TheoryError::Unstable {
                load: queue.offered_load(),
                servers,
            });
        }
        Ok(queue)
    }

    /// Offered load a = λ/μ in erlangs: how many servers would be busy on average.
    pub fn offered_load(&self) -> f64 {
        self.lambda / self.mu
    }

    /// Utilisation ρ = a/c, the fraction of time each server is busy.
    pub fn utilisation(&self) -> f64 {
        self.offered_load() / f64::from(self.servers)
    }

    /// Erlang B blocking probability, the building block of Erlang C.
    ///
    /// Uses the recursion B(0) = 1, B(k) = aB(k−1) / (k + aB(k−1)), which stays in [0, 1] for any
    /// c, where the textbook aᶜ/c! form overflows from c ≈ 170.
    pub fn erlang_b(&self) -> f64 {
        let a = self.offered_load();
        (1..=self.servers).fold(1.0, |b, k| {
            let ab = a * b;
            ab / (f64::from(k) + ab)
        })
    }

    /// Erlang C: the probability that an arrival finds every server busy and has to wait.
    pub fn prob_wait(&self) -> f64 {
        let b = self.erlang_b();
        b / (1.0 - self.utilisation() * (1.0 - b))
    }

    /// Mean time in queue Wq = C / (cμ − λ), the figure the simulator's handoff delay is checked
    /// against.
    pub fn mean_wait(&self) -> f64 {
        self.prob_wait() / self.drain_rate()
    }

    /// P(W > t) = C·e^{−(cμ−λ)t}, for SLA-breach rates; 1 for negative `t`, since waits are never
    /// negative.
    pub fn prob_wait_longer_than(&self, t: f64) -> f64 {
        if t < 0.0 {
            return 1.0;
        }
        self.prob_wait() * (-self.drain_rate() * t).exp()
    }

    /// The smallest t with P(W ≤ t) ≥ p, for checking simulated wait percentiles.
    ///
    /// 0 when p ≤ 1 − C (that share of arrivals does not wait at all); infinity for p ≥ 1, which no
    /// finite wait reaches; NaN for NaN.
    pub fn wait_quantile(&self, p: f64) -> f64 {
        let c = self.prob_wait();
        if p <= 1.0 - c {
            0.0
        } else if p >= 1.0 {
            f64::INFINITY
        } else {
            (c / (1.0 - p)).ln() / self.drain_rate()
        }
    }

    /// Mean number waiting Lq = λ·Wq (Little's law), for the queue-length time average.
    pub fn mean_queue_length(&self) -> f64 {
        self.lambda * self.mean_wait()
    }

    /// Mean number in the system L = Lq + a: those waiting plus those being served.
    pub fn mean_in_system(&self) -> f64 {
        self.mean_queue_length() + self.offered_load()
    }

    /// The rate cμ − λ at which the excess capacity drains the queue.
    fn drain_rate(&self) -> f64 {
        f64::from(self.servers) * self.mu - self.lambda
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= 1e-12 * expected.abs().max(1.0)
    }

    #[test]
    fn three_servers_hand_checked() {
        let q = MMc::new(2.0, 1.0, 3).unwrap();
        assert_eq!(q.offered_load(), 2.0);
        assert!(close(q.utilisation(), 2.0 / 3.0));
        assert!(close(q.erlang_b(), 4.0 / 19.0));
        assert!(close(q.prob_wait(), 4.0 / 9.0));
        assert!(close(q.mean_wait(), 4.0 / 9.0));
        assert!(close(q.mean_queue_length(), 8.0 / 9.0));
        assert!(close(q.mean_in_system(), 26.0 / 9.0));
        assert!(close(q.prob_wait_longer_than(0.0), 4.0 / 9.0));
        assert!(close(
            q.prob_wait_longer_than(2.0),
            4.0 / 9.0 * (-2.0f64).exp()
        ));
        assert_eq!(q.prob_wait_longer_than(-1.0), 1.0);
    }

    #[test]
    fn wait_quantile_inverts_the_tail() {
        let q = MMc::new(2.0, 1.0, 3).unwrap();
        assert_eq!(q.wait_quantile(0.0), 0.0);
        assert_eq!(q.wait_quantile(5.0 / 9.0), 0.0);
        assert_eq!(q.wait_quantile(1.0), f64::INFINITY);
        assert!(q.wait_quantile(f64::NAN).is_nan());
        for p in [0.6, 0.9, 0.95, 0.999] {
            let t = q.wait_quantile(p);
            assert!(t > 0.0);
            assert!(close(1.0 - q.prob_wait_longer_than(t), p), "p={p}");
        }
    }

    #[test]
    fn single_server_sanity() {
        let (lambda, mu) = (0.75, 1.25);
        let q = MMc::new(lambda, mu, 1).unwrap();
        let rho = lambda / mu;
        assert!(close(q.prob_wait(), rho));
        assert!(close(q.mean_wait(), rho / (mu - lambda)));
        assert!(close(q.mean_in_system(), rho / (1.0 - rho)));
    }

    #[test]
    fn many_servers_stay_finite() {
        // Reference values from the factorial formula in 50-digit arithmetic (mpmath).
        let q = MMc::new(180.0, 1.0, 200).unwrap();
        let b = q.erlang_b();
        let c = q.prob_wait();
        assert!((0.0..=1.0).contains(&b) && (0.0..=1.0).contains(&c));
        assert!((b - 0.010324995204982297).abs() < 1e-13);
        assert!((c - 0.09447121817759082).abs() < 1e-13);
        assert!(q.mean_wait().is_finite());
        let heavy = MMc::new(9.5, 1.0, 10).unwrap();
        assert!((heavy.prob_wait() - 0.8255855781256986).abs() < 1e-13);
    }

    #[test]
    fn rejects_invalid_and_unstable_queues() {
        assert_eq!(
            MMc::new(1.0, 1.0, 1),
            Err(TheoryError::Unstable {
                load: 1.0,
                servers: 1
            })
        );
        assert!(matches!(
            MMc::new(7.0, 2.0, 3),
            Err(TheoryError::Unstable { servers: 3, .. })
        ));
        assert_eq!(
            MMc::new(0.0, 1.0, 1),
            Err(TheoryError::InvalidArrivalRate(0.0))
        );
        assert!(matches!(
            MMc::new(f64::NAN, 1.0, 1),
            Err(TheoryError::InvalidArrivalRate(_))
        ));
        assert_eq!(
            MMc::new(1.0, -2.0, 2),
            Err(TheoryError::InvalidServiceRate(-2.0))
        );
        assert!(matches!(
            MMc::new(1.0, f64::INFINITY, 2),
            Err(TheoryError::InvalidServiceRate(_))
        ));
        assert_eq!(MMc::new(1.0, 1.0, 0), Err(TheoryError::NoServers));
    }

    #[test]
    fn unstable_message() {
        let err = MMc::new(3.5, 1.0, 3).unwrap_err();
        assert_eq!(
            err.to_string(),
            "queue is unstable: offered load of 3.5 erlangs needs more than 3 servers"
        );
    }
}
