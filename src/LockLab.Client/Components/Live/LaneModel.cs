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

public sealed record LaneBar(double FromMs, double ToMs, LaneActivity Activity);

/// <param name="Lost">This write was later erased by another process's write.</param>
public sealed record LaneMark(double AtMs, EventKind Kind, long Value, long Seq, bool Lost);

public sealed record Lane(string Process, IReadOnlyList<LaneBar> Bars, IReadOnlyList<LaneMark> Marks, bool HoldsLock);

/// <summary>
/// The lanes picture of a run, worked out from its events alone: one lane per process on a shared time axis, with
/// bars for sleeping, waiting for the lock, holding it, and the stale gap between read and write, and marks for
/// read, write and print (lost writes flagged). Pure, so that it can be tested without a browser.
/// </summary>
public static class LaneModel
{
    public static IReadOnlyList<Lane> Build(RunParameters parameters, IReadOnlyList<RunEvent> events, double nowMs)
    {
        var lost = RunSummaryBuilder.FindLostWrites(events).Select(l => l.Seq).ToHashSet();
        var lanes = new List<Lane>();
        for (var i = 0; i < parameters.Processes; i++)
        {
            var process = RunParameters.ProcessName(i);
            var own = events.Where(e => e.Process == process).ToList();
            var bars = new List<LaneBar>();
            var marks = new List<LaneMark>();
            double? waitingSince = null, holdingSince = null, readAt = null;
            double stepEnd = 0; // when the process last finished something; a sleep starts there
            var exited = false;
            foreach (var e in own)
            {
                switch (e.Kind)
                {
                    case EventKind.LockWait:
                        AddSleep(bars, parameters, stepEnd, e.AtMs, before: e.Kind);
                        waitingSince = e.AtMs;
                        break;
                    case EventKind.LockAcquired:
                        if (waitingSince is { } w) bars.Add(new LaneBar(w, e.AtMs, LaneActivity.Waiting));
                        waitingSince = null;
                        holdingSince = e.AtMs;
                        stepEnd = e.AtMs;
                        break;
                    case EventKind.Read:
                        if (parameters.Lock != LockScope.PerStep) AddSleep(bars, parameters, stepEnd, e.AtMs, before: e.Kind);
                        readAt = e.AtMs;
                        marks.Add(new LaneMark(e.AtMs, e.Kind, e.Value, e.Seq, false));
                        break;
                    case EventKind.Write:
                        if (readAt is { } r && e.AtMs - r > 0.5) bars.Add(new LaneBar(r, e.AtMs, LaneActivity.Stale));
                        readAt = null;
                        marks.Add(new LaneMark(e.AtMs, e.Kind, e.Value, e.Seq, lost.Contains(e.Seq)));
                        break;
                    case EventKind.Print:
                        marks.Add(new LaneMark(e.AtMs, e.Kind, e.Value, e.Seq, false));
                        stepEnd = e.AtMs;
                        break;
                    case EventKind.LockReleased:
                        if (holdingSince is { } h) bars.Add(new LaneBar(h, e.AtMs, LaneActivity.Holding));
                        holdingSince = null;
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
                if (waitingSince is { } w) bars.Add(new LaneBar(w, nowMs, LaneActivity.Waiting));
                if (holdingSince is { } h) bars.Add(new LaneBar(h, nowMs, LaneActivity.Holding));
                if (readAt is { } r) bars.Add(new LaneBar(r, nowMs, LaneActivity.Stale));
            }
            lanes.Add(new Lane(process, bars.OrderBy(b => b.FromMs).ToList(), marks, holdingSince is not null && !exited));
        }
        return lanes;
    }

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
}
