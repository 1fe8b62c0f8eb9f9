using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using LockLab.Contracts;

namespace LockLab.Bench.Harness;

/// <summary>
/// A SignalR viewer written against the wire protocol itself: a WebSocket to <c>/hubs/lab</c>, the JSON hub protocol's
/// handshake, a <c>JoinRoom</c> invocation, pings, and every record parsed as JSON — the same bytes a browser tab
/// exchanges with the server. It exists for the fan-out benchmark: thousands of official .NET clients on the
/// server's own 2 cores would measure the clients' overhead (pipes, dispatch, per-connection timers) rather than the
/// server's. The server cannot tell the two apart. Kept cheap, because it shares the server's cores: a run's events
/// are read in one pass over the bytes (no document, no string per event), one receive buffer per viewer is reused,
/// receives carry no cancellation token, and one loop per process pings every viewer in turn.
/// </summary>
public sealed class WireViewer : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // One message's events, reused from message to message: receiving allocates nothing per event.
    private readonly List<(long Seq, double AtMs)> _events = new(16);
    private string? _lastRunId;
    private Task? _receiving;

    /// <summary>A run's events arrived: run id, each event's (seq, atMs) — valid during the call only — and the receive time.</summary>
    public delegate void EventsReceived(string runId, ReadOnlySpan<(long Seq, double AtMs)> events, long receivedUtcTicks);

    public EventsReceived? OnEvents { get; init; }
    public Action<RunInfo>? OnCompleted { get; init; }

    public async Task StartAsync(Uri hub, string room, CancellationToken cancellationToken)
    {
        var ws = new UriBuilder(hub) { Scheme = hub.Scheme == "https" ? "wss" : "ws" }.Uri;
        // Small buffers: a lesson run's messages are a few hundred bytes, and thousands of viewers share a process.
        _socket.Options.SetBuffer(4 * 1024, 1024);
        await _socket.ConnectAsync(ws, cancellationToken);
        await SendAsync(HandshakeRecord, cancellationToken);
        _receiving = ReceiveLoopAsync();
        await SendAsync(
            Encoding.UTF8.GetBytes(
                $$"""{"type":1,"invocationId":"1","target":"JoinRoom","arguments":[{{JsonSerializer.Serialize(room)}}]}"""
                + (char)RecordSeparator),
            cancellationToken);
        await _joined.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
    }

    private static readonly byte[] HandshakeRecord = Encoding.UTF8.GetBytes("""{"protocol":"json","version":1}""" + (char)RecordSeparator);
    private static readonly byte[] PingRecord = Encoding.UTF8.GetBytes("""{"type":6}""" + (char)RecordSeparator);

    private async Task SendAsync(byte[] record, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(record, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// The server drops a client it has not heard from for 30 s; a page's client pings every <see cref="PingInterval"/>,
    /// so does this one — when its process's <see cref="PingAllAsync"/> comes round to it.
    /// </summary>
    public async Task PingAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open) await SendAsync(PingRecord, _stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // Closing.
        }
    }

    /// <summary>
    /// Pings every viewer once per <see cref="PingInterval"/>, spread evenly over it: one loop per process, not a
    /// timer and a task per viewer.
    /// </summary>
    public static async Task PingAllAsync(IReadOnlyList<WireViewer> viewers, CancellationToken cancellationToken)
    {
        if (viewers.Count == 0) return;
        const int slices = 20;
        using var timer = new PeriodicTimer(PingInterval / slices);
        var next = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var count = (viewers.Count + slices - 1) / slices;
                for (var i = 0; i < count; i++, next = (next + 1) % viewers.Count) await viewers[next].PingAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // The process is ending.
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[4 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2); // a record longer than the buffer
                // No cancellation token: registering one costs on every receive; closing the socket ends the loop.
                var result = await _socket.ReceiveAsync(buffer.AsMemory(filled), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close) break;
                var now = DateTime.UtcNow.Ticks;
                filled += result.Count;
                var start = 0;
                int end;
                while ((end = Array.IndexOf(buffer, RecordSeparator, start, filled - start)) >= 0)
                {
                    Handle(buffer.AsSpan(start, end - start), now);
                    start = end + 1;
                }
                // Keep a record cut off by the end of this read for the next one.
                filled -= start;
                if (filled > 0 && start > 0) Buffer.BlockCopy(buffer, start, buffer, 0, filled);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // Closing, or the server went away: the report counts what did not arrive.
        }
        _joined.TrySetException(new InvalidOperationException("The connection closed before joining the room."));
    }

    /// <summary>
    /// One record. The server writes an invocation's <c>type</c>, <c>target</c> and <c>arguments</c> in that order, so
    /// one forward pass over the JSON reads a <c>RunEvents</c> message without building a document or a string per
    /// event; anything else (rare: a run's start and end, viewer counts, completions) is parsed as a document.
    /// </summary>
    private void Handle(ReadOnlySpan<byte> record, long receivedUtcTicks)
    {
        if (record.SequenceEqual("{}"u8)) return; // handshake accepted
        if (record.IndexOf("\"target\":\"RunEvents\""u8) >= 0 && TryHandleEvents(record, receivedUtcTicks)) return;
        var reader = new Utf8JsonReader(record);
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        switch (root.GetProperty("type").GetInt32())
        {
            case 1 when root.GetProperty("target").GetString() is { } target: // invocation
                var args = root.GetProperty("arguments");
                if (target == nameof(ILabClient.RunEvents))
                {
                    _events.Clear();
                    foreach (var e in args[1].EnumerateArray())
                        _events.Add((e.GetProperty("seq").GetInt64(), e.GetProperty("atMs").GetDouble()));
                    OnEvents?.Invoke(
                        args[0].GetString()!,
                        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_events),
                        receivedUtcTicks);
                }
                else if (target == nameof(ILabClient.RunCompleted))
                {
                    OnCompleted?.Invoke(args[0].Deserialize(ContractsJsonContext.Default.RunInfo)!);
                }
                break;
            case 3: // completion of JoinRoom
                if (root.TryGetProperty("error", out var error)) _joined.TrySetException(new InvalidOperationException(error.GetString()));
                else _joined.TrySetResult();
                break;
            case 7: // close
                _stop.Cancel();
                _socket.Abort();
                break;
        }
    }

    /// <summary>
    /// <c>{"type":1,"target":"RunEvents","arguments":["runId",[{"seq":1,…,"atMs":…},…]]}</c> in one pass; false
    /// if it is not shaped so.
    /// </summary>
    private bool TryHandleEvents(ReadOnlySpan<byte> record, long receivedUtcTicks)
    {
        var reader = new Utf8JsonReader(record);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        var isEvents = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("target"u8))
            {
                reader.Read();
                isEvents = reader.ValueTextEquals("RunEvents"u8); // nameof(ILabClient.RunEvents), as UTF-8
                if (!isEvents) return false;
            }
            else if (reader.ValueTextEquals("arguments"u8))
            {
                if (!isEvents) return false;
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray
                    || !reader.Read() || reader.TokenType != JsonTokenType.String)
                    return false;
                // The same run's id message after message: compare, do not allocate.
                var runId = _lastRunId is not null && reader.ValueTextEquals(_lastRunId) ? _lastRunId : _lastRunId = reader.GetString()!;
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) return false;
                _events.Clear();
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    long seq = -1;
                    double atMs = double.NaN;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("seq"u8)) { reader.Read(); seq = reader.GetInt64(); }
                        else if (reader.ValueTextEquals("atMs"u8)) { reader.Read(); atMs = reader.GetDouble(); }
                        else { reader.Read(); reader.Skip(); }
                    }
                    if (seq < 0 || double.IsNaN(atMs)) return false;
                    _events.Add((seq, atMs));
                }
                OnEvents?.Invoke(runId, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_events), receivedUtcTicks);
                return true;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Abort(); // the server sees the connection close; ends the receive loop, which waits without a token
        if (_receiving is not null) await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
    }
}
