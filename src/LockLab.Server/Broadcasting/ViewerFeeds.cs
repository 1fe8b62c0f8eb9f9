using System.Collections.Concurrent;
using LockLab.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace LockLab.Server.Broadcasting;

/// <summary>
/// Delivers messages to each connected page on its own, so that a slow page slows nobody. SignalR's group send
/// waits for the slowest member of the group: a single phone that stopped reading would hold up every screen in
/// the room.
/// <list type="bullet">
/// <item>A page that keeps up is written to at once: the message is serialized once for the whole room
/// (<see cref="SerializedHubMessage"/>) and each write only copies it into the connection's buffer. No task, timer or
/// thread hop per page — with a lecture hall watching, that is what decides the latency. A large room is written
/// <see cref="WritesPerTurn"/> pages at a time, so that the pages' buffers are reused rather than allocated afresh.</item>
/// <item>A page whose write does not complete at once (its buffer is full: it reads slowly) gets a queue, drained by
/// a task of its own. Events of one run that wait there are merged into one message (up to
/// <see cref="MaxEventsPerMessage"/>), so it gets fewer, larger messages rather than a growing backlog.</item>
/// <item>A page that still falls <see cref="MaxBacklog"/> messages or <see cref="MaxBacklogEvents"/> events behind, or
/// does not take a message within <see cref="SendTimeout"/>, is disconnected: its client reconnects and catches up by
/// sequence number (from the history, for events that left memory).</item>
/// <item>A page that shows only a big run's latest lines (it called <see cref="ILabHub.ShowLatestOnly"/>) is sent
/// that run's latest events ten times a second instead of every event, and its summary with short lists
/// (<see cref="SendSplit"/>): a million-increment run reaches it as ≈ 20 KB a tenth of a second, not 6 MB a second
/// it would skim and throw away.</item>
/// </list>
/// </summary>
public sealed class ViewerFeeds(IHubConnections connections, ILogger<ViewerFeeds> logger)
{
    public const int MaxBacklog = 256;
    /// <summary>
    /// Events in one message, at most: ≈ 65 KB of JSON, below the runtime's large-object threshold (85,000 bytes). At
    /// 2,000 events a message every batch of a fast run (its events, and its serialized copy) was a large object, which
    /// only a full collection reclaims: the server's heap grew by the tens of megabytes while a million-increment run
    /// streamed. A lesson run's messages hold an event or two.
    /// </summary>
    public const int MaxEventsPerMessage = 500;

    /// <summary>
    /// Events a page's queue may hold (≈ 0.75 s of the fastest run, some 12 MB with their serialized copies): the bound
    /// on what a slow page costs the server, whatever the size of its messages. A lesson run, even run 100 times
    /// (≈ 4,000 events), never comes near it.
    /// </summary>
    public const int MaxBacklogEvents = 50_000;
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    private sealed record Message(string Method, object?[] Args)
    {
        /// <summary>A big run's latest events for a page that shows only those: a newer one supersedes it.</summary>
        public bool Latest { get; init; }

        /// <summary>Serialized at most once per protocol, on first write, for every page it goes to.</summary>
        public SerializedHubMessage Serialized { get; } = new(new InvocationMessage(Method, Args));

        /// <summary>The run id when this message carries a run's events (<c>RunEvents(runId, events)</c>).</summary>
        public string? EventsOfRun => Method == nameof(ILabClient.RunEvents) && Args is [string runId, RunEvent[]] ? runId : null;
        public RunEvent[] Events => (RunEvent[])Args[1]!;
    }

    private sealed class Feed(HubCallerContext context, HubConnectionContext connection, ViewerFeeds owner)
    {
        // Messages waiting behind a write in progress. A linked list, not a queue: the last one may be replaced by a
        // merged one while the write is still in progress.
        private readonly LinkedList<Message> _waiting = new();
        private bool _writing;
        private bool _closed;
        private int _waitingEvents;

        public HubCallerContext Context { get; } = context;

        /// <summary>The page shows a big run's latest lines only (<see cref="LatestLines"/>).</summary>
        public bool LatestOnly { get; set; }
        public bool Closed { get { lock (_waiting) return _closed; } }

