namespace LockLab.Worker;

/// <summary>
/// A mutual-exclusion lock on one word of the shared segment, usable from any process that maps it: the same
/// design as glibc's process-shared semaphores behind Python's <c>mp.Lock</c> (a futex on shared memory).
/// Chosen over a named <see cref="Mutex"/>, which on Linux is per login session and excludes nothing under
/// Native AOT, and over POSIX named semaphores, which leave a file to clean up and are ~3× slower.
/// </summary>
/// <remarks>
/// Word states (Drepper, "Futexes Are Tricky", mutex #2): 0 free, 1 held, 2 held with possible sleepers.
/// A short spin first, because in stress runs the lock is held for nanoseconds and a kernel round-trip costs more.
/// </remarks>
public sealed unsafe class CrossProcessLock
{
    private const int Free = 0, Held = 1, Contended = 2;
    private const int SpinAttempts = 64;

    private readonly int* _word;
    private readonly int* _holder;

    internal CrossProcessLock(int* word, int* holder)
    {
        _word = word;
        _holder = holder;
    }

    /// <summary>1-based index of the process holding the lock, 0 when free (informational).</summary>
    public int Holder => Volatile.Read(ref *_holder);

    public void Acquire(int holderIndex)
    {
        if (Interlocked.CompareExchange(ref *_word, Held, Free) != Free) AcquireSlow();
        Volatile.Write(ref *_holder, holderIndex + 1);
    }

    private void AcquireSlow()
    {
        var spinner = new SpinWait();
        for (var i = 0; i < SpinAttempts; i++)
        {
            if (Volatile.Read(ref *_word) == Free && Interlocked.CompareExchange(ref *_word, Held, Free) == Free) return;
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        // Announce a sleeper, then park until the holder's release wakes us.
        var state = Interlocked.Exchange(ref *_word, Contended);
        while (state != Free)
        {
            Native.Wait(_word, Contended);
            state = Interlocked.Exchange(ref *_word, Contended);
        }
    }

    public void Release()
    {
        Volatile.Write(ref *_holder, 0);
        if (Interlocked.Decrement(ref *_word) != Free)
        {
            // It was Contended: someone may sleep in the kernel.
            Volatile.Write(ref *_word, Free);
            Native.Wake(_word, 1);
        }
    }
}
