namespace LockLab.Contracts;

/// <summary>
/// Turns a run's events (in <c>seq</c> order) into the numbers a student looks at: what was printed, how many
/// updates were lost, how long each process waited for the lock. Pure: the server uses it for the stored summary,
/// the client may use it for live figures. The work is done by <see cref="RunSummaryCollector"/>, which the server
/// feeds event by event so that it never needs a big run's events all at once.
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
        var collector = new RunSummaryCollector(parameters);
        collector.Add(events);
        return collector.Build(actualFinalValue, durationMs, processes, roundFinalValues);
    }

    /// <summary>The writes lost so far (see <see cref="WriteLedger"/>): observed, not inferred; round by round in a
    /// repeated run.</summary>
    public static List<LostWrite> FindLostWrites(IEnumerable<RunEvent> events) =>
        events.GroupBy(e => e.Round ?? 1).SelectMany(round => WriteLedger.From(round).LostWrites()).ToList();
}
