using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;

namespace LockLab.Server.Hubs;

/// <summary>
/// One outbound queue per connected page. SignalR's group send waits for the slowest member of the group, so a
/// single phone that stopped reading would hold up every screen in the room; here each page is fed by its own
/// pump instead. A page that falls <see cref="MaxBacklog"/> messages behind, or does not take a message within
/// <see cref="SendTimeout"/>, is disconnected: its client reconnects and catches up by sequence number.
/// </summary>
public sealed class ViewerFeeds(IHubContext<LabHub> hub, ILogger<ViewerFeeds> logger)
{
    public const int MaxBacklog = 256;
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    private sealed record Message(string Method, object?[] Args);

    private sealed class Feed(HubCallerContext context)
    {
        public HubCallerContext Context { get; } = context;
        public volatile bool Closed;
        public Channel<Message> Queue { get; } = Channel.CreateBounded<Message>(new BoundedChannelOptions(MaxBacklog) { SingleReader = true });
    }

    private readonly ConcurrentDictionary<string, Feed> _feeds = new(StringComparer.Ordinal);

    /// <summary>A page connected: start feeding it.</summary>
    public void Open(HubCallerContext context)
    {
        var feed = new Feed(context);
        if (_feeds.TryAdd(context.ConnectionId, feed)) _ = Task.Run(() => PumpAsync(feed));
    }

    /// <summary>A page went away: stop feeding it.</summary>
    public void Close(string connectionId)
    {
        if (_feeds.TryRemove(connectionId, out var feed))
        {
            feed.Closed = true;
            feed.Queue.Writer.TryComplete();
        }
    }

    /// <summary>Queues a message for each of these pages, in order; never waits for any of them.</summary>
    public void Send(IEnumerable<string> connectionIds, string method, params object?[] args)
    {
        var message = new Message(method, args);
        foreach (var id in connectionIds)
        {
            if (_feeds.TryGetValue(id, out var feed) && !feed.Queue.Writer.TryWrite(message) && !feed.Closed)
            {
                Drop(feed, $"fell {MaxBacklog} messages behind");
            }
        }
    }

    private async Task PumpAsync(Feed feed)
    {
        try
        {
            await foreach (var message in feed.Queue.Reader.ReadAllAsync())
            {
                using var timeout = new CancellationTokenSource(SendTimeout);
                await hub.Clients.Client(feed.Context.ConnectionId).SendCoreAsync(message.Method, message.Args, timeout.Token);
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
