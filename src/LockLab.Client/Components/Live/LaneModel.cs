using LockLab.Contracts;

namespace LockLab.Client.Components.Live;

/// <summary>What a lane shows for a stretch of time.</summary>
public enum LaneActivity
{
    /// <summary>Sleeping before a step (<c>time.sleep</c>).</summary>
    Sleeping,
    /// <summary>Asked for the lock and blocked until it was free.</summary>
    Waiting,
    /// <summary>Holding the lock.</summary>
    Holding,
    /// <summary>Between reading the counter and writing it back: holding a value that may go stale.</summary>
    Stale,
}

/// <param name="Lock">Waiting and holding: the lock (or semaphore) waited for or held (<see cref="LockState.LockOf"/>).
/// Stale: the shared integer read.</param>
public sealed record LaneBar(double FromMs, double ToMs, LaneActivity Activity, string? Lock = null);

/// <param name="Lost">This write was later erased by another process's write.</param>
/// <param name="Target">The shared integer read, written or printed, when the run has more than one (else null).</param>
public sealed record LaneMark(double AtMs, EventKind Kind, long Value, long Seq, bool Lost, string? Target = null);

public sealed record Lane(string Process, IReadOnlyList<LaneBar> Bars, IReadOnlyList<LaneMark> Marks, bool HoldsLock)
{
    /// <summary>The locks the process holds now, in the order it took them.</summary>
    public IReadOnlyList<string> Held { get; init; } = [];
}

/// <summary>
/// The lanes picture of a run, worked out from its events alone: one lane per process on a shared time axis, with
/// bars for sleeping, waiting for the lock, holding it, and the stale gap between read and write, and marks for
/// read, write and print (lost writes flagged). Pure, so that it can be tested without a browser.
/// </summary>
public static class LaneModel
{
    public static IReadOnlyList<Lane> Build(RunParameters parameters, IReadOnlyList<RunEvent> events, double nowMs)
    {
        // Lost writes, integer by integer: each shared integer has its own history of writes.
        var lost = events.GroupBy(e => e.Target ?? "").SelectMany(g => RunSummaryBuilder.FindLostWrites(g)).Select(l => l.Seq).ToHashSet();
        var lanes = new List<Lane>();
        foreach (var process in ProcessNames(parameters, events))
        {
            var own = events.Where(e => e.Process == process).ToList();
            var bars = new List<LaneBar>();
            var marks = new List<LaneMark>();
            (double At, string Lock)? waitingSince = null;
            var holding = new List<(string Lock, double Since)>();
            var reads = new Dictionary<string, double>(StringComparer.Ordinal);
            double stepEnd = 0; // when the process last finished something; a sleep starts there
            var exited = false;
            foreach (var e in own)
            {
                switch (e.Kind)
                {
                    case EventKind.LockWait:
                        AddSleep(bars, parameters, stepEnd, e.AtMs, before: e.Kind);
                        waitingSince = (e.AtMs, LockState.LockOf(e));
                        break;
                    case EventKind.LockAcquired:
                        if (waitingSince is { } w) bars.Add(new LaneBar(w.At, e.AtMs, LaneActivity.Waiting, w.Lock));
                        waitingSince = null;
                        holding.Add((LockState.LockOf(e), e.AtMs));
                        stepEnd = e.AtMs;
                        break;
                    case EventKind.Read:
                        if (parameters.Lock != LockScope.PerStep) AddSleep(bars, parameters, stepEnd, e.AtMs, before: e.Kind);
                        reads[LockState.IntegerOf(e)] = e.AtMs;
                        marks.Add(new LaneMark(e.AtMs, e.Kind, e.Value, e.Seq, false, e.Target));
                        break;
                    case EventKind.Write:
                        if (reads.Remove(LockState.IntegerOf(e), out var r) && e.AtMs - r > 0.5)
                            bars.Add(new LaneBar(r, e.AtMs, LaneActivity.Stale, LockState.IntegerOf(e)));
                        marks.Add(new LaneMark(e.AtMs, e.Kind, e.Value, e.Seq, lost.Contains(e.Seq), e.Target));
                        break;
                    case EventKind.Print:
                        marks.Add(new LaneMark(e.AtMs, e.Kind, e.Value, e.Seq, false, e.Target));
                        stepEnd = e.AtMs;
                        break;
                    case EventKind.LockReleased:
                        var index = holding.FindLastIndex(h => h.Lock == LockState.LockOf(e));
                        if (index >= 0)
                        {
                            bars.Add(new LaneBar(holding[index].Since, e.AtMs, LaneActivity.Holding, holding[index].Lock));
                            holding.RemoveAt(index);
                        }
                        stepEnd = e.AtMs;
                        break;
                    case EventKind.Exit:
                        exited = true;
                        break;
                }
            }
            // Still going: open bars reach "now", so the picture grows live.
            if (!exited)
            {
                if (waitingSince is { } w) bars.Add(new LaneBar(w.At, nowMs, LaneActivity.Waiting, w.Lock));
                foreach (var (lockName, since) in holding) bars.Add(new LaneBar(since, nowMs, LaneActivity.Holding, lockName));
                foreach (var (integer, at) in reads) bars.Add(new LaneBar(at, nowMs, LaneActivity.Stale, integer));
            }
            lanes.Add(new Lane(process, bars.OrderBy(b => b.FromMs).ToList(), marks, holding.Count > 0 && !exited)
            {
                Held = exited ? [] : [.. holding.Select(h => h.Lock)],
            });
        }
        return lanes;
    }

