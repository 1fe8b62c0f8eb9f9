using System.Runtime.CompilerServices;

namespace LockLab.Worker;

/// <summary>
/// A mutual-exclusion lock on one word of the shared segment, usable from any process that maps it: the same
/// design as glibc's process-shared semaphores behind Python's <c>mp.Lock</c> (a futex on shared memory).
/// Chosen over a named <see cref="Mutex"/>, which on Linux is per login session and excludes nothing under
/// Native AOT, and over POSIX named semaphores, which leave a file to clean up and are ~3× slower.
/// </summary>
/// <remarks>
/// <para>Word states (Drepper, "Futexes Are Tricky", mutex #2): 0 free, 1 held, 2 held with possible sleepers.
/// Taking a free lock is one compare-and-swap; releasing it is one exchange, and a system call only when the word
/// said someone may sleep.</para>
/// <para>A waiter first spins, because in stress runs the lock is held for nanoseconds and a kernel round-trip costs
/// microseconds: test-and-test-and-set (it reads the word and tries the compare-and-swap only when it looks free), with
/// a pause between reads that doubles up to a cap. Every read pulls the cache line away from the holder, and every
/// hand-over moves it to the other core and back, so a waiter that probes rarely lets the holder run many increments
/// on a line that stays in its own cache: that, not the instructions, decides the throughput of two processes on two
/// cores. Spinning is bounded (a few hundred microseconds), then the waiter sleeps on the futex: the lesson holds the
/// lock for half a second, and the process waiting for it must sleep, not burn a core.</para>
/// <para>A waiter woken from the futex spins again before it sleeps again. Without that, it would find the lock taken
/// once more (the holder re-takes it within nanoseconds), mark the word 2 and sleep, and the holder would pay a wake-up
/// system call on nearly every release. Having slept, it takes the lock as 2, not 1, because other sleepers may be
/// waiting behind it and only a release of a 2 wakes one (Drepper's rule).</para>
/// <para>It is not fair, by design: under contention a process that keeps taking the lock may run a long stretch while
/// another waits (in a stress round, sometimes its whole share). Python's <c>mp.Lock</c> promises no order either.
/// Every waiter gets the lock once the holder stops asking for it, and sleeping waiters are woken one per release.</para>
/// </remarks>
public sealed unsafe class CrossProcessLock
{
    private const int Free = 0, Held = 1, Contended = 2;

    // Thread.SpinWait units (a normalized pause, ≈ 35–90 ns depending on the processor). The first pause is long
    // enough for the holder to run a few hundred increments undisturbed; the cap and the number of probes bound the
    // spin to roughly 30 × 128 units, a few hundred microseconds, before the waiter goes to sleep.
    private const int FirstBackoff = 32, MaxBackoff = 128, SpinProbes = 30;

    private readonly int* _word;
    private readonly int* _holder;

    internal CrossProcessLock(int* word, int* holder)
    {
        _word = word;
        _holder = holder;
    }

    /// <summary>1-based index of the process holding the lock, 0 when free (informational).</summary>
    public int Holder => Volatile.Read(ref *_holder);

    /// <summary>True while a waiter has given up spinning and sleeps (or is about to sleep) in the kernel (informational).</summary>
    public bool HasSleepers => Volatile.Read(ref *_word) == Contended;

    public void Acquire(int holderIndex)
    {
        if (Interlocked.CompareExchange(ref *_word, Held, Free) != Free) AcquireContended();
        Volatile.Write(ref *_holder, holderIndex + 1);
    }

    // Fully optimized from the first call: it runs only under contention, and unoptimized (tier-0) code here would
    // slow the first stress round.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void AcquireContended()
    {
        var take = Held;
        while (true)
        {
            if (TrySpin(take)) return;
            // Announce a sleeper; if the lock came free meanwhile, this exchange has taken it.
            if (Interlocked.Exchange(ref *_word, Contended) == Free) return;
            Native.Wait(_word, Contended);
            take = Contended;
        }
    }

    private bool TrySpin(int take)
    {
        var backoff = FirstBackoff;
        for (var probe = 0; probe < SpinProbes; probe++)
        {
            Thread.SpinWait(backoff);
            // Read first: a failed compare-and-swap would take the cache line from the holder for nothing.
            if (Volatile.Read(ref *_word) == Free && Interlocked.CompareExchange(ref *_word, take, Free) == Free) return true;
            backoff = Math.Min(backoff * 2, MaxBackoff);
        }
        return false;
    }

    public void Release()
    {
        Volatile.Write(ref *_holder, 0);
        if (Interlocked.Exchange(ref *_word, Free) == Contended) WakeOne();
    }

    // Out of line: the release that every increment pays stays a few instructions.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WakeOne() => Native.Wake(_word, 1);
}
