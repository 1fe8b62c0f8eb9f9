using LockLab.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Bench.Harness;

/// <summary>
/// One viewer inside the measuring process: joins a room over SignalR and notes, per run, when the first print and
/// the last event arrived (<see cref="System.Diagnostics.Stopwatch"/> timestamps of this process), how many events
/// came and whether they came in order.
/// </summary>
public sealed class RunWatcher : IAsyncDisposable
{
    private readonly HubConnection _hub;
    private readonly Dictionary<string, Watched> _runs = new(StringComparer.Ordinal);

    private RunWatcher(HubConnection hub)
    {
        _hub = hub;
        hub.On<string, RunEvent[]>("RunEvents", (runId, events) =>
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            var run = Get(runId);
            lock (run)
            {
                foreach (var e in events)
                {
                    if (e.Seq != run.Events + 1) run.InOrder = false;
                    run.Events = e.Seq;
                    if (run.FirstEvent == 0) run.FirstEvent = now;
                    if (e.Kind == EventKind.Print && run.FirstPrint == 0) run.FirstPrint = now;
                    run.LastEvent = now;
                }
            }
        });
        hub.On<RunInfo>("RunCompleted", info => Get(info.Id).Completed.TrySetResult(info));
        hub.On<RunInfo>("RunStarted", _ => { });
        hub.On<string, int>("ViewersChanged", (_, _) => { });
    }

    public static async Task<RunWatcher> ConnectAsync(LabServer server, string room = "main")
    {
        var watcher = new RunWatcher(server.CreateHubConnection());
        await watcher._hub.StartAsync();
        await watcher._hub.InvokeAsync<RoomState>("JoinRoom", room);
        return watcher;
    }

    /// <summary>Waits until the run's completion has arrived, then tells what this viewer saw of it.</summary>
    public async Task<WatchedRun> WaitCompletedAsync(string runId, TimeSpan timeout)
    {
        var run = Get(runId);
        var info = await run.Completed.Task.WaitAsync(timeout);
        lock (run) return new WatchedRun(info, run.FirstEvent, run.FirstPrint, run.LastEvent, run.Events, run.InOrder && run.Events == info.EventCount);
    }

    private Watched Get(string runId)
    {
        lock (_runs)
        {
            if (!_runs.TryGetValue(runId, out var run)) _runs[runId] = run = new Watched();
            return run;
        }
    }

    public ValueTask DisposeAsync() => _hub.DisposeAsync();

    private sealed class Watched
    {
        public long Events, FirstEvent, FirstPrint, LastEvent;
        public bool InOrder = true;
        public TaskCompletionSource<RunInfo> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <param name="Complete">Every event arrived, each once, in sequence order.</param>
public sealed record WatchedRun(RunInfo Info, long FirstEventTimestamp, long FirstPrintTimestamp, long LastEventTimestamp, long Events, bool Complete);
