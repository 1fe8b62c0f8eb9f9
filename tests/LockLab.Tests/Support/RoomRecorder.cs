using System.Collections.Concurrent;
using System.Diagnostics;
using LockLab.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Support;

/// <summary>Records everything a SignalR client receives in a room, with the moment it arrived.</summary>
public sealed class RoomRecorder
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RunInfo>> _completed = new();

    public RoomRecorder(HubConnection hub)
    {
        hub.On<RunInfo>("RunStarted", run => Messages.Enqueue(new("RunStarted", run.Id, [], Stopwatch.GetTimestamp())));
        hub.On<string, RunEvent[]>("RunEvents", (id, events) => Messages.Enqueue(new("RunEvents", id, events, Stopwatch.GetTimestamp())));
        hub.On<RunInfo>("RunCompleted", run =>
        {
            Messages.Enqueue(new("RunCompleted", run.Id, [], Stopwatch.GetTimestamp()));
            Completion(run.Id).TrySetResult(run);
        });
    }

    public sealed record Message(string Method, string RunId, RunEvent[] Events, long ReceivedAt);

    public ConcurrentQueue<Message> Messages { get; } = new();

    private TaskCompletionSource<RunInfo> Completion(string runId) =>
        _completed.GetOrAdd(runId, _ => new TaskCompletionSource<RunInfo>(TaskCreationOptions.RunContinuationsAsynchronously));

    public Task<RunInfo> CompletedAsync(string runId) => Completion(runId).Task.WaitAsync(TimeSpan.FromSeconds(30));

    public List<RunEvent> EventsOf(string runId) => Messages.Where(m => m.RunId == runId).SelectMany(m => m.Events).ToList();
}
