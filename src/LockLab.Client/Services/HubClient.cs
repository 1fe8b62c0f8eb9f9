using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.JSInterop;

namespace LockLab.Client.Services;

public enum HubState
{
    Disconnected,
    Connecting,
    Connected,
    Reconnecting,
}

/// <summary>A hub method failed on the server, or could not be called; the message is what SignalR reports.</summary>
public sealed class HubCallException(string message) : Exception(message);

/// <summary>
/// The page's connection to the lab's hub: SignalR's JavaScript client (<c>wwwroot/js/hub.js</c> over the vendored
/// <c>lib/microsoft-signalr</c>), which negotiates a transport (WebSockets, else Server-Sent Events, else long polling),
/// keeps the connection alive and reconnects with jitter. This class only carries calls and messages across: calls go
/// out as a JSON array of arguments, messages come in as JSON text that the page parses with its source-generated
/// contract (<see cref="ClientJsonContext"/>). Whether the page runs in WebAssembly or on the server (a browser's first
/// visit), the connection is the browser's; <see cref="HubBridge"/> is the way across.
/// </summary>
/// <remarks>
/// Messages are handled one at a time, in the order they arrived, off the interop call: a handler may itself call the
/// hub (a page catching up after a reconnect).
/// </remarks>
public sealed class HubClient : IHubListener, IAsyncDisposable
{
    private readonly IJSRuntime _js;
    private readonly ILogger _log;
    private readonly Uri _hubUrl;
    private readonly Func<string?> _accessToken;
    private readonly Dictionary<string, Func<JsonElement, Task>> _handlers = new(StringComparer.Ordinal);
    private Func<string, long, string, Task>? _eventsHandler;
    private HubBridge? _hub;
    private Task _dispatch = Task.CompletedTask;
    private bool _disposed;

    /// <param name="js">The page's JavaScript runtime: used only where the page runs on the server.</param>
    /// <param name="hubUrl">The hub's address.</param>
    /// <param name="accessToken">Read at every (re)connect: the presenter key, or null.</param>
    /// <param name="log">Where the connection's troubles are told: the browser's console in WebAssembly, the lab's log
    /// for a page on the server.</param>
    public HubClient(IJSRuntime js, Uri hubUrl, Func<string?> accessToken, ILogger log)
    {
        _js = js;
        _log = log;
        _hubUrl = hubUrl;
        _accessToken = accessToken;
    }

    public HubState State { get; private set; } = HubState.Disconnected;

    /// <summary>The transport in use ("WebSockets", "ServerSentEvents", "LongPolling"); empty while not connected.</summary>
    public string Transport { get; private set; } = "";

    /// <summary>The connection dropped; SignalR is re-establishing it.</summary>
    public event Func<Task>? Reconnecting;

    /// <summary>Connected again after a drop (the hub has forgotten this page's groups: rejoin).</summary>
    public event Func<Task>? Reconnected;

    /// <summary>Closed for good: stopped, reconnecting given up, or the server said not to come back.</summary>
    public event Func<Task>? Closed;

    /// <summary>Handles the server's calls to <paramref name="target"/>; the handler gets the call's argument array.</summary>
    public void On(string target, Func<JsonElement, Task> handler) => _handlers[target] = handler;

    /// <summary>
    /// Handles <c>RunEvents(runId, events)</c>: the run, the <c>seq</c> of the batch's last event, and the events as JSON,
    /// all of them or, for a run given to <see cref="ShowLatestOnly"/>, the batch's last few only.
    /// </summary>
    public void OnRunEvents(Func<string, long, string, Task> handler) => _eventsHandler = handler;

    /// <summary>
    /// A big run: of each of its batches (thousands of events, dozens a second) only the last <paramref name="count"/>
    /// events cross to .NET, where parsing is what takes a WebAssembly page's time.
    /// </summary>
    public void ShowLatestOnly(string runId, int count)
    {
        _hub?.ShowLatestOnly(runId, count);
    }

