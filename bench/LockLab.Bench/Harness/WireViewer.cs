using System.Buffers;
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
/// server's. The server cannot tell the two apart.
/// </summary>
public sealed class WireViewer : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _receiving, _pinging;

    /// <summary>A run's events arrived: run id, then each event's (seq, atMs), then the receive time.</summary>
    public Action<string, List<(long Seq, double AtMs)>, long>? OnEvents { get; init; }
    public Action<RunInfo>? OnCompleted { get; init; }

    public async Task StartAsync(Uri hub, string room, CancellationToken cancellationToken)
    {
        var ws = new UriBuilder(hub) { Scheme = hub.Scheme == "https" ? "wss" : "ws" }.Uri;
        await _socket.ConnectAsync(ws, cancellationToken);
        await SendAsync("""{"protocol":"json","version":1}""", cancellationToken);
        _receiving = ReceiveLoopAsync();
        await SendAsync($$"""{"type":1,"invocationId":"1","target":"JoinRoom","arguments":[{{JsonSerializer.Serialize(room)}}]}""", cancellationToken);
        await _joined.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        _pinging = PingLoopAsync();
    }

    private async Task SendAsync(string record, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(record + (char)RecordSeparator);
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The server drops a client it has not heard from for 30 s; a page's client pings, so does this one.</summary>
    private async Task PingLoopAsync()
    {
        try
        {
            using var timer = new PeriodicTimer(PingInterval);
            while (await timer.WaitForNextTickAsync(_stop.Token)) await SendAsync("""{"type":6}""", _stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // Closing.
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer.GetMemory(8 * 1024), _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close) break;
                var now = DateTime.UtcNow.Ticks;
                buffer.Advance(result.Count);
                var data = buffer.WrittenMemory;
                int end;
                while ((end = data.Span.IndexOf(RecordSeparator)) >= 0)
                {
                    Handle(data.Span[..end], now);
                    data = data[(end + 1)..];
                }
                // Keep a record cut off by the end of this read for the next one.
                var rest = data.ToArray();
                buffer.ResetWrittenCount();
                buffer.Write(rest);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // Closing, or the server went away: the report counts what did not arrive.
        }
        _joined.TrySetException(new InvalidOperationException("The connection closed before joining the room."));
    }

    private void Handle(ReadOnlySpan<byte> record, long receivedUtcTicks)
    {
        if (record.SequenceEqual("{}"u8)) return; // handshake accepted
        var reader = new Utf8JsonReader(record);
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        switch (root.GetProperty("type").GetInt32())
        {
            case 1 when root.GetProperty("target").GetString() is { } target: // invocation
                var args = root.GetProperty("arguments");
                if (target == "RunEvents")
                {
                    var events = new List<(long, double)>(args[1].GetArrayLength());
                    foreach (var e in args[1].EnumerateArray()) events.Add((e.GetProperty("seq").GetInt64(), e.GetProperty("atMs").GetDouble()));
                    OnEvents?.Invoke(args[0].GetString()!, events, receivedUtcTicks);
                }
                else if (target == "RunCompleted")
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
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Already gone.
        }
        foreach (var task in new[] { _receiving, _pinging })
        {
            if (task is not null) await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _socket.Dispose();
    }
}
