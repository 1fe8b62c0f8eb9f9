using System.Collections.Concurrent;

namespace LockLab.Server.Runs;

/// <summary>
/// The tasks that follow runs to their end, outside any request: the broadcaster's and the recorder's. A stopping
/// server waits for them (<see cref="RunWindDown"/>), so that the last news of a run it cancelled reaches the room
/// and its final state reaches the history, instead of dying with the process.
/// </summary>
public sealed class RunFollowers
{
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    public void Start(Func<Task> follow)
    {
        var task = Task.Run(follow);
        _running.TryAdd(task, 0);
        task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>
    /// Waits until every follower started so far has ended: false when <paramref name="ct"/> (the host's
    /// shutdown timeout) came first.
    /// </summary>
    public async Task<bool> AllEndedAsync(CancellationToken ct)
    {
        try
        {
            await Task.WhenAll(_running.Keys).WaitAsync(ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>
/// Graceful shutdown, last step: after the orchestrator has ended the runs in progress (cancelled, "the server is
/// shutting down"), wait — within the host's shutdown timeout — until viewers and the history have heard.
/// </summary>
public sealed class RunWindDown(RunFollowers followers, ILogger<RunWindDown> logger) : IHostedLifecycleService
{
    public async Task StoppedAsync(CancellationToken ct)
    {
        if (!await followers.AllEndedAsync(ct))
            logger.LogWarning("Stopped before every run's last news was sent and stored (host shutdown timeout)");
    }

    public Task StartingAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
