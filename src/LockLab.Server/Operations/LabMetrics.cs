using System.Diagnostics.Metrics;
using LockLab.Contracts;
using LockLab.Server.Rooms;
using LockLab.Server.Runs;

namespace LockLab.Server.Operations;

/// <summary>
/// Every metric the lab itself reports, in one meter (<see cref="MeterName"/>), exported for Prometheus at
/// <c>/metrics</c>. Instruments are created once here; the code that measures calls the small methods below, so a
/// metric's name, unit and tags are decided in one place. Nothing here is per event: stress runs report millions of
/// events, so events are counted per batch and only lock acquisitions are recorded one by one.
/// </summary>
public sealed class LabMetrics : IRunMetrics
{
    public const string MeterName = "LockLab";

    private readonly Counter<long> _runsStarted;
    private readonly Counter<long> _runsFinished;
    private readonly Counter<long> _eventsReceived;
    private readonly Histogram<double> _workerStart;
    private readonly Histogram<double> _lockWait;

    public LabMetrics(IMeterFactory meters, RunStore runs, RoomConnections rooms)
    {
        // From the host's meter factory, not a static Meter: each host (and each test server) counts its own runs.
        var meter = meters.Create(MeterName);
        _runsStarted = meter.CreateCounter<long>("locklab.runs.started", "{run}",
            "Runs the executor took from the queue and began (workers requested), by scenario.");
        _runsFinished = meter.CreateCounter<long>("locklab.runs.finished", "{run}",
            "Runs that ended, by scenario and status (completed, failed, cancelled).");
        _eventsReceived = meter.CreateCounter<long>("locklab.events.received", "{event}",
            "Events read from worker processes; its rate is the lab's events per second.");
        _workerStart = meter.CreateHistogram("locklab.worker.start.duration", "s",
            "From a run asking for its worker processes until all of them are ready at the start gate; " +
                "prestarted=true when the pool had them waiting.",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15]
            });
        _lockWait = meter.CreateHistogram("locklab.lock.wait.duration", "s",
            "From a process's lock-wait event to its lock-acquired event (live runs only: in step mode people decide how long).",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
            });

        // Read when scraped, not kept up to date on every change.
        meter.CreateObservableGauge("locklab.room.viewers", () => ObserveViewers(rooms), "{connection}",
            "Pages connected to this instance, per room that has any (rooms nobody watches are left out, to bound the series).");
        meter.CreateObservableUpDownCounter("locklab.runs.active", () => ObserveActive(runs), "{run}",
            "Runs queued or running now, by status.");
    }

    public void RunStarted(string scenario) => _runsStarted.Add(1, new KeyValuePair<string, object?>("scenario", scenario));

    public void RunFinished(string scenario, RunStatus status) =>
        _runsFinished.Add(1, new KeyValuePair<string, object?>("scenario", scenario),
            new KeyValuePair<string, object?>("status", WireNames.Name(status)));

    /// <summary>Once per batch read from a worker's stdout.</summary>
    public void EventsReceived(int count) => _eventsReceived.Add(count);

    public void WorkersReady(TimeSpan elapsed, bool prestarted) =>
        _workerStart.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("prestarted", prestarted));

    /// <summary>A tracker for one worker's event stream, or null when the run takes no lock or is stepped by hand.</summary>
    public Action<List<RunEvent>>? LockWaits(string scenario, RunParameters parameters) =>
        parameters.Lock == LockScope.None || parameters.Mode == RunMode.Step || !parameters.ReportsSteps
            ? null
            : new LockWaitMeter(_lockWait, scenario).Observe;

    private static IEnumerable<Measurement<int>> ObserveViewers(RoomConnections rooms) =>
        rooms.Counts().Select(r => new Measurement<int>(r.Viewers, new KeyValuePair<string, object?>("room", r.Room)));

    private static IEnumerable<Measurement<int>> ObserveActive(RunStore runs)
    {
        var (queued, running) = runs.CountActiveByStatus();
        yield return new Measurement<int>(queued, new KeyValuePair<string, object?>("status", "queued"));
        yield return new Measurement<int>(running, new KeyValuePair<string, object?>("status", "running"));
    }
}

/// <summary>
/// Lock wait times from one worker's events as they stream in: each worker reports its own events in the order it
/// did them, so a <c>lock-wait</c> is followed by that same process's <c>lock-acquired</c>. The same measure as
/// the run summary's per-process wait (<see cref="RunSummaryBuilder"/>), one observation per acquisition.
/// </summary>
public sealed class LockWaitMeter(Histogram<double> histogram, string scenario)
{
    private readonly KeyValuePair<string, object?> _scenario = new("scenario", scenario);
    private double _waitingSince = double.NaN;

    public void Observe(List<RunEvent> batch)
    {
        if (!histogram.Enabled) return; // nobody listens: not even the loop
        foreach (var e in batch)
        {
            if (e.Kind == EventKind.LockWait) _waitingSince = e.AtMs;
            else if (e.Kind == EventKind.LockAcquired && !double.IsNaN(_waitingSince))
            {
                histogram.Record((e.AtMs - _waitingSince) / 1000, _scenario);
                _waitingSince = double.NaN;
            }
        }
    }
}
