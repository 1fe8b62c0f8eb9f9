"""The lesson's experiment in plain Python, for the benchmark's comparison column.

Two processes share one integer. The first adds 1, the second adds 3, five times each, sleeping
a tenth of a second before every step and printing the value afterwards. With "lock", each
process holds one lock for its whole loop, so the first finishes before the second starts.

Usage: python3 lesson.py lock|nolock [--timed]   (prints one value per line)

With --timed each line also names the process and the moment it printed (time.perf_counter() in milliseconds: the
same monotonic clock as the lab's), e.g. "4 p2 81234.567", so that the benchmark can measure how far apart the two
processes run and how much their sleeps drift.

Just before `p1.start()` it prints the line "start", so that the benchmark can time the experiment itself (from
`p1.start()`) as well as the whole script (from the interpreter's start, what a student waits).
"""
import multiprocessing as mp
import sys
import time


def work(shared, step, guard, name=None):
    if guard is not None:
        guard.acquire()
    for _ in range(5):
        time.sleep(0.1)
        shared.value += step
        if name is None:
            print(shared.value, flush=True)
        else:
            # One string, one write: with -u, print's separate arguments are separate writes, which the other
            # process's line could fall between.
            print(f"{shared.value} {name} {time.perf_counter() * 1000:.3f}", flush=True)
    if guard is not None:
        guard.release()


if __name__ == "__main__":
    use_lock = sys.argv[1:2] == ["lock"]
    timed = "--timed" in sys.argv[2:]
    counter = mp.Value("i", 0)
    guard = mp.Lock() if use_lock else None
    first = mp.Process(target=work, args=(counter, 1, guard, "p1" if timed else None))
    second = mp.Process(target=work, args=(counter, 3, guard, "p2" if timed else None))
    print("start", flush=True)
    first.start()
    second.start()
    first.join()
    second.join()