        /// <summary>Writes the message now if the page is keeping up, else queues it; false when the backlog is full.</summary>
        public bool TrySend(Message message)
        {
            lock (_waiting)
            {
                if (_closed) return true;
                if (!_writing)
                {
                    // Nothing in progress, nothing waiting: write now. Order holds because every write of this page
                    // starts under this lock and a new one starts only when the previous one has completed.
                    var write = Write(message);
                    if (write.IsCompletedSuccessfully) return true;
                    _writing = true;
                    _ = DrainAsync(write.AsTask());
                    return true;
                }
                var events = message.EventsOfRun is null ? 0 : message.Events.Length;
                if (_waitingEvents + events > MaxBacklogEvents) return false;
                if (message is { Latest: true, EventsOfRun: { } newer } && _waiting.Last is { Value: { Latest: true } older } waiting
                    && older.EventsOfRun == newer)
                {
                    // The page draws the latest lines only: the newer ones take the place of those still waiting.
                    _waitingEvents += events - older.Events.Length;
                    waiting.Value = message;
                    return true;
                }
                if (message.EventsOfRun is { } run && !message.Latest && _waiting.Last is { } last && !last.Value.Latest
                    && last.Value.EventsOfRun == run
                    && last.Value.Events.Length + message.Events.Length <= MaxEventsPerMessage)
                {
                    last.Value = new Message(last.Value.Method, [run, (RunEvent[])[.. last.Value.Events, .. message.Events]]);
                    _waitingEvents += events;
                    return true;
                }
                if (_waiting.Count >= MaxBacklog) return false;
                _waiting.AddLast(message);
                _waitingEvents += events;
                return true;
            }
        }

        /// <summary>A failure to write (the page is gone) is handled by the drain, never thrown at the sender.</summary>
        private ValueTask Write(Message message)
        {
            try
            {
                return connection.WriteAsync(message.Serialized);
            }
            catch (Exception ex)
            {
                return ValueTask.FromException(ex);
            }
        }

        /// <summary>Waits for the write in progress, then writes what queued up meanwhile, one message at a time.</summary>
        private async Task DrainAsync(Task inProgress)
        {
            try
            {
                while (true)
                {
                    await inProgress.WaitAsync(SendTimeout);
                    lock (_waiting)
                    {
                        if (_closed || _waiting.First is not { } next)
                        {
                            _writing = false;
                            return;
                        }
                        _waiting.RemoveFirst();
                        if (next.Value.EventsOfRun is not null) _waitingEvents -= next.Value.Events.Length;
                        inProgress = Write(next.Value).AsTask();
                    }
                }
            }
            catch (TimeoutException)
            {
                owner.Drop(this, $"did not take a message within {SendTimeout.TotalSeconds:0} s");
            }
            catch (Exception ex)
            {
                owner.Drop(this, "could not be written to", ex);
            }
        }

