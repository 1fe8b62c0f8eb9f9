using LockLab.Contracts;

namespace LockLab.Worker;

/// <summary>Where a job reports what it did. The worker process writes JSON lines to stdout; tests collect in memory.</summary>
public interface IEventSink
{
    void Write(RunEvent e);

    /// <summary>Called before the job blocks (sleep, lock wait) so that a viewer sees everything up to now.</summary>
    void Flush();
}
