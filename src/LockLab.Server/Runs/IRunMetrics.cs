using LockLab.Contracts;

namespace LockLab.Server.Runs;

/// <summary>
/// What carrying out runs measures, for whoever reports it (<see cref="Operations.LabMetrics"/> exports it at
/// <c>/metrics</c>). Nothing here is per event: runs report millions of events, so they are counted per batch.
/// </summary>
public interface IRunMetrics
{
    void RunStarted(string scenario);

    void RunFinished(string scenario, RunStatus status);

    void EventsReceived(int count);

    /// <summary>From a run asking for its workers until all stand at the start gate; prestarted when the pool had them.</summary>
    void WorkersReady(TimeSpan elapsed, bool prestarted);

    /// <summary>An observer of one worker's event stream that measures its lock waits; null when there is none to measure.</summary>
    Action<List<RunEvent>>? LockWaits(string scenario, RunParameters parameters);
}
