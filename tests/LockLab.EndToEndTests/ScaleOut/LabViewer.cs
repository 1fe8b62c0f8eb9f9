using System.Collections.Concurrent;
using LockLab.Contracts;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace LockLab.EndToEndTests.ScaleOut;

/// <summary>
/// A real SignalR client of one lab instance that records, in arrival order, everything its room is sent: run
/// news, page changes, viewer counts. Tests wait on what it records, never on time.
/// </summary>
public sealed class LabViewer : IAsyncDisposable
{
    private readonly HubConnection _hub;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RunInfo>> _completed = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LabViewer(HubConnection hub) => _hub = hub;

    /// <summary>Every RunEvents message, as (run, events) in the order they arrived.</summary>
    public ConcurrentQueue<(string RunId, RunEvent[] Events)> EventMessages { get; } = new();
    public ConcurrentQueue<(string Room, string Lesson, int Page)> PageChanges { get; } = new();
    public ConcurrentQueue<int> ViewerCounts { get; } = new();
    public RoomState? Joined { get; private set; }

    /// <summary>Completes when the connection ends (the instance died, say).</summary>
    public Task Closed => _closed.Task;

    public static async Task<LabViewer> JoinAsync(Uri server, string room, bool presenter = false)
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(server, "/hubs/lab"), o =>
            {
                // As browsers connect: no falling back to long polling, so a proxy that breaks WebSockets fails the test.
                o.Transports = HttpTransportType.WebSockets;
                if (presenter) o.AccessTokenProvider = () => Task.FromResult<string?>(ServerProcess.Key);
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default))
            .Build();
        var viewer = new LabViewer(hub);
        hub.On<string, RunEvent[]>(nameof(ILabClient.RunEvents), (id, events) => viewer.EventMessages.Enqueue((id, events)));
        hub.On<RunInfo>(nameof(ILabClient.RunCompleted), run => viewer.Completion(run.Id).TrySetResult(run));
        hub.On<string, string, int>(nameof(ILabClient.PageChanged), (r, lesson, page) => viewer.PageChanges.Enqueue((r, lesson, page)));
        hub.On<string, int>(nameof(ILabClient.ViewersChanged), (_, n) => viewer.ViewerCounts.Enqueue(n));
        hub.Closed += _ =>
        {
            viewer._closed.TrySetResult();
            return Task.CompletedTask;
        };
        await hub.StartAsync();
        viewer.Joined = await hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room);
        return viewer;
    }

    public HubConnection Hub => _hub;

    private TaskCompletionSource<RunInfo> Completion(string runId) =>
        _completed.GetOrAdd(runId, _ => new TaskCompletionSource<RunInfo>(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>The run's <c>RunCompleted</c>, when it comes.</summary>
    public Task<RunInfo> CompletedAsync(string runId, TimeSpan timeout) => Completion(runId).Task.WaitAsync(timeout);

    /// <summary>
    /// The run once it has ended: as the room said when this page joined, if it had ended by then (its
    /// <c>RunCompleted</c> went out before the join), or else its <c>RunCompleted</c>, when it comes.
    /// </summary>
    public Task<RunInfo> FinishedAsync(string runId, TimeSpan timeout) =>
        Joined?.RecentRuns.FirstOrDefault(r => r.Id == runId) is { IsFinished: true } ended ? Task.FromResult(ended) : CompletedAsync(runId, timeout);

    /// <summary>The run's events as received live, in arrival order.</summary>
    public RunEvent[] EventsOf(string runId) => EventMessages.Where(m => m.RunId == runId).SelectMany(m => m.Events).ToArray();

    public async ValueTask DisposeAsync() => await _hub.DisposeAsync();
}
