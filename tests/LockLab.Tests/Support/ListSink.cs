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

    /// <summary>Runs on the job's thread at each flush (numbered from 1): a test can make one slow, as a blocked pipe would.</summary>
    public Action<int>? OnFlush { get; set; }

    public void Flush()
    {
        Flushes++;
        OnFlush?.Invoke(Flushes);
    }
}