    /// <summary>
    /// The lanes' processes: p1, p2, … as the run's parameters count them; a program may name its processes otherwise,
    /// and then its events' names, in the order they first appear.
    /// </summary>
    public static IReadOnlyList<string> ProcessNames(RunParameters parameters, IReadOnlyList<RunEvent> events)
    {
        var names = Enumerable.Range(0, parameters.Processes).Select(RunParameters.ProcessName).ToList();
        var seen = events.Select(e => e.Process).Distinct(StringComparer.Ordinal).ToList();
        return seen.All(names.Contains) ? names : [.. names.Where(seen.Contains), .. seen.Where(p => !names.Contains(p))];
    }

    /// <summary>The locks and semaphores of a run, in the order they were first asked for.</summary>
    public static IReadOnlyList<string> Locks(IReadOnlyList<RunEvent> events) =>
        [.. events.Where(e => e.Kind is EventKind.LockWait or EventKind.LockAcquired).Select(LockState.LockOf).Distinct(StringComparer.Ordinal)];

    /// <summary>A live run with a delay sleeps before each step: from the end of the last step to the next one.</summary>
    private static void AddSleep(List<LaneBar> bars, RunParameters parameters, double from, double to, EventKind before)
    {
        if (parameters.DelayMs <= 0 || parameters.Mode == RunMode.Step || to - from < parameters.DelayMs * 0.5) return;
        if (before == EventKind.LockWait && parameters.Lock != LockScope.PerStep) return; // the whole-loop lock is taken before any sleep
        bars.Add(new LaneBar(from, to, LaneActivity.Sleeping));
    }

    /// <summary>The counter over time: every write, in order, as (time, value).</summary>
    public static IReadOnlyList<(double AtMs, long Value)> CounterSeries(IReadOnlyList<RunEvent> events) =>
        events.Where(e => e.Kind == EventKind.Write).Select(e => (e.AtMs, e.Value)).ToList();

    /// <summary>
    /// Each shared integer over time: its writes, in order, by the integer's name (null for the one counter of a run
    /// whose events name no integer), in the order the integers were first written.
    /// </summary>
    public static IReadOnlyList<(string? Name, IReadOnlyList<(double AtMs, long Value)> Points)> SharedSeries(IReadOnlyList<RunEvent> events) =>
        [.. events.Where(e => e.Kind == EventKind.Write).GroupBy(e => e.Target)
            .Select(g => (g.Key, (IReadOnlyList<(double, long)>)g.Select(e => (e.AtMs, e.Value)).ToList()))];
}
