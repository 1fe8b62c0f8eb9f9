using System.Collections.Concurrent;
using LockLab.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Support;

/// <summary>Records everything a SignalR client receives in a room, in arrival order.</summary>
public sealed class RoomRecorder
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RunInfo>> _completed = new();
    /// <summary>Completed (and replaced) at every message: what <see cref="UntilAsync"/> waits on.</summary>
    private TaskCompletionSource _received = NewSignal();

    public RoomRecorder(HubConnection hub)
    {
        hub.On<RunInfo>(nameof(ILabClient.RunStarted), run => Record(new(nameof(ILabClient.RunStarted), run.Id, [], run)));
        hub.On<string, RunEvent[]>(nameof(ILabClient.RunEvents), (id, events) => Record(new(nameof(ILabClient.RunEvents), id, events)));
        hub.On<RunInfo>(nameof(ILabClient.RunCompleted), run =>
        {
            Record(new(nameof(ILabClient.RunCompleted), run.Id, [], run));
            Completion(run.Id).TrySetResult(run);
        });
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Record(Message message)
    {
        Messages.Enqueue(message);
        Interlocked.Exchange(ref _received, NewSignal()).TrySetResult();
    }

    /// <summary>Waits, message by message (never on a clock), until <paramref name="condition"/> holds; false if it did not within 30 s.</summary>
    public async Task<bool> UntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var next = Volatile.Read(ref _received).Task; // taken before checking, so a message in between is not missed
            if (condition()) return true;
            try
            {
                await next.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                return condition();
            }
        }
    }

    /// <param name="Info">The run as <c>RunStarted</c> and <c>RunCompleted</c> described it.</param>
    public sealed record Message(string Method, string RunId, RunEvent[] Events, RunInfo? Info = null);

    public ConcurrentQueue<Message> Messages { get; } = new();

    private TaskCompletionSource<RunInfo> Completion(string runId) =>
        _completed.GetOrAdd(runId, _ => new TaskCompletionSource<RunInfo>(TaskCreationOptions.RunContinuationsAsynchronously));

    public Task<RunInfo> CompletedAsync(string runId) => Completion(runId).Task.WaitAsync(TimeSpan.FromSeconds(30));

    public List<RunEvent> EventsOf(string runId) => Messages.Where(m => m.RunId == runId).SelectMany(m => m.Events).ToList();

    public bool HasCompleted(string runId) => Messages.Any(m => m.RunId == runId && m.Method == nameof(ILabClient.RunCompleted));
}
