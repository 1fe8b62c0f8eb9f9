"""The lesson's experiment in plain Python, for the benchmark's comparison column.

Two processes share one integer. The first adds 1, the second adds 3, five times each, sleeping
a tenth of a second before every step and printing the value afterwards. With "lock", each
process holds one lock for its whole loop, so the first finishes before the second starts.

Usage: python3 lesson.py lock|nolock   (prints one value per line)

Just before `p1.start()` it prints the line "start", so that the benchmark can time the experiment itself (from
`p1.start()`) as well as the whole script (from the interpreter's start, what a student waits).
"""
import multiprocessing as mp
import sys
import time


def work(shared, step, guard):
    if guard is not None:
        guard.acquire()
    for _ in range(5):
        time.sleep(0.1)
        shared.value += step
        print(shared.value, flush=True)
    if guard is not None:
        guard.release()


if __name__ == "__main__":
    use_lock = sys.argv[1:] == ["lock"]
    counter = mp.Value("i", 0)
    guard = mp.Lock() if use_lock else None
    first = mp.Process(target=work, args=(counter, 1, guard))
    second = mp.Process(target=work, args=(counter, 3, guard))
    print("start", flush=True)
    first.start()
    second.start()
    first.join()
    second.join()
