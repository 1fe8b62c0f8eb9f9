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
        if (run.Parameters.Mode != RunMode.Step) return RunRefusals.NotInStepMode;
        if (run.Status != RunStatus.Running) return TextTemplates.Fill(RunRefusals.NotRunningYet, WireNames.Name(run.Status));
        var index = Enumerable.Range(0, run.Parameters.Processes).FirstOrDefault(i => RunParameters.ProcessName(i) == process, -1);
        if (index < 0) return TextTemplates.Fill(RunRefusals.NoSuchProcess, process, run.Parameters.Processes);

        lock (_gate)
        {
            if (_closed) return RunRefusals.Ended;
            var events = run.RetainedEvents().Where(e => e.Process == process).ToList(); // a running step-mode run keeps them all
            var taken = events.Count(e => StepKinds.Contains(e.Kind));
            if (_granted[index] > taken) return TextTemplates.Fill(RunRefusals.StillStepping, process);
            // The lesson's experiments as the page predicts them; any other program from its own steps.
            var next = Scenarios.IsClassic(run.Scenario)
                ? NextStep.For(run.Parameters, events)
                : Contracts.Experiments.ProgramSteps.Next(run.Program.Processes[index], events);
            switch (next)
            {
                case EventKind.Exit:
                    return TextTemplates.Fill(RunRefusals.ProcessFinished, process);
                case EventKind.LockAcquired:
                    return TextTemplates.Fill(RunRefusals.WaitingForLock, process);
            }
            _granted[index]++;
            segment.GrantStep(index);
            return null;
        }
    }
}
