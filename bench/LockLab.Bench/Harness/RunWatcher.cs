using System.Diagnostics;
using LockLab.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Bench.Harness;

/// <summary>
/// One viewer inside the measuring process: joins a room over SignalR and notes, per run, when the first print and
/// the last event arrived (<see cref="Stopwatch"/> timestamps of this process), how many events came and whether
/// they came in order. Like the lab's page, it reconnects when the server disconnects it for falling behind (a run of
/// millions of events can outpace a reader) and catches up by sequence number with <c>GetEvents</c>.
/// </summary>
public sealed class RunWatcher : IAsyncDisposable
{
    private readonly LabServer _server;
    private readonly string _room;
    private readonly Dictionary<string, Watched> _runs = new(StringComparer.Ordinal);
    private HubConnection? _hub;
    private volatile bool _disposed;
    /// <summary>
    /// Between a disconnect and the end of its catch-up (guarded by <see cref="_runs"/>): runs first heard of
    /// meanwhile catch up too.
    /// </summary>
    private bool _reconnecting;

    private RunWatcher(LabServer server, string room)
    {
        _server = server;
        _room = room;
    }

    /// <summary>How often the server disconnected this viewer and it caught up.</summary>
    public int Reconnects { get; private set; }

    public static async Task<RunWatcher> ConnectAsync(LabServer server, string room = "main")
    {
        var watcher = new RunWatcher(server, room);
        await watcher.ConnectAsync();
        return watcher;
    }

    private async Task ConnectAsync()
    {
        var hub = _server.CreateHubConnection();
        hub.On<string, RunEvent[]>(nameof(ILabClient.RunEvents), (runId, events) => Received(runId, events, Stopwatch.GetTimestamp()));
        hub.On<RunInfo>(nameof(ILabClient.RunCompleted), info =>
        {
            var run = Get(info.Id);
            lock (run)
            {
                if (!run.CatchingUp) run.Completed.TrySetResult(info);
            }
        });
        hub.On<RunInfo>(nameof(ILabClient.RunStarted), _ => { });
        hub.On<string, int>(nameof(ILabClient.ViewersChanged), (_, _) => { });
        hub.Closed += async _ =>
        {
            if (_disposed) return;
            Reconnects++;
            // Before the new connection exists: its first live RunEvents run ahead of what this viewer has (they
            // would count as a gap) and its RunCompleted may come before the missed events (an early completion).
            // Marked as catching up, a run takes live events only in sequence and its completion from the catch-up.
            lock (_runs)
            {
                _reconnecting = true;
                foreach (var run in _runs.Values.Where(r => !r.Completed.Task.IsCompleted))
                {
                    lock (run) run.CatchingUp = true;
                }
            }
            try
            {
                await ConnectAsync();
            }
            finally
            {
                await hub.DisposeAsync(); // closed for good (Closed runs apart from its connection lock): the new one replaces it
            }
            await CatchUpAsync();
        };
        _hub = hub;
        await hub.StartAsync();
        if (_disposed)
        {
            // Disposed while this reconnect was starting: DisposeAsync may have disposed the connection before.
            await hub.DisposeAsync();
            return;
        }
        await hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), _room);
    }

    /// <summary>
    /// After a reconnect: fetch what was missed of each run that is catching up, until it has finished and all is
    /// in; then, under the same lock, stop marking newly heard-of runs, so that none is left catching up unattended.
    /// </summary>
    private async Task CatchUpAsync()
    {
        using var http = _server.CreateClient(presenter: false);
        while (true)
        {
            List<(string Id, Watched Run)> open;
            lock (_runs)
            {
                open = _runs.Where(r => r.Value.CatchingUp && !r.Value.Completed.Task.IsCompleted).Select(r => (r.Key, r.Value)).ToList();
                if (open.Count == 0 || _disposed)
                {
                    _reconnecting = false;
                    return;
                }
            }
            foreach (var (id, run) in open) await CatchUpAsync(http, id, run);
        }
    }

    private async Task CatchUpAsync(HttpClient http, string id, Watched run)
    {
        while (!_disposed)
        {
            long after;
            lock (run) after = run.Events;
            var batch = await _hub!.InvokeAsync<RunEvent[]>(nameof(ILabHub.GetEvents), id, after);
            if (batch.Length > 0)
            {
                Received(id, batch, Stopwatch.GetTimestamp());
                continue;
            }
            var info = await LabRuns.GetAsync(http, id);
            lock (run)
            {
                if (info.IsFinished && run.Events >= info.EventCount)
                {
                    run.CatchingUp = false;
                    run.Completed.TrySetResult(info);
                    break;
                }
            }
            await Task.Delay(20);
        }
    }

    private void Received(string runId, RunEvent[] events, long now)
    {
        var run = Get(runId);
        lock (run)
        {
            foreach (var e in events)
            {
                if (e.Seq <= run.Events) continue; // already had it (a catch-up overlapping live messages)
                if (e.Seq != run.Events + 1)
                {
                    // While catching up, live messages run ahead of what has been fetched: the fetch brings them in order.
                    if (run.CatchingUp) break;
                    run.InOrder = false;
                }
                run.Events = e.Seq;
                if (run.FirstEvent == 0) run.FirstEvent = now;
                if (e.Kind == EventKind.Print && run.FirstPrint == 0) run.FirstPrint = now;
                run.LastEvent = now;
            }
        }
    }

    /// <summary>Waits until the run's completion has arrived, then tells what this viewer saw of it.</summary>
    public async Task<WatchedRun> WaitCompletedAsync(string runId, TimeSpan timeout)
    {
        var run = Get(runId);
        var info = await run.Completed.Task.WaitAsync(timeout);
        lock (run) return new WatchedRun(info, run.FirstEvent, run.FirstPrint, run.LastEvent, run.Events,
            run.InOrder && run.Events == info.EventCount);
    }

    private Watched Get(string runId)
    {
        lock (_runs)
        {
            if (!_runs.TryGetValue(runId, out var run)) _runs[runId] = run = new Watched { CatchingUp = _reconnecting };
            return run;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_hub is not null) await _hub.DisposeAsync();
    }

    private sealed class Watched
    {
        public long Events, FirstEvent, FirstPrint, LastEvent;
        public bool InOrder = true;
        public bool CatchingUp;
        public TaskCompletionSource<RunInfo> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <param name="Complete">Every event arrived, each once, in sequence order.</param>
public sealed record WatchedRun(
    RunInfo Info, long FirstEventTimestamp, long FirstPrintTimestamp, long LastEventTimestamp, long Events, bool Complete);
