using LockLab.Contracts;
using LockLab.Worker;

namespace LockLab.Tests.Support;

/// <summary>Collects a job's events in memory, as the worker's stdout would carry them.</summary>
public sealed class ListSink : IEventSink
{
    public List<RunEvent> Events { get; } = [];
    public int Flushes { get; private set; }

    public void Write(RunEvent e)
    {
        lock (Events) Events.Add(e);
    }

    public void Flush() => Flushes++;
}
