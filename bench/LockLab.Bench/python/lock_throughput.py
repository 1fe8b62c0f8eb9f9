"""Locked increments per second in Python, for comparison with LockLab's stress scenario.

Several multiprocessing.Process workers add 1 to one shared multiprocessing.Value, each N times, with or
without a multiprocessing.Lock around every `v.value += 1`: the lesson's second experiment without its sleeps.
All workers wait at a barrier, then each notes when it started and when it finished counting (time.perf_counter,
a monotonic clock the processes share on Linux); the time measured runs from the first start to the last finish, so
process start-up is not counted (LockLab's figure leaves it out too).

The Value is made without its own internal lock by default (`lock=False`), so that the only lock measured is the
multiprocessing.Lock; `--value lesson` makes it as the lesson does (`multiprocessing.Value('i', 0)`), whose
every read and write also takes the Value's own lock.

Prints one JSON object per measurement on its own line, e.g.
{"lock": true, "value": "raw", "processes": 2, "iterations": 200000, "seconds": 1.41, "incrementsPerSecond": 283687, "final": 400000, "expected": 400000}
"""

import argparse
import json
import multiprocessing
import time


def add_ones(index, value, lock, iterations, barrier, times):
    barrier.wait()
    times[2 * index] = time.perf_counter()
    if lock is None:
        for _ in range(iterations):
            value.value += 1
    else:
        for _ in range(iterations):
            with lock:
                value.value += 1
    times[2 * index + 1] = time.perf_counter()


def measure(processes, iterations, use_lock, value_kind):
    value = multiprocessing.Value("i", 0) if value_kind == "lesson" else multiprocessing.Value("i", 0, lock=False)
    lock = multiprocessing.Lock() if use_lock else None
    barrier = multiprocessing.Barrier(processes)
    times = multiprocessing.Array("d", 2 * processes, lock=False)
    workers = [multiprocessing.Process(target=add_ones, args=(i, value, lock, iterations, barrier, times)) for i in range(processes)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if any(w.exitcode != 0 for w in workers):
        raise SystemExit("a worker process failed")
    seconds = max(times[1::2]) - min(times[0::2])
    total = processes * iterations
    return {
        "lock": use_lock,
        "value": value_kind,
        "processes": processes,
        "iterations": iterations,
        "seconds": round(seconds, 6),
        "incrementsPerSecond": round(total / seconds),
        "final": value.value,
        "expected": total,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=200_000, help="increments per process")
    parser.add_argument("--mode", choices=["locked", "unlocked", "both"], default="both")
    parser.add_argument("--value", choices=["raw", "lesson"], default="raw")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    modes = {"locked": [True], "unlocked": [False], "both": [True, False]}[args.mode]
    for _ in range(args.repeat):
        for use_lock in modes:
            print(json.dumps(measure(args.processes, args.iterations, use_lock, args.value)), flush=True)


if __name__ == "__main__":
    main()
