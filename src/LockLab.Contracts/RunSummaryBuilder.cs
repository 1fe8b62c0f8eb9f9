namespace LockLab.Contracts;

/// <summary>
/// Turns a run's events (in <c>seq</c> order) into the numbers a student looks at: what was printed, how many
/// updates were lost, how long each process waited for the lock. Pure: the server uses it for the stored summary,
/// the client may use it for live figures.
/// </summary>
public static class RunSummaryBuilder
{
    /// <param name="actualFinalValue">The shared value at the end (of the last round).</param>
    /// <param name="roundFinalValues">A run of several rounds: the shared value at the end of each round, as the server read
    /// it before resetting it for the next.</param>
    public static RunSummary Build(
        RunParameters parameters,
        IReadOnlyList<RunEvent> events,
        long actualFinalValue,
        double durationMs,
        IReadOnlyDictionary<string, (int Pid, int? ExitCode)> processes,
        IReadOnlyList<long>? roundFinalValues = null)
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

        // Each round starts again from 0, so each has its own chain of writes to the value it ended at.
        var finals = roundFinalValues is { Count: > 0 } ? roundFinalValues : [actualFinalValue];
        var eventsByRound = events.GroupBy(e => e.Round ?? 1).ToDictionary(g => g.Key, g => g.ToList());
        var lost = new List<LostWrite>();
        var problems = new List<string>();
        // Only a run that reports its steps has writes to account for; a stress run reports its rounds' outcomes.
        for (var round = 1; parameters.ReportsSteps && round <= finals.Count; round++)
        {
            var ledger = WriteLedger.From(eventsByRound.GetValueOrDefault(round) ?? []);
            var lostInRound = ledger.LostWrites();
            lost.AddRange(lostInRound);
            var roundProblems = ledger.Check(parameters, finals[round - 1], lostInRound);
            problems.AddRange(finals.Count > 1 ? roundProblems.Select(p => $"Round {round}: {p}") : roundProblems);
        }

        IReadOnlyList<Outcome>? outcomes = parameters.Rounds <= 1 ? null
            : parameters.ReportsSteps ? RoundOutcomes.FromPrints(parameters, events)
            : RoundOutcomes.FromFinalValues(parameters, finals);
        return new RunSummary(parameters.ExpectedFinalValue, actualFinalValue, lost.Count, durationMs, printed, perProcess, lost,
            Outcomes: outcomes, Discrepancy: problems.Count > 0 ? string.Join(" ", problems) : null);
    }

    /// <summary>The writes lost so far (see <see cref="WriteLedger"/>): observed, not inferred; round by round in a
    /// repeated run.</summary>
    public static List<LostWrite> FindLostWrites(IEnumerable<RunEvent> events) =>
        events.GroupBy(e => e.Round ?? 1).SelectMany(round => WriteLedger.From(round).LostWrites()).ToList();

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
