using System.Collections.Concurrent;
using LockLab.Contracts;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace LockLab.TestServices;

/// <summary>
/// A real SignalR client of the lab that records, in arrival order, everything a room sends it (<see cref="ILabClient"/>:
/// run news, events, page changes, viewer counts): the one recorder of the unit, end-to-end and scale-out tests. Tests
/// wait on what it records (<see cref="UntilAsync"/>, <see cref="CompletedAsync"/>), never on time.
/// </summary>
/// <remarks>
/// The benchmark's viewers (<c>RunWatcher</c>, <c>ViewerAgent</c>) are not recorders: they measure runs of millions of
/// events, by thousands of viewers, and keep no events.
/// </remarks>
public sealed class RoomRecorder : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HubConnection _hub;
    private readonly bool _owned;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RunInfo>> _completed = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>Completed (and replaced) at every message: what <see cref="UntilAsync"/> waits on.</summary>
    private TaskCompletionSource _received = NewSignal();

    /// <summary>Records what <paramref name="hub"/> (not started yet, or started and joined by the test) receives.</summary>
    public RoomRecorder(HubConnection hub) : this(hub, owned: false)
    {
    }

    private RoomRecorder(HubConnection hub, bool owned)
    {
        (_hub, _owned) = (hub, owned);
        hub.On<RunInfo>(nameof(ILabClient.RunStarted), run => Record(new(nameof(ILabClient.RunStarted), run.Id, [], run)));
        hub.On<string, RunEvent[]>(nameof(ILabClient.RunEvents), (id, events) => Record(new(nameof(ILabClient.RunEvents), id, events)));
        hub.On<RunInfo>(nameof(ILabClient.RunCompleted), run =>
        {
            Record(new(nameof(ILabClient.RunCompleted), run.Id, [], run));
            Completion(run.Id).TrySetResult(run);
        });
        // A student's run's news (its place in the queue, its start, its end): to that student's pages and the presenter's.
        hub.On<RunInfo>(nameof(ILabClient.StudentRunChanged), run => Record(new(nameof(ILabClient.StudentRunChanged), run.Id, [], run)));
        hub.On<string, string, int>(nameof(ILabClient.PageChanged), (room, lesson, page) => PageChanges.Enqueue((room, lesson, page)));
        hub.On<string, int>(nameof(ILabClient.ViewersChanged), (_, viewers) => ViewerCounts.Enqueue(viewers));
        hub.Closed += _ =>
        {
            _closed.TrySetResult();
            return Task.CompletedTask;
        };
    }

    /// <summary>
    /// Connects to the lab at <paramref name="server"/> over WebSockets only, as browsers do (a proxy that breaks them
    /// fails the test instead of falling back unnoticed), and joins <paramref name="room"/>.
    /// </summary>
    /// <param name="presenterKey">Sent as the connection's access token: the presenter's connection.</param>
    public static async Task<RoomRecorder> JoinAsync(Uri server, string room, string? presenterKey = null)
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(server, "/hubs/lab"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                if (presenterKey is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(presenterKey);
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default))
            .Build();
        var recorder = new RoomRecorder(hub, owned: true);
        try
        {
            await hub.StartAsync();
            recorder.Joined = await hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room);
            return recorder;
        }
        catch
        {
            await hub.DisposeAsync();
            throw;
        }
    }

    public HubConnection Hub => _hub;

    /// <summary>What the room showed when <see cref="JoinAsync"/> joined it.</summary>
    public RoomState? Joined { get; private set; }

    /// <param name="Info">The run as <c>RunStarted</c> and <c>RunCompleted</c> described it.</param>
    public sealed record Message(string Method, string RunId, RunEvent[] Events, RunInfo? Info = null);

    /// <summary>Run news and events, in the order they arrived.</summary>
    public ConcurrentQueue<Message> Messages { get; } = new();

    public ConcurrentQueue<(string Room, string Lesson, int Page)> PageChanges { get; } = new();

    public ConcurrentQueue<int> ViewerCounts { get; } = new();

    /// <summary>Completes when the connection ends (the lab died, say).</summary>
    public Task Closed => _closed.Task;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Record(Message message)
    {
        Messages.Enqueue(message);
        Interlocked.Exchange(ref _received, NewSignal()).TrySetResult();
    }

    /// <summary>
    /// Waits, message by message (never on a clock), until <paramref name="condition"/> holds; false if it did
    /// not within 30 s.
    /// </summary>
    public async Task<bool> UntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(Patience);
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

    private TaskCompletionSource<RunInfo> Completion(string runId) =>
        _completed.GetOrAdd(runId, _ => new TaskCompletionSource<RunInfo>(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>The run's <c>RunCompleted</c>, when it comes (within 30 s, or <paramref name="timeout"/>).</summary>
    public Task<RunInfo> CompletedAsync(string runId, TimeSpan? timeout = null) => Completion(runId).Task.WaitAsync(timeout ?? Patience);

    /// <summary>
    /// The run once it has ended: as the room said when this recorder joined, if it had ended by then (its
    /// <c>RunCompleted</c> went out before the join), or else its <c>RunCompleted</c>, when it comes.
    /// </summary>
    public Task<RunInfo> FinishedAsync(string runId, TimeSpan? timeout = null) =>
        Joined?.RecentRuns.FirstOrDefault(r => r.Id == runId) is { IsFinished: true } ended
            ? Task.FromResult(ended)
            : CompletedAsync(runId, timeout);

    /// <summary>The run's events as received live, in arrival order.</summary>
    public RunEvent[] EventsOf(string runId) => Messages.Where(m => m.RunId == runId).SelectMany(m => m.Events).ToArray();

    public bool HasCompleted(string runId) => Messages.Any(m => m.RunId == runId && m.Method == nameof(ILabClient.RunCompleted));

    /// <summary>Ends the connection if this recorder made it (<see cref="JoinAsync"/>); a test's own connection is the test's.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_owned) await _hub.DisposeAsync();
    }
}
