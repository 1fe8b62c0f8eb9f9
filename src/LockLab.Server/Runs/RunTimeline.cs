using System.Diagnostics;
using LockLab.Contracts;

namespace LockLab.Server.Runs;

/// <summary>
/// Where one run's time goes on this server, stage by stage, on the monotonic clock (<see cref="Stopwatch"/>
/// timestamps, which on Linux compare across processes): accepted, taken from the queue, jobs handed out, workers at
/// the gate, gate opened, finished; and for three events (the first, the first print, the last) when their worker
/// wrote them, when the server read them, when they joined the run's log in ticket order and when the hub sent them.
/// It follows three events, not every event, so a stress run of millions pays a comparison per event at most.
/// Read by <c>GET /api/runs/{id}/timings</c>: the benchmark's breakdown of a run's overhead comes from here.
/// </summary>
public sealed class RunTimeline
{
    private readonly Lock _gate = new();
    private long _dequeued, _jobsHanded, _workersReady, _gateOpened, _finished;
    private Followed? _first, _firstPrint, _last;

    /// <summary>When the server accepted the request (the run was created).</summary>
    public long Accepted { get; } = Stopwatch.GetTimestamp();

    public void MarkDequeued() => Mark(ref _dequeued);
    public void MarkJobsHanded() => Mark(ref _jobsHanded);
    /// <param name="at">When the last worker stood at the gate.</param>
    public void MarkWorkersReady(long at)
    {
        lock (_gate) _workersReady = at;
    }
    public void MarkFinished() => Mark(ref _finished);

    /// <param name="at">The timestamp the workers count their <c>atMs</c> from.</param>
    public void MarkGateOpened(long at)
    {
        lock (_gate) _gateOpened = at;
    }

    private void Mark(ref long stage)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            if (stage == 0) stage = now;
        }
    }

    /// <summary>One worker's batch, in that worker's ticket order, read from its stdout at <paramref name="readAt"/>.</summary>
    public void Read(IReadOnlyList<RunEvent> batch, long readAt)
    {
        if (batch.Count == 0) return;
        lock (_gate)
        {
            foreach (var e in batch)
            {
                if (e.Seq == 1) _first ??= new Followed(e, readAt);
                // Workers are read apart: a later print may be read before an earlier one.
                if (e.Kind == EventKind.Print && (_firstPrint is null || e.Seq < _firstPrint.Event.Seq))
                    _firstPrint = new Followed(e, readAt);
            }
            if (_last is null || batch[^1].Seq > _last.Event.Seq) _last = new Followed(batch[^1], readAt);
        }
    }

    /// <summary>Events joined the run's log, in ticket order (a contiguous run of tickets).</summary>
    public void Released(IReadOnlyList<RunEvent> ordered) => Stamp(ordered, static f => ref f.Released);

    /// <summary>The hub handed these events (in ticket order) to the room.</summary>
    public void Sent(IReadOnlyList<RunEvent> ordered) => Stamp(ordered, static f => ref f.Sent);

    private delegate ref long StageOf(Followed followed);

    private void Stamp(IReadOnlyList<RunEvent> ordered, StageOf stage)
    {
        if (ordered.Count == 0) return;
        var now = Stopwatch.GetTimestamp();
        var (from, to) = (ordered[0].Seq, ordered[^1].Seq);
        lock (_gate)
        {
            foreach (var followed in (ReadOnlySpan<Followed?>)[_first, _firstPrint, _last])
            {
                if (followed is null || followed.Event.Seq < from || followed.Event.Seq > to) continue;
                ref var at = ref stage(followed);
                if (at == 0) at = now;
            }
        }
    }

    public RunTimings ToTimings(string runId)
    {
        lock (_gate)
        {
            return new RunTimings(runId, Accepted, Stopwatch.Frequency, Ms(_dequeued), Ms(_jobsHanded), Ms(_workersReady), Ms(_gateOpened),
                Describe(_first), Describe(_firstPrint), Describe(_last), Ms(_finished));
        }
    }

    private EventTimings? Describe(Followed? followed)
    {
        if (followed is null || _gateOpened == 0) return null;
        var written = Stopwatch.GetElapsedTime(Accepted, _gateOpened).TotalMilliseconds + followed.Event.AtMs;
        return new EventTimings(followed.Event.Seq, followed.Event.Process, Math.Round(written, 3), Ms(followed.Read),
            Ms(followed.Released), Ms(followed.Sent));
    }

    private double? Ms(long timestamp) =>
        timestamp == 0 ? null : Math.Round(Stopwatch.GetElapsedTime(Accepted, timestamp).TotalMilliseconds, 3);

    private sealed class Followed(RunEvent e, long read)
    {
        public RunEvent Event { get; } = e;
        public long Read = read;
        public long Released;
        public long Sent;
    }
}
