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
        var lost = FindLostWrites(events);
        return new RunSummary(parameters.ExpectedFinalValue, actualFinalValue, lost.Count, durationMs, printed, perProcess, lost);
    }

    /// <summary>
    /// A write is lost when another process overwrites it with a value computed from a read taken before the
    /// lost write landed: exactly the read-modify-write race a lock prevents. Each lost write counts once, named
    /// with the write that erased it (the first such write).
    /// </summary>
    public static List<LostWrite> FindLostWrites(IEnumerable<RunEvent> eventsInSeqOrder)
    {
        // For every process between its read and its write: the writes of others that its coming write will erase.
        var pending = new Dictionary<string, List<RunEvent>>(StringComparer.Ordinal);
        var lost = new Dictionary<long, LostWrite>();
        foreach (var e in eventsInSeqOrder)
        {
            switch (e.Kind)
            {
                case EventKind.Read:
                    pending[e.Process] = [];
                    break;
                case EventKind.Write:
                    foreach (var (process, overwritten) in pending)
                    {
                        if (process != e.Process) overwritten.Add(e);
                    }
                    if (pending.Remove(e.Process, out var erased))
                    {
                        foreach (var w in erased) lost.TryAdd(w.Seq, new LostWrite(w.Seq, w.Process, w.Value, e.Seq, e.Process, e.Value));
                    }
                    break;
            }
        }
        return lost.Values.OrderBy(l => l.Seq).ToList();
    }

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
