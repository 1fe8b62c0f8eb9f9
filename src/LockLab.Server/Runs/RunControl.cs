using LockLab.Contracts;
using LockLab.SharedMemory;

namespace LockLab.Server.Runs;

/// <summary>
/// Step mode: lets one process of a running run take its next step, through the run's shared segment.
/// Closed by the executor before the segment is unmapped, so a late click can never touch freed memory.
/// </summary>
public sealed class RunControl(Run run, SharedSegment segment)
{
    private static readonly EventKind[] StepKinds =
        [EventKind.LockWait, EventKind.Read, EventKind.Write, EventKind.Print, EventKind.LockReleased];
    private readonly Lock _gate = new();
    private readonly int[] _granted = new int[run.Parameters.Processes];

    private bool _closed;

    /// <summary>After this returns, no step is granted any more.</summary>
    public void Close()
    {
        lock (_gate) _closed = true;
    }

    /// <summary>Lets <paramref name="process"/> take one step. Returns why not, or null when granted.</summary>
    public string? TryStep(string process)
    {
        if (run.Parameters.Mode != RunMode.Step) return "This run is not in step mode.";
        if (run.Status != RunStatus.Running) return $"The run is {WireNames.Name(run.Status)}.";
        var index = Enumerable.Range(0, run.Parameters.Processes).FirstOrDefault(i => RunParameters.ProcessName(i) == process, -1);
        if (index < 0) return $"This run has no process '{process}'; it has p1 to p{run.Parameters.Processes}.";

        lock (_gate)
        {
            if (_closed) return "The run has ended.";
            var events = run.RetainedEvents().Where(e => e.Process == process).ToList(); // a running step-mode run keeps them all
            var taken = events.Count(e => StepKinds.Contains(e.Kind));
            if (_granted[index] > taken) return $"{process} is still taking its last step.";
            switch (NextStep.For(run.Parameters, events))
            {
                case EventKind.Exit:
                    return $"{process} has finished.";
                case EventKind.LockAcquired:
                    return $"{process} is waiting for the lock; step the process that holds it.";
            }
            _granted[index]++;
            segment.GrantStep(index);
            return null;
        }
    }
}
