using LockLab.Contracts;

namespace LockLab.Tests.Contracts;

public class NextStepTests
{
    private static RunEvent E(EventKind kind) => new(1, "p1", 1, kind, 0, 0);

    [Fact]
    public void Per_step_lock_cycles_through_lock_read_write_print_release()
    {
        var p = new RunParameters(2, 2, [1, 3], 0, 0, LockScope.PerStep, StartMode.Simultaneous, RunMode.Step);
        var history = new List<RunEvent>();
        var seen = new List<EventKind>();
        for (var next = NextStep.For(p, history); next != EventKind.Exit; next = NextStep.For(p, history))
        {
            seen.Add(next);
            // A lock step reports lock-wait then lock-acquired.
            history.Add(E(next));
            if (next == EventKind.LockWait) history.Add(E(EventKind.LockAcquired));
        }
        EventKind[] cycle = [EventKind.LockWait, EventKind.Read, EventKind.Write, EventKind.Print, EventKind.LockReleased];
        Assert.Equal([.. cycle, .. cycle], seen);
    }

    [Fact]
    public void A_process_that_asked_for_a_held_lock_is_blocked()
    {
        var p = new RunParameters(2, 1, [1, 3], 0, 0, LockScope.WholeLoop, StartMode.Simultaneous, RunMode.Step);
        Assert.Equal(EventKind.LockAcquired, NextStep.For(p, [E(EventKind.LockWait)]));
    }

    [Fact]
    public void Without_a_lock_the_loop_is_read_write_print()
    {
        var p = new RunParameters(2, 1, [1, 3], 0, 0, LockScope.None, StartMode.Simultaneous, RunMode.Step);
        Assert.Equal(EventKind.Read, NextStep.For(p, []));
        Assert.Equal(EventKind.Exit, NextStep.For(p, [E(EventKind.Read), E(EventKind.Write), E(EventKind.Print)]));
    }
}
