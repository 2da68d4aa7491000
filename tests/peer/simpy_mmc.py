"""The M/M/c benchmark model in SimPy, for the peer comparison in `akuttsim bench`.

One queue, c servers, Poisson arrivals, exponential service — the same model akuttsim's
benchmark (a) runs: c = 3, load 0.9, mean service 15 min. Prints one JSON line:
customers served, events processed (every `env.step()`), wall time [s] and the mean wait [min].

Usage: python3 simpy_mmc.py --customers 200000 [--c 3] [--rho 0.9] [--mean 15] [--seed 1]
"""
import argparse
import json
import random
import time

import simpy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--c", type=int, default=3)
    ap.add_argument("--rho", type=float, default=0.9)
    ap.add_argument("--mean", type=float, default=15.0, help="mean service time [min]")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    lam = a.rho * a.c / a.mean  # arrivals per minute
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=a.c)
    waits = []

    def customer(env):
        arrive = env.now
        with servers.request() as req:
            yield req
            waits.append(env.now - arrive)
            yield env.timeout(rng.expovariate(1.0 / a.mean))

    def source(env):
        for _ in range(a.customers):
            yield env.timeout(rng.expovariate(lam))
            env.process(customer(env))

    env.process(source(env))
    events = 0
    t0 = time.perf_counter()
    try:
        while True:
            env.step()
            events += 1
    except simpy.core.EmptySchedule:
        pass
    wall = time.perf_counter() - t0
    print(json.dumps({
        "customers": len(waits),
        "events": events,
        "wall_s": wall,
        "mean_wait_min": sum(waits) / len(waits),
    }))


if __name__ == "__main__":
    main()
