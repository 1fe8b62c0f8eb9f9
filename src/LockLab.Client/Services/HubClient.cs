using System.Buffers;
using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

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
/// contract (<see cref="ClientJsonContext"/>).
/// </summary>
/// <remarks>
/// Messages are handled one at a time, in the order they arrived, off the interop call: a handler may itself call the
/// hub (a page catching up after a reconnect).
/// </remarks>
public sealed partial class HubClient : IAsyncDisposable
{
    private const string Module = "locklab-hub";
    private static Task<JSObject>? s_module;

    private readonly Uri _hubUrl;
    private readonly Func<string?> _accessToken;
    private readonly Dictionary<string, Func<JsonElement, Task>> _handlers = new(StringComparer.Ordinal);
    private Func<string, long, string, Task>? _eventsHandler;
    private JSObject? _hub;
    private Task _dispatch = Task.CompletedTask;
    private bool _disposed;

    /// <param name="hubUrl">The hub's address.</param>
    /// <param name="accessToken">Read at every (re)connect: the presenter key, or null.</param>
    public HubClient(Uri hubUrl, Func<string?> accessToken)
    {
        _hubUrl = hubUrl;
        _accessToken = accessToken;
    }

    public HubState State { get; private set; } = HubState.Disconnected;

    /// <summary>The transport in use ("WebSockets", "ServerSentEvents", "LongPolling"); empty while not connected.</summary>
    public string Transport => _hub is null ? "" : Interop.Transport(_hub);

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
        if (_hub is not null) Interop.ShowLatestOnly(_hub, runId, count);
    }

    public async Task StartAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _hub ??= await CreateAsync();
        if (Interop.StartedEarly(_hub))
        {
            // The connection js/hub.js opened while .NET was loading is up: taken in this very turn (docs/benchmarks.md,
            // "page": a trip through the browser's task queue waits there behind the page's first render).
            State = HubState.Connected;
            return;
        }
        State = HubState.Connecting;
        try
        {
            await Interop.Start(_hub);
            State = HubState.Connected;
        }
        catch (JSException ex)
        {
            State = HubState.Disconnected;
            throw new HubCallException(ex.Message);
        }
    }

    public async Task StopAsync()
    {
        if (_hub is null || State == HubState.Disconnected) return;
        await Interop.Stop(_hub); // SignalR then reports the close (OnState "closed")
    }

    /// <summary>Calls a hub method and returns its result.</summary>
    /// <exception cref="HubCallException">The method failed on the server, or the connection is not there.</exception>
    public async Task<T> InvokeAsync<T>(string method, JsonTypeInfo<T> result, params object?[] args) =>
        JsonSerializer.Deserialize(await InvokeCoreAsync(method, args), result)!;

    /// <summary>Calls a hub method that returns nothing.</summary>
    /// <exception cref="HubCallException">The method failed on the server, or the connection is not there.</exception>
    public Task InvokeAsync(string method, params object?[] args) => InvokeCoreAsync(method, args);

    private Task<string> InvokeCoreAsync(string method, object?[] args)
    {
        if (_hub is null || State != HubState.Connected)
            return Task.FromException<string>(new HubCallException($"Cannot call '{method}': not connected."));
        var arguments = ArgumentsJson(args);
        // One of the page's first calls, made early and answered already: its answer now, not in a later turn.
        return Interop.AnsweredEarly(_hub, method, arguments) is { } answer
            ? Task.FromResult(answer)
            : InvokeRemoteAsync(_hub, method, arguments);
    }

    private static async Task<string> InvokeRemoteAsync(JSObject hub, string method, string arguments)
    {
        try
        {
            return await Interop.Invoke(hub, method, arguments);
        }
        catch (JSException ex)
        {
            throw new HubCallException(ex.Message);
        }
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

    /// <summary>
    /// Imports <c>js/hub.js</c> for the page (once; by its absolute address, as a relative one would be resolved against
    /// <c>_framework/</c>). Called as .NET starts (Program.cs), so that the import is done by the time the page connects:
    /// the connection is then taken without waiting a turn.
    /// </summary>
    [SupportedOSPlatform("browser")]
    public static Task ImportModuleAsync(Uri siteAddress) =>
        s_module ??= JSHost.ImportAsync(Module, new Uri(siteAddress, "/js/hub.js").ToString());

    private async Task<JSObject> CreateAsync()
    {
        // Only the browser has SignalR's JavaScript client (a page prerendered on the server does not connect).
        if (!OperatingSystem.IsBrowser()) throw new PlatformNotSupportedException("The lab's hub client runs in the browser only.");
        await ImportModuleAsync(_hubUrl);
        return Interop.Create(_hubUrl.ToString(), () => _accessToken() ?? "", OnMessage, OnEvents, OnState);
    }

    private void OnMessage(string target, string argumentsJson)
    {
        if (!_handlers.TryGetValue(target, out var handler)) return;
        _dispatch = DispatchAsync(_dispatch, async () =>
        {
            using var arguments = JsonDocument.Parse(argumentsJson);
            await handler(arguments.RootElement);
        });
    }

    private void OnEvents(string runId, double lastSeq, string eventsJson)
    {
        if (_eventsHandler is not { } handler) return;
        _dispatch = DispatchAsync(_dispatch, () => handler(runId, (long)lastSeq, eventsJson));
    }

    private void OnState(string state, string error)
    {
        (State, var raised) = state switch
        {
            "reconnecting" => (HubState.Reconnecting, Reconnecting),
            "reconnected" => (HubState.Connected, Reconnected),
            _ => (HubState.Disconnected, Closed),
        };
        if (error.Length > 0) Console.Error.WriteLine($"The connection to the lab: {state}: {error}");
        // In order with the messages: a rejoin after a reconnect comes after what arrived before the drop.
        _dispatch = DispatchAsync(_dispatch, () => RaiseAsync(raised));
    }

    private static async Task DispatchAsync(Task previous, Func<Task> handle)
    {
        await previous;
        try
        {
            await handle();
        }
        catch (Exception ex)
        {
            // As SignalR's clients do: a failing handler is reported, and the connection goes on.
            Console.Error.WriteLine($"A hub message handler failed: {ex}");
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
        Reconnecting = Reconnected = Closed = null;
        if (_hub is null) return;
        try
        {
            await Interop.Stop(_hub);
        }
        catch (JSException)
        {
        }
        if (OperatingSystem.IsBrowser()) _hub.Dispose();
        _hub = null;
    }

    /// <summary>The functions of <c>js/hub.js</c>.</summary>
    private static partial class Interop
    {
        [JSImport("create", Module)]
        public static partial JSObject Create(
            string url,
            [JSMarshalAs<JSType.Function<JSType.String>>] Func<string> accessToken,
            [JSMarshalAs<JSType.Function<JSType.String, JSType.String>>] Action<string, string> onMessage,
            [JSMarshalAs<JSType.Function<JSType.String, JSType.Number, JSType.String>>] Action<string, double, string> onEvents,
            [JSMarshalAs<JSType.Function<JSType.String, JSType.String>>] Action<string, string> onState);

        [JSImport("start", Module)]
        [return: JSMarshalAs<JSType.Promise<JSType.Void>>]
        public static partial Task Start(JSObject hub);

        [JSImport("startedEarly", Module)]
        public static partial bool StartedEarly(JSObject hub);

        [JSImport("answeredEarly", Module)]
        public static partial string? AnsweredEarly(JSObject hub, string method, string argumentsJson);

        [JSImport("stop", Module)]
        [return: JSMarshalAs<JSType.Promise<JSType.Void>>]
        public static partial Task Stop(JSObject hub);

        [JSImport("transport", Module)]
        public static partial string Transport(JSObject hub);

        [JSImport("invoke", Module)]
        [return: JSMarshalAs<JSType.Promise<JSType.String>>]
        public static partial Task<string> Invoke(JSObject hub, string method, string argumentsJson);

        [JSImport("showLatestOnly", Module)]
        public static partial void ShowLatestOnly(JSObject hub, string runId, int count);
    }
}
