using System.Collections.Concurrent;
using LockLab.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace LockLab.Server.Hubs;

/// <summary>
/// One outbound queue per connected page. SignalR's group send waits for the slowest member of the group, so a
/// single phone that stopped reading would hold up every screen in the room; here each page is fed by its own
/// pump instead. Events of one run that queue up behind a slow send are merged into one message (up to
/// <see cref="MaxEventsPerMessage"/>), so a page that reads slowly gets fewer, larger messages rather than a growing
/// backlog, and a fast page gets each event as soon as it exists. A page that still falls <see cref="MaxBacklog"/>
/// messages behind, or does not take a message within <see cref="SendTimeout"/>, is disconnected: its client
/// reconnects and catches up by sequence number. A message is serialized once for all the pages it goes to
/// (<see cref="SerializedHubMessage"/>), not once per page.
/// </summary>
public sealed class ViewerFeeds(LabHubLifetimeManager connections, ILogger<ViewerFeeds> logger)
{
    public const int MaxBacklog = 256;
    public const int MaxEventsPerMessage = 2000;
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    private sealed record Message(string Method, object?[] Args)
    {
        /// <summary>Serialized at most once per protocol, on first write, whichever page's pump gets there first.</summary>
        public SerializedHubMessage Serialized { get; } = new(new InvocationMessage(Method, Args));

        /// <summary>The run id when this message carries a run's events (<c>RunEvents(runId, events)</c>).</summary>
        public string? EventsOfRun => Method == nameof(ILabClient.RunEvents) && Args is [string runId, RunEvent[]] ? runId : null;
        public RunEvent[] Events => (RunEvent[])Args[1]!;
    }

    private sealed class Feed(HubCallerContext context, HubConnectionContext connection)
    {
        // A linked list, not a queue: the last message may be replaced by a merged one while the pump is busy.
        private readonly LinkedList<Message> _queue = new();
        private TaskCompletionSource _news = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _closed;

        public HubCallerContext Context { get; } = context;
        public HubConnectionContext Connection { get; } = connection;
        public bool Closed { get { lock (_queue) return _closed; } }

        /// <summary>Queues a message, merging consecutive events of the same run; false when the backlog is full.</summary>
        public bool TryEnqueue(Message message)
        {
            lock (_queue)
            {
                if (_closed) return true;
                if (message.EventsOfRun is { } run && _queue.Last is { } last && last.Value.EventsOfRun == run
                    && last.Value.Events.Length + message.Events.Length <= MaxEventsPerMessage)
                {
                    // The pump has not taken the last message yet: it goes out as one message carrying both, in order.
                    last.Value = new Message(last.Value.Method, [run, (RunEvent[])[.. last.Value.Events, .. message.Events]]);
                    return true;
                }
                if (_queue.Count >= MaxBacklog) return false;
                _queue.AddLast(message);
                _news.TrySetResult();
                return true;
            }
        }

        /// <summary>The next message, waiting for one; null once closed.</summary>
        public async Task<Message?> TakeAsync()
        {
            while (true)
            {
                Task news;
                lock (_queue)
                {
                    if (_queue.First is { } first)
                    {
                        _queue.RemoveFirst();
                        return first.Value;
                    }
                    if (_closed) return null;
                    if (_news.Task.IsCompleted) _news = new(TaskCreationOptions.RunContinuationsAsynchronously);
                    news = _news.Task;
                }
                await news;
            }
        }

        public void Close()
        {
            lock (_queue)
            {
                _closed = true;
                _queue.Clear();
                _news.TrySetResult();
            }
        }
    }

    private readonly ConcurrentDictionary<string, Feed> _feeds = new(StringComparer.Ordinal);

    /// <summary>Pages being fed now.</summary>
    public int Count => _feeds.Count;

    /// <summary>A page connected: start feeding it.</summary>
    public void Open(HubCallerContext context)
    {
        if (connections.Find(context.ConnectionId) is not { } connection) return; // already gone
        var feed = new Feed(context, connection);
        if (_feeds.TryAdd(context.ConnectionId, feed)) _ = Task.Run(() => PumpAsync(feed));
    }

    /// <summary>A page went away: stop feeding it.</summary>
    public void Close(string connectionId)
    {
        if (_feeds.TryRemove(connectionId, out var feed)) feed.Close();
    }

    /// <summary>Queues a message for each of these pages, in order; never waits for any of them.</summary>
    public void Send(IEnumerable<string> connectionIds, string method, params object?[] args)
    {
        var message = new Message(method, args);
        foreach (var id in connectionIds)
        {
            if (_feeds.TryGetValue(id, out var feed) && !feed.TryEnqueue(message) && !feed.Closed)
            {
                Drop(feed, $"fell {MaxBacklog} messages behind");
            }
        }
    }

    private async Task PumpAsync(Feed feed)
    {
        try
        {
            while (await feed.TakeAsync() is { } message)
            {
                using var timeout = new CancellationTokenSource(SendTimeout);
                await feed.Connection.WriteAsync(message.Serialized, timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            Drop(feed, $"did not take a message within {SendTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Feeding connection {ConnectionId} failed", feed.Context.ConnectionId);
            Drop(feed, "could not be written to");
        }
    }

    private void Drop(Feed feed, string why)
    {
        logger.LogWarning("Disconnecting a viewer that {Why} (connection {ConnectionId}); it will reconnect and catch up", why, feed.Context.ConnectionId);
        Close(feed.Context.ConnectionId);
        feed.Context.Abort();
    }
}