        public void Close()
        {
            lock (_waiting)
            {
                _closed = true;
                _waiting.Clear();
                _waitingEvents = 0;
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
        _feeds.TryAdd(context.ConnectionId, new Feed(context, connection, this));
    }

    /// <summary>A page went away: stop feeding it.</summary>
    public void Close(string connectionId)
    {
        if (_feeds.TryRemove(connectionId, out var feed)) feed.Close();
    }

    /// <summary>This page shows a big run's latest lines only: <see cref="SendSplit"/> sends it those, not every event.</summary>
    public void ShowLatestOnly(string connectionId)
    {
        if (_feeds.TryGetValue(connectionId, out var feed)) feed.LatestOnly = true;
    }

    /// <summary>
    /// Pages written to before the fan-out lets the pages' own transports run (<see cref="Send"/>). Each write rents a
    /// 4 KB buffer from the shared array pool for the message's bytes, given back once the page's transport has
    /// sent them; the pool keeps 32 buffers per core. Writing a whole lecture hall in one go rented thousands at once:
    /// fresh arrays, garbage a moment later — 4 KB per page per message, at 5,000 pages some 90 MB a second, and a
    /// server paused by the collector for 10–20 % of the time while a run streamed (docs/benchmarks.md, "fan-out").
    /// </summary>
    public const int WritesPerTurn = 32;

    /// <summary>
    /// One fan-out: what the pages that take every event get, and what those that show a big run's latest lines
    /// get (null: nothing).
    /// </summary>
    private sealed record Delivery(IReadOnlyList<string> Pages, Message? ToEveryEvent, Message? ToLatestOnly)
    {
        public Message? For(Feed feed) => feed.LatestOnly ? ToLatestOnly : ToEveryEvent;
    }

    private readonly Lock _fanOutGate = new();
    private readonly Queue<Delivery> _fanOuts = new();
    private bool _fanningOut;

    /// <summary>
    /// Sends a message to each of these pages, in order; never waits for any of them. Messages reach every page in the
    /// order they were sent. Up to <see cref="WritesPerTurn"/> pages are written to at once, on the caller's thread; a
    /// larger room is written in turns of that many, each after the pages' transports have had their turn to send
    /// what the previous one wrote (so their buffers go back to the pool before the next are taken).
    /// </summary>
    public void Send(IReadOnlyList<string> connectionIds, string method, params object?[] args)
    {
        var message = new Message(method, args);
        FanOut(new Delivery(connectionIds, message, message));
    }

    /// <summary>
    /// A big run's message, which differs by page (<see cref="Rooms.IRoomChannel.SendBigRun"/>): <paramref name="toEveryEvent"/>
    /// to the pages that take every event, <paramref name="toLatestOnly"/> to those that show only the latest lines;
    /// either may be null (nothing for those pages this time). Each message is made, and serialized, once for all the
    /// pages it goes to; it takes its turn behind the messages sent before it, as <see cref="Send"/>'s do.
    /// </summary>
    public void SendSplit(IReadOnlyList<string> connectionIds, string method, object?[]? toEveryEvent, object?[]? toLatestOnly) =>
        FanOut(new Delivery(connectionIds,
            toEveryEvent is null ? null : new Message(method, toEveryEvent),
            toLatestOnly is null ? null : new Message(method, toLatestOnly) { Latest = true }));

    private void FanOut(Delivery delivery)
    {
        lock (_fanOutGate)
        {
            if (!_fanningOut && delivery.Pages.Count <= WritesPerTurn)
            {
                // Nothing queued that this message could overtake: write now.
                Deliver(delivery, 0, delivery.Pages.Count);
                return;
            }
            _fanOuts.Enqueue(delivery);
            if (_fanningOut) return; // the fan-out in progress takes it in turn
            _fanningOut = true;
        }
        _ = FanOutAsync(); // writes the first turn before it returns
    }

    private async Task FanOutAsync()
    {
        try
        {
            while (true)
            {
                Delivery? next;
                lock (_fanOutGate)
                {
                    if (!_fanOuts.TryDequeue(out next))
                    {
                        _fanningOut = false;
                        return;
                    }
                }
                for (var from = 0; from < next.Pages.Count; from += WritesPerTurn)
                {
                    if (from > 0) await Task.Yield(); // behind the sends the previous turn queued
                    Deliver(next, from, Math.Min(WritesPerTurn, next.Pages.Count - from));
                }
            }
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Sending to the pages failed");
            lock (_fanOutGate)
            {
                _fanOuts.Clear();
                _fanningOut = false;
            }
        }
    }

    private void Deliver(Delivery delivery, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            if (_feeds.TryGetValue(delivery.Pages[i], out var feed) && delivery.For(feed) is { } message
                && !feed.TrySend(message) && !feed.Closed)
            {
                Drop(feed, $"fell {MaxBacklog} messages or {MaxBacklogEvents} events behind");
            }
        }
    }

    private void Drop(Feed feed, string why, Exception? error = null)
    {
        logger.LogWarning(error, "Disconnecting a viewer that {Why} (connection {ConnectionId}); it will reconnect and catch up",
            why, feed.Context.ConnectionId);
        Close(feed.Context.ConnectionId);
        feed.Context.Abort();
    }
}
