namespace LockLab.Contracts;

/// <summary>
/// Turns a run's events (in <c>seq</c> order) into the numbers a student looks at: what was printed, how many
/// updates were lost, how long each process waited for the lock. Pure: the server uses it for the stored summary,
/// the client may use it for live figures.
/// </summary>
public static class RunSummaryBuilder
{
    public static RunSummary Build(
        RunParameters parameters,
        IReadOnlyList<RunEvent> events,
        long actualFinalValue,
        double durationMs,
        IReadOnlyDictionary<string, (int Pid, int? ExitCode)> processes)
    {
        var printed = events.Where(e => e.Kind == EventKind.Print).Select(e => e.Value).ToArray();
        var perProcess = processes
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new ProcessSummary(
                p.Key,
                p.Value.Pid,
                p.Value.ExitCode,
                LockWaitMs(events, p.Key),
                events.Count(e => e.Process == p.Key && e.Kind == EventKind.Write)))
            .ToArray();
        var ledger = WriteLedger.From(events);
        var lost = ledger.LostWrites();
        // Only a run that reports its steps has writes to account for; a stress run reports its rounds' outcomes.
        var problems = parameters.ReportsSteps ? ledger.Check(parameters, actualFinalValue, lost) : [];
        return new RunSummary(parameters.ExpectedFinalValue, actualFinalValue, lost.Count, durationMs, printed, perProcess, lost,
            Discrepancy: problems.Count > 0 ? string.Join(" ", problems) : null);
    }

    /// <summary>The writes lost so far (see <see cref="WriteLedger"/>): observed, not inferred.</summary>
    public static List<LostWrite> FindLostWrites(IEnumerable<RunEvent> events) => WriteLedger.From(events).LostWrites();

    private static double LockWaitMs(IReadOnlyList<RunEvent> events, string process)
    {
        double total = 0, waitingSince = double.NaN;
        foreach (var e in events)
        {
            if (e.Process != process) continue;
            if (e.Kind == EventKind.LockWait) waitingSince = e.AtMs;
            else if (e.Kind == EventKind.LockAcquired && !double.IsNaN(waitingSince))
            {
                total += e.AtMs - waitingSince;
                waitingSince = double.NaN;
            }
        }
        return Math.Round(total, 3);
    }
}
