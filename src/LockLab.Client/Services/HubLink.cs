using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LockLab.Contracts;

namespace LockLab.Client.Services;

public enum HubLinkState
{
    Disconnected,
    Connecting,
    Connected,
    Reconnecting,
}

/// <summary>A hub method failed on the server; the message is what SignalR reports (the hub's own words for a HubException).</summary>
public sealed class HubCallException(string message) : Exception(message);

/// <summary>
/// The page's client for the lab's hub: SignalR's JSON hub protocol, spoken over one browser WebSocket straight to
/// <c>/hubs/lab</c> (no negotiate request). It does what the lab's pages need and no more: calls with results, the
/// server's calls to the page (handled one at a time, in order), keep-alive pings both ways, and reconnecting after
/// a drop. The .NET SignalR client would do the same but adds eleven assemblies (≈ 150 KB compressed) and about a
/// tenth of a second of start-up to every page (docs/benchmarks.md, "page").
/// </summary>
/// <remarks>
/// Protocol: https://github.com/dotnet/aspnetcore/blob/main/src/SignalR/docs/specs/HubProtocol.md. Every message is
/// a JSON object followed by the record separator 0x1E; the first exchange is the handshake.
/// </remarks>
/// <param name="hubUrl">The hub's address (http or https).</param>
/// <param name="accessToken">Read at every (re)connect; sent as <c>access_token</c>, as browsers cannot set headers on a WebSocket.</param>
/// <param name="retryDelay">How long to wait before reconnect attempt n (0, 1, …); it keeps trying until stopped.</param>
/// <param name="pingInterval">How often to ping an idle server; SignalR's server drops a client silent for 30 s.</param>
/// <param name="serverTimeout">How long the server may stay silent (it pings every 15 s) before the connection counts as lost.</param>
public sealed class HubLink(Uri hubUrl, Func<string?> accessToken, Func<int, TimeSpan> retryDelay, TimeSpan? pingInterval = null, TimeSpan? serverTimeout = null)
    : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;
    private const int Invocation = 1, Completion = 3, Ping = 6, Close = 7;

    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(15);
    private readonly TimeSpan _pingInterval = pingInterval ?? TimeSpan.FromSeconds(15);
    private readonly TimeSpan _serverTimeout = serverTimeout ?? TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, Func<JsonElement, Task>> _handlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<byte[], Task>> _largeHandlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LargeRecordSkim> _largeSkims = new(StringComparer.Ordinal);

    /// <summary>
    /// Looks at a large record where it lies in the receive buffer, before anything is copied or parsed: false when it
    /// has dealt with the record (nothing is dispatched), true to have it handled as usual.
    /// </summary>
    public delegate bool LargeRecordSkim(ReadOnlySpan<byte> record);

    /// <summary>Records at least this long go to a large-record handler, when their target has one.</summary>
    public const int LargeRecordBytes = 2 * 1024;
    private readonly Dictionary<string, TaskCompletionSource<JsonElement>> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sending = new(1, 1);
    private Connection? _connection;
    private Task _dispatch = Task.CompletedTask;
    private int _nextInvocationId;
    /// <summary>Bumped by every start and stop: a reconnect loop from before gives up, and what it opened is closed.</summary>
    private int _generation;
    private bool _disposed;

    public HubLinkState State { get; private set; } = HubLinkState.Disconnected;

    /// <summary>The connection dropped; it is being re-established.</summary>
    public event Func<Task>? Reconnecting;

    /// <summary>Connected again after a drop (the hub has forgotten this page's groups: rejoin).</summary>
    public event Func<Task>? Reconnected;

    /// <summary>Closed for good: stopped, or the server said not to come back.</summary>
    public event Func<Task>? Closed;

    /// <summary>Handles the server's calls to <paramref name="target"/>; the handler gets the call's argument array.</summary>
    public void On(string target, Func<JsonElement, Task> handler) => _handlers[target] = handler;

    /// <summary>
    /// Handles the server's large calls to <paramref name="target"/> (records of <see cref="LargeRecordBytes"/> or more)
    /// from the raw record, in order with every other call: a batch of thousands of events need not be parsed whole
    /// when the page will keep only its last few (parsing is what takes a WebAssembly page's time).
    /// </summary>
    /// <param name="skim">Optional: called first, in the receive loop, on the record in place. A big run's batch that
    /// only moves the page's position on is dealt with there: copying each batch of a few hundred kilobytes into an
    /// array of its own (dozens a second) kept the WebAssembly garbage collector busy.</param>
    public void OnLarge(string target, Func<byte[], Task> handler, LargeRecordSkim? skim = null)
    {
        _largeHandlers[target] = handler;
        if (skim is null) _largeSkims.Remove(target);
        else _largeSkims[target] = skim;
    }

    public async Task StartAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var generation = ++_generation;
        State = HubLinkState.Connecting;
        try
        {
            var connection = await OpenAsync();
            if (generation != _generation)
            {
                connection.Abort();
                throw new OperationCanceledException("Stopped while connecting.");
            }
            Use(connection);
            State = HubLinkState.Connected;
        }
        catch
        {
            if (generation == _generation) State = HubLinkState.Disconnected;
            throw;
        }
    }

    public async Task StopAsync()
    {
        _generation++;
        _connection?.Abort();
        _connection = null;
        FailPending();
        if (State == HubLinkState.Disconnected) return;
        State = HubLinkState.Disconnected;
        await RaiseAsync(Closed);
    }

    /// <summary>Calls a hub method and returns its result.</summary>
    /// <exception cref="HubCallException">The method failed on the server.</exception>
    public async Task<T> InvokeAsync<T>(string method, JsonTypeInfo<T> result, params object?[] args)
    {
        var value = await InvokeCoreAsync(method, args);
        return value.Deserialize(result)!;
    }

    /// <summary>Calls a hub method that returns nothing.</summary>
    /// <exception cref="HubCallException">The method failed on the server.</exception>
    public Task InvokeAsync(string method, params object?[] args) => InvokeCoreAsync(method, args);

    private async Task<JsonElement> InvokeCoreAsync(string method, object?[] args)
    {
        var connection = _connection is { } c && State == HubLinkState.Connected ? c : throw new InvalidOperationException($"Cannot call '{method}': not connected.");
        var id = (++_nextInvocationId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_pending) _pending[id] = answer;
        try
        {
            await SendAsync(connection, Message(json =>
            {
                json.WriteNumber("type", Invocation);
                json.WriteString("invocationId", id);
                json.WriteString("target", method);
                json.WriteStartArray("arguments");
                foreach (var arg in args) WriteValue(json, arg);
                json.WriteEndArray();
            }));
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            lock (_pending) _pending.Remove(id);
            throw new HubCallException($"The connection to the lab was lost while calling '{method}'.");
        }
        return await answer.Task;
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case string s: json.WriteStringValue(s); break;
            case int i: json.WriteNumberValue(i); break;
            case long l: json.WriteNumberValue(l); break;
            case bool b: json.WriteBooleanValue(b); break;
            default: JsonSerializer.Serialize(json, value, value.GetType(), ContractsJsonContext.Default); break;
        }
    }

    private static byte[] Message(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }
        buffer.Write([RecordSeparator]);
        return buffer.WrittenSpan.ToArray();
    }

    private async Task SendAsync(Connection connection, byte[] message)
    {
        await _sending.WaitAsync();
        try
        {
            await connection.Socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, connection.Lifetime.Token);
            connection.LastSent = Environment.TickCount64;
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Opens a WebSocket to the hub and completes the handshake; the caller puts it to <see cref="Use"/>.</summary>
    private async Task<Connection> OpenAsync()
    {
        var connection = new Connection(new ClientWebSocket());
        using var timeout = new CancellationTokenSource(HandshakeTimeout);
        try
        {
            await connection.Socket.ConnectAsync(WebSocketAddress(), timeout.Token);
            _ = ReceiveAsync(connection);
            await SendAsync(connection, "{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray());
            await connection.Handshake.Task.WaitAsync(timeout.Token);
        }
        catch
        {
            connection.Abort();
            throw;
        }
        return connection;
    }

    private void Use(Connection connection)
    {
        // Lost between the handshake and here: the receive loop has already given up on it.
        if (connection.Lifetime.IsCancellationRequested) throw new WebSocketException("The connection to the lab closed just after it opened.");
        _connection = connection;
        _ = KeepAliveAsync(connection);
    }

    private Uri WebSocketAddress()
    {
        var address = new UriBuilder(hubUrl) { Scheme = hubUrl.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" };
        if (accessToken() is { Length: > 0 } token) address.Query = "access_token=" + Uri.EscapeDataString(token);
        return address.Uri;
    }

    /// <summary>Reads records until the socket ends; then, unless stopped, reconnects.</summary>
    private async Task ReceiveAsync(Connection connection)
    {
        var allowReconnect = true;
        string? closeError = null;
        var chunk = new byte[64 * 1024]; // a fast run's messages are hundreds of kilobytes: fewer, larger reads
        var received = new MemoryStream();
        var scanned = 0; // bytes of `received` already searched for a record separator
        try
        {
            var open = true;
            while (open && !connection.Lifetime.IsCancellationRequested)
            {
                var result = await connection.Socket.ReceiveAsync(chunk, connection.Lifetime.Token);
                if (result.MessageType == WebSocketMessageType.Close) break;
                connection.LastReceived = Environment.TickCount64;
                received.Write(chunk, 0, result.Count);
                // A WebSocket message may hold several records, or part of one. Only the new bytes are searched, and
                // the unfinished record is moved only once a record before it ends: a record of a few hundred
                // kilobytes arrives in many chunks, and scanning or copying it again for each was the page's busiest work.
                var bytes = received.GetBuffer().AsSpan(0, (int)received.Length);
                var start = 0;
                for (int end; open && (end = bytes[scanned..].IndexOf(RecordSeparator)) >= 0; start = scanned)
                {
                    var span = bytes.Slice(start, scanned + end - start);
                    scanned += end + 1;
                    if (Skimmed(connection, span)) continue;
                    open = Handle(connection, span.ToArray(), ref allowReconnect, ref closeError);
                }
                if (start == 0)
                {
                    scanned = bytes.Length;
                    continue;
                }
                // The unfinished record moves to the front of the same buffer: no new array for it.
                var rest = bytes.Length - start;
                bytes[start..].CopyTo(bytes);
                received.SetLength(rest);
                received.Position = rest;
                scanned = rest;
            }
        }
        catch (Exception ex)
        {
            // Whatever ended it (a drop, an abort, a malformed message), the connection is gone.
            closeError = ex.Message;
        }
        connection.Abort();
        connection.Handshake.TrySetException(new HubCallException("The lab closed the connection before it was set up." + (closeError is null ? "" : " " + closeError)));
        // Only the loss of the live connection matters here: one still connecting is ConnectAsync's to report, one
        // stopped or replaced on purpose is no loss.
        if (_connection != connection) return;
        _connection = null;
        FailPending();
        if (!allowReconnect)
        {
            // As the SignalR client does: the server said not to come back.
            State = HubLinkState.Disconnected;
            await RaiseAsync(Closed);
            return;
        }
        await ReconnectAsync();
    }

    /// <summary>True when a large record's skim dealt with it where it lies.</summary>
    private bool Skimmed(Connection connection, ReadOnlySpan<byte> record) =>
        record.Length >= LargeRecordBytes && connection.Handshake.Task.IsCompleted
        && InvocationTarget(record) is { } target && _largeSkims.TryGetValue(target, out var skim) && !skim(record);

    /// <returns>False when the server closed the connection.</returns>
    private bool Handle(Connection connection, byte[] record, ref bool allowReconnect, ref string? closeError)
    {
        if (record.Length >= LargeRecordBytes && connection.Handshake.Task.IsCompleted
            && InvocationTarget(record) is { } largeTarget && _largeHandlers.TryGetValue(largeTarget, out var large))
        {
            _dispatch = DispatchLargeAsync(_dispatch, large, record);
            return true;
        }
        var message = JsonDocument.Parse(record);
        var root = message.RootElement;
        if (!connection.Handshake.Task.IsCompleted)
        {
            // The handshake answer: {} or {"error": "…"}.
            if (root.TryGetProperty("error", out var refused)) connection.Handshake.TrySetException(new HubCallException(refused.GetString() ?? "Handshake refused."));
            else connection.Handshake.TrySetResult();
            message.Dispose();
            return true;
        }
        switch (root.GetProperty("type").GetInt32())
        {
            case Invocation when root.TryGetProperty("target", out var target) && _handlers.TryGetValue(target.GetString()!, out var handler):
                // One at a time, in order, and off the receive loop: a handler may itself call the hub.
                var arguments = root.GetProperty("arguments");
                _dispatch = DispatchAsync(_dispatch, handler, arguments, message);
                return true;
            case Completion:
                TaskCompletionSource<JsonElement>? answer;
                lock (_pending)
                {
                    _pending.Remove(root.GetProperty("invocationId").GetString()!, out answer);
                }
                if (root.TryGetProperty("error", out var error)) answer?.TrySetException(new HubCallException(error.GetString() ?? "The hub method failed."));
                else answer?.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : default);
                break;
            case Close:
                closeError = root.TryGetProperty("error", out var reason) ? reason.GetString() : null;
                allowReconnect = root.TryGetProperty("allowReconnect", out var again) && again.GetBoolean();
                message.Dispose();
                return false;
            case Ping:
            default:
                break;
        }
        message.Dispose();
        return true;
    }

    /// <summary>The target of an invocation record as the server writes it (<c>{"type":1,"target":"…"</c>); null for any other record.</summary>
    public static string? InvocationTarget(ReadOnlySpan<byte> record)
    {
        ReadOnlySpan<byte> prefix = "{\"type\":1,\"target\":\""u8;
        if (!record.StartsWith(prefix)) return null;
        var rest = record[prefix.Length..];
        var end = rest.IndexOf((byte)'"');
        return end <= 0 || end > 100 ? null : System.Text.Encoding.UTF8.GetString(rest[..end]);
    }

    private static async Task DispatchLargeAsync(Task previous, Func<byte[], Task> handler, byte[] record)
    {
        await previous;
        try
        {
            await handler(record);
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"A hub message handler failed: {ex}");
        }
    }

    private static async Task DispatchAsync(Task previous, Func<JsonElement, Task> handler, JsonElement arguments, JsonDocument message)
    {
        await previous;
        try
        {
            await handler(arguments);
        }
        catch (Exception ex)
        {
            // As the SignalR client does: a failing handler is reported, and the connection goes on.
            Console.Error.WriteLine($"A hub message handler failed: {ex}");
        }
        finally
        {
            message.Dispose();
        }
    }

    /// <summary>Pings the server while idle, and drops a connection the server has gone silent on.</summary>
    private async Task KeepAliveAsync(Connection connection)
    {
        try
        {
            while (!connection.Lifetime.IsCancellationRequested)
            {
                await Task.Delay(_pingInterval / 3, connection.Lifetime.Token);
                var now = Environment.TickCount64;
                if (now - connection.LastReceived > _serverTimeout.TotalMilliseconds)
                {
                    connection.Abort(); // the receive loop ends and reconnects
                    return;
                }
                if (now - connection.LastSent >= _pingInterval.TotalMilliseconds) await SendAsync(connection, "{\"type\":6}\u001e"u8.ToArray());
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection is going; the receive loop handles that.
        }
    }

    private async Task ReconnectAsync()
    {
        var generation = _generation;
        State = HubLinkState.Reconnecting;
        await RaiseAsync(Reconnecting);
        for (var attempt = 0; generation == _generation && !_disposed; attempt++)
        {
            await Task.Delay(retryDelay(attempt));
            if (generation != _generation || _disposed) return;
            Connection connection;
            try
            {
                connection = await OpenAsync();
            }
            catch (Exception)
            {
                continue;
            }
            if (generation != _generation || _disposed)
            {
                connection.Abort(); // stopped (or started afresh) while this attempt was under way
                return;
            }
            try
            {
                Use(connection);
            }
            catch (WebSocketException)
            {
                continue;
            }
            State = HubLinkState.Connected;
            await RaiseAsync(Reconnected);
            return;
        }
    }

    private void FailPending()
    {
        List<TaskCompletionSource<JsonElement>> pending;
        lock (_pending)
        {
            pending = [.. _pending.Values];
            _pending.Clear();
        }
        foreach (var answer in pending) answer.TrySetException(new HubCallException("The connection to the lab was lost before the answer came."));
    }

    private static async Task RaiseAsync(Func<Task>? handlers)
    {
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Func<Task>>())
        {
            try
            {
                await handler();
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine($"A hub connection event handler failed: {ex}");
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        _generation++;
        _connection?.Abort();
        _connection = null;
        FailPending();
        State = HubLinkState.Disconnected;
        return ValueTask.CompletedTask;
    }

    /// <summary>One WebSocket and what belongs to it; a reconnect makes a new one.</summary>
    private sealed class Connection(ClientWebSocket socket)
    {
        public ClientWebSocket Socket { get; } = socket;
        public CancellationTokenSource Lifetime { get; } = new();
        public TaskCompletionSource Handshake { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public long LastReceived { get; set; } = Environment.TickCount64;
        public long LastSent { get; set; } = Environment.TickCount64;

        public void Abort()
        {
            if (!Lifetime.IsCancellationRequested) Lifetime.Cancel();
            Socket.Abort();
        }
    }
}
