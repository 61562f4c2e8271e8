"""The M/M/c model of `playbooks/mmc.playbook` in SimPy, for the speed comparison in
docs/benchmarks.md.

Same model as the playbook's `mmc` scenario: hand-raise leads arrive as a Poisson stream of two
an hour, three sellers work around the clock, handling time is exponential with a mean of one
hour, first in first out, and a 30-minute SLA timer runs for every lead until a seller picks it
up. It reports the mean wait and the share waiting longer than the SLA (so the two simulators can
be checked against each other and against Erlang C), the leads simulated per second of wall
time, and the events SimPy's scheduler processed per second.

Usage: python mmc.py [YEARS] [SEED]
"""

import random
import sys
import time

import simpy

ARRIVALS_PER_SEC = 2 / 3600
MEAN_HANDLE_SECS = 3600
SELLERS = 3
SLA_SECS = 1800


def lead(env, desk, rng, stats):
    arrived = env.now
    sla = env.timeout(SLA_SECS)
    with desk.request() as request:
        yield request | sla
        if not request.triggered:
            stats["breached"] += 1
            yield request
        stats["waits"] += env.now - arrived
        stats["leads"] += 1
        yield env.timeout(rng.expovariate(1 / MEAN_HANDLE_SECS))


def arrivals(env, desk, rng, stats):
    while True:
        yield env.timeout(rng.expovariate(ARRIVALS_PER_SEC))
        env.process(lead(env, desk, rng, stats))


def main():
    years = float(sys.argv[1]) if len(sys.argv) > 1 else 10
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(seed)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=SELLERS)
    stats = {"leads": 0, "breached": 0, "waits": 0.0}
    env.process(arrivals(env, desk, rng, stats))
    started = time.perf_counter()
    env.run(until=years * 365 * 86400)
    elapsed = time.perf_counter() - started
    events = next(env._eid)  # events SimPy scheduled: all processed, but for a few pending
    print(f"simpy {simpy.__version__}, M/M/{SELLERS}, {years:g} years: {stats['leads']} leads "
          f"in {elapsed:.2f} s")
    print(f"  leads/s {stats['leads'] / elapsed:,.0f}   scheduler events {events:,} "
          f"= {events / elapsed / 1e6:.3f} M events/s")
    print(f"  mean wait {stats['waits'] / stats['leads']:.1f} s, "
          f"P(wait > SLA) {stats['breached'] / stats['leads']:.4f}")


if __name__ == "__main__":
    main()
