using System.Runtime.CompilerServices;

namespace LockLab.SharedMemory;

/// <summary>
/// A mutual-exclusion lock on one word of the shared segment, usable from any process that maps it: the same
/// design as glibc's process-shared semaphores behind Python's <c>mp.Lock</c> (a futex on shared memory).
/// Chosen over a named <see cref="Mutex"/>, which on Linux is per login session and excludes nothing under
/// Native AOT, and over POSIX named semaphores, which leave a file to clean up and are ~3× slower.
/// </summary>
/// <remarks>
/// <para>Word states (Drepper, "Futexes Are Tricky", mutex #2, with the owner in the word as the kernel's robust futexes
/// have it): 0 free; the holder's process id; the holder's process id with <see cref="Waiters"/> set when someone may be
/// sleeping. Taking a free lock is one compare-and-swap; releasing it is one exchange, and a system call only when the
/// word said someone may sleep.</para>
/// <para>The lock survives its holder. Python's <c>mp.Lock</c> does not: if the process holding it dies, whoever waits
/// for it sleeps forever. Here a sleeping waiter wakes every <see cref="OwnerCheckInterval"/> and checks that the
/// process named in the word still exists; if it does not, the waiter takes the lock over with one compare-and-swap
/// (only one waiter can win it), and <see cref="DiedHolding"/> says whose death it inherited, for the run to report.
/// The owner is in the word itself, not beside it, so there is no moment at which the lock is held by nobody known.</para>
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
    private const int Free = 0;

    /// <summary>Set in the word, beside the holder's process id, when a waiter may be asleep on it (process ids are below 2^22).</summary>
    private const int Waiters = 1 << 30;

    /// <summary>How often a sleeping waiter checks that the holder is still alive.</summary>
    public static readonly TimeSpan OwnerCheckInterval = TimeSpan.FromMilliseconds(100);

    // Thread.SpinWait units (a normalized pause, ≈ 35–90 ns depending on the processor). The first pause is long
    // enough for the holder to run a few hundred increments undisturbed; the cap and the number of probes bound the
    // spin to roughly 30 × 128 units, a few hundred microseconds, before the waiter goes to sleep.
    private const int FirstBackoff = 32, MaxBackoff = 128, SpinProbes = 30;

    private static readonly int OwnPid = Environment.ProcessId;

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
    public bool HasSleepers => (Volatile.Read(ref *_word) & Waiters) != 0;

    /// <summary>
    /// Set when this process took the lock over from a holder that had died holding it: the dead holder's 1-based index
    /// (as <see cref="Holder"/> named it) and process id. Null otherwise.
    /// </summary>
    public (int Holder, int Pid)? DiedHolding { get; private set; }

    public void Acquire(int holderIndex)
    {
        if (Interlocked.CompareExchange(ref *_word, OwnPid, Free) != Free) AcquireContended();
        Volatile.Write(ref *_holder, holderIndex + 1);
    }

    // Fully optimized from the first call: it runs only under contention, and unoptimized (tier-0) code here would
    // slow the first stress round.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void AcquireContended()
    {
        // Having slept, take the lock marked as having waiters: others may be asleep behind this one, and only a release
        // of a marked word wakes one (Drepper's rule).
        var take = OwnPid;
        while (true)
        {
            if (TrySpin(take)) return;
            var seen = Volatile.Read(ref *_word);
            if (seen == Free)
            {
                continue; // came free: spin for it again
            }
            // Announce a sleeper, keeping the holder's id; if the word changed meanwhile, look again.
            if ((seen & Waiters) == 0 && Interlocked.CompareExchange(ref *_word, seen | Waiters, seen) != seen) continue;
            if (!Kernel.Wait(_word, seen | Waiters, OwnerCheckInterval) && TryTakeOverFromDeadHolder(seen | Waiters)) return;
            take = OwnPid | Waiters;
        }
    }

    /// <summary>After a time-out: if the process in the word is gone, takes the lock over (still marked as having waiters).</summary>
    private bool TryTakeOverFromDeadHolder(int seen)
    {
        var pid = seen & ~Waiters;
        if (pid == Free || pid == OwnPid || Kernel.ProcessExists(pid)) return false;
        var holder = Volatile.Read(ref *_holder);
        if (Interlocked.CompareExchange(ref *_word, OwnPid | Waiters, seen) != seen) return false;
        DiedHolding = (holder, pid);
        return true;
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
        if ((Interlocked.Exchange(ref *_word, Free) & Waiters) != 0) WakeOne();
    }

    // Out of line: the release that every increment pays stays a few instructions.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WakeOne() => Kernel.Wake(_word, 1);
}
