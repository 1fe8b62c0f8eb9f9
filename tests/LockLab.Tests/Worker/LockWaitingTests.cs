using LockLab.Tests.Support;
using LockLab.TestServices;

namespace LockLab.Tests.Worker;

/// <summary>
/// How the lock waits: a short spin, then sleep in the kernel, and every sleeper woken in turn. Threads of this process
/// on a real shared segment: the futex word is the same one other processes would use.
/// </summary>
public class LockWaitingTests
{
    [Fact]
    public async Task A_waiter_that_does_not_get_the_lock_soon_sleeps_until_the_holder_releases_it()
    {
        using var t = new TestSegment();
        var l = t.Segment.Lock;
        l.Acquire(0);
        var acquired = new ManualResetEventSlim();
        var waiterThread = 0;
        var waiter = new Thread(() =>
        {
            Volatile.Write(ref waiterThread, ThreadCpu.CurrentThreadId());
            l.Acquire(1);
            acquired.Set();
            l.Release();
        });
        waiter.Start();

        // Spinning lasts well under a millisecond; then the waiter marks the word and sleeps on it.
        bool slept, acquiredWhileHeld;
        TimeSpan? cpuBefore = null, cpuAfter = null;
        try
        {
            slept = await Waiting.UntilAsync(() => l.HasSleepers, TimeSpan.FromSeconds(5));
            // That it neither takes the lock while it is held nor spins for it is a claim about nothing happening, so it
            // needs a while to happen in. A short one suffices: a machine too busy to run the waiter in it can only make
            // the checks pass, never fail, and a sleeper does not wake by itself (it waits without a time-out).
            cpuBefore = ThreadCpu.Used(Volatile.Read(ref waiterThread));
            await Task.Delay(100);
            cpuAfter = ThreadCpu.Used(waiterThread);
            acquiredWhileHeld = acquired.IsSet;
        }
        finally
        {
            l.Release(); // before any assertion: a waiter left behind would touch the segment after it is unmapped
        }
        Assert.True(acquired.Wait(TimeSpan.FromSeconds(5)), "releasing the lock did not wake the sleeper");
        Assert.True(waiter.Join(TimeSpan.FromSeconds(5)));
        Assert.True(slept, "the waiter never went to sleep");
        Assert.False(acquiredWhileHeld, "the waiter got the lock while it was held");
        Assert.True(cpuBefore is not null && cpuAfter is not null, "the waiter's processor time could not be read");
        var cpu = cpuAfter.Value - cpuBefore.Value;
        Assert.True(cpu < TimeSpan.FromMilliseconds(25),
            $"the waiter used {cpu.TotalMilliseconds:0.0} ms of processor time while it should have slept");
        Assert.False(l.HasSleepers);
        Assert.Equal(0, l.Holder);
    }

    [Fact]
    public void Every_sleeper_is_woken_when_each_holder_keeps_the_lock_longer_than_waiters_spin()
    {
        // Four threads, each holding the lock for about a millisecond per step with a read-sleep-write inside it:
        // the others spin out, sleep, and must all be woken one release after another. A lost wake-up hangs a thread;
        // a broken exclusion loses an update.
        using var t = new TestSegment();
        var l = t.Segment.Lock;
        const int threads = 4, steps = 25;
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            for (var s = 0; s < steps; s++)
            {
                l.Acquire(i);
                var read = t.Segment.Counter;
                Thread.Sleep(1); // the holder's work, not a wait: long enough that the others spin out (never shorter)
                t.Segment.Counter = read + 1;
                l.Release();
            }
        })).ToList();
        workers.ForEach(w => w.Start());

        // A sleeper nobody wakes sleeps for ever (it waits without a time-out): the limit only turns that hang into a
        // failure, and is far beyond the ~0.1 s the threads need, however busy the machine.
        Assert.All(workers, w => Assert.True(w.Join(TimeSpan.FromSeconds(30)), "a waiter was never woken"));
        Assert.Equal(threads * steps, t.Segment.Counter);
        Assert.False(l.HasSleepers);
        Assert.Equal(0, l.Holder);
    }
}