    public async Task StartAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _hub ??= await HubBridge.ForPageAsync(_js, _hubUrl, this);
        if (await _hub.TakeStartedEarlyAsync())
        {
            // The connection js/hub.js opened while .NET was loading is up: taken in this very turn, in WebAssembly
            // (docs/benchmarks.md, "page": a trip through the browser's task queue waits there behind the first render).
            await ConnectedAsync(_hub);
            return;
        }
        State = HubState.Connecting;
        try
        {
            await _hub.StartAsync();
            await ConnectedAsync(_hub);
        }
        catch (HubCallException)
        {
            State = HubState.Disconnected;
            throw;
        }
    }

    private async ValueTask ConnectedAsync(HubBridge hub)
    {
        State = HubState.Connected;
        Transport = await TransportOfAsync(hub);
    }

    /// <summary>Only said on the page (its connection chip): a page whose circuit is going away shows none.</summary>
    private static async ValueTask<string> TransportOfAsync(HubBridge hub)
    {
        try
        {
            return await hub.TransportAsync();
        }
        catch (HubCallException)
        {
            return "";
        }
    }

    public async Task StopAsync()
    {
        if (_hub is null || State == HubState.Disconnected) return;
        await _hub.StopAsync(); // SignalR then reports the close (OnState "closed")
    }

    /// <summary>Calls a hub method and returns its result.</summary>
    /// <exception cref="HubCallException">The method failed on the server, or the connection is not there.</exception>
    public async Task<T> InvokeAsync<T>(string method, JsonTypeInfo<T> result, params object?[] args) =>
        JsonSerializer.Deserialize(await InvokeCoreAsync(method, args), result)!;

    /// <summary>Calls a hub method that returns nothing.</summary>
    /// <exception cref="HubCallException">The method failed on the server, or the connection is not there.</exception>
    public Task InvokeAsync(string method, params object?[] args) => InvokeCoreAsync(method, args);

    private async Task<string> InvokeCoreAsync(string method, object?[] args)
    {
        if (_hub is null || State != HubState.Connected) throw new HubCallException($"Cannot call '{method}': not connected.");
        var arguments = ArgumentsJson(args);
        // One of the page's first calls, made early and answered already: its answer now, not in a later turn.
        return await _hub.AnsweredEarlyAsync(method, arguments) ?? await _hub.InvokeAsync(method, arguments);
    }

    /// <summary>The arguments as a JSON array, each written with the contract's source-generated serializer.</summary>
    private static string ArgumentsJson(object?[] args)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var arg in args)
            {
                switch (arg)
                {
                    case null: json.WriteNullValue(); break;
                    case string s: json.WriteStringValue(s); break;
                    case int i: json.WriteNumberValue(i); break;
                    case long l: json.WriteNumberValue(l); break;
                    case bool b: json.WriteBooleanValue(b); break;
                    default: JsonSerializer.Serialize(json, arg, arg.GetType(), ClientJsonContext.Default); break;
                }
            }
            json.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Prepares the browser's side before the page first connects (see <see cref="BrowserHubBridge"/>).</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("browser")]
    public static Task ImportModuleAsync(Uri siteAddress) => BrowserHubBridge.ImportModuleAsync(siteAddress);

    string IHubListener.AccessToken() => _accessToken() ?? "";

    void IHubListener.OnMessage(string target, string argumentsJson)
    {
        if (!_handlers.TryGetValue(target, out var handler)) return;
        _dispatch = DispatchAsync(_dispatch, async () =>
        {
            using var arguments = JsonDocument.Parse(argumentsJson);
            await handler(arguments.RootElement);
        });
    }

    void IHubListener.OnEvents(string runId, double lastSeq, string eventsJson)
    {
        if (_eventsHandler is not { } handler) return;
        _dispatch = DispatchAsync(_dispatch, () => handler(runId, (long)lastSeq, eventsJson));
    }

    void IHubListener.OnState(string state, string error)
    {
        // Told by hub.js after a circuit came back while this connection was still starting: the start reports itself.
        if (state == "reconnected" && State == HubState.Connecting) return;
        (State, var raised) = state switch
        {
            "reconnecting" => (HubState.Reconnecting, Reconnecting),
            "reconnected" => (HubState.Connected, Reconnected),
            _ => (HubState.Disconnected, Closed),
        };
        if (State != HubState.Connected) Transport = "";
        if (error.Length > 0) _log.LogWarning("The connection to the lab: {State}: {Error}", state, error);
        // In order with the messages: a rejoin after a reconnect comes after what arrived before the drop.
        _dispatch = DispatchAsync(_dispatch, async () =>
        {
            if (State == HubState.Connected && _hub is { } hub) Transport = await TransportOfAsync(hub); // it may have changed
            await RaiseAsync(raised);
        });
    }

    private async Task DispatchAsync(Task previous, Func<Task> handle)
    {
        await previous;
        try
        {
            await handle();
        }
        catch (Exception ex)
        {
            // As SignalR's clients do: a failing handler is reported, and the connection goes on.
            _log.LogError(ex, "A hub message handler failed");
        }
    }

    private static async Task RaiseAsync(Func<Task>? handlers)
    {
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Func<Task>>()) await handler();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        State = HubState.Disconnected;
        Reconnecting = Reconnected = Closed = null;
        if (_hub is null) return;
        await _hub.DisposeAsync();
        _hub = null;
    }
}
