namespace LockLab.SharedMemory;

/// <summary>
/// A counting semaphore on one word of the shared segment (Python's <c>multiprocessing.Semaphore(permits)</c>): the word
/// holds the permits still free. Taking one is a compare-and-swap from n to n − 1; with none free, the taker sleeps on the
/// futex until the word is no longer 0. Giving one back is an increment and a wake-up. Semaphores serve lesson
/// experiments, held for milliseconds, so there is no spinning and no stress fast path here.
/// </summary>
public sealed unsafe class CrossProcessSemaphore
{
    private readonly int* _free;

    internal CrossProcessSemaphore(int* free) => _free = free;

    /// <summary>Permits free now (informational: may change the next instant).</summary>
    public int Free => Volatile.Read(ref *_free);

    public void Acquire()
    {
        while (true)
        {
            var free = Volatile.Read(ref *_free);
            if (free > 0)
            {
                if (Interlocked.CompareExchange(ref *_free, free - 1, free) == free) return;
                continue;
            }
            // The kernel sleeps only while the word is still 0: a release between the read and the wait is not missed.
            // The time-out is a safety net against a wake-up lost to a worker killed between its increment and its wake.
            Kernel.Wait(_free, 0, TimeSpan.FromMilliseconds(100));
        }
    }

    public void Release()
    {
        Interlocked.Increment(ref *_free);
        Kernel.Wake(_free, 1);
    }

    /// <summary>Sets the permits before any process uses the semaphore (the server, as it prepares the segment).</summary>
    internal void Initialize(int permits) => Volatile.Write(ref *_free, permits);
}
