using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;
using Microsoft.JSInterop;
using BrowserJSException = System.Runtime.InteropServices.JavaScript.JSException;
using CircuitJSException = Microsoft.JSInterop.JSException;

namespace LockLab.Client.Services;

/// <summary>What the hub's connection (<c>js/hub.js</c>) tells .NET: messages, a run's events, its state.</summary>
internal interface IHubListener
{
    /// <summary>A call from the server other than <c>RunEvents</c>: its target and its arguments as a JSON array.</summary>
    void OnMessage(string target, string argumentsJson);

    /// <summary><c>RunEvents</c>: the run, the <c>seq</c> of the batch's last event, the events (or the last few) as JSON.</summary>
    void OnEvents(string runId, double lastSeq, string eventsJson);

    /// <summary>"reconnecting", "reconnected" or "closed", with SignalR's reason ("" for none).</summary>
    void OnState(string state, string error);

    /// <summary>The presenter session to connect with, or "" (read at every connect).</summary>
    string AccessToken();
}

/// <summary>
/// The way across to the page's hub connection in <c>js/hub.js</c>, which is always the browser's own. A page runs
/// either in WebAssembly, in the browser (<see cref="BrowserHubBridge"/>: direct calls, answered in the same turn), or,
/// on a browser's first visit, on the server (interactive server mode: <see cref="CircuitHubBridge"/>, over the page's
/// circuit). Either way the connection, the hub and what the page sends are the same.
/// </summary>
/// <remarks>Calls that fail on the JavaScript side are reported as <see cref="HubCallException"/>.</remarks>
internal abstract class HubBridge : IAsyncDisposable
{
    public static async Task<HubBridge> ForPageAsync(IJSRuntime js, Uri hubUrl, IHubListener listener) =>
        OperatingSystem.IsBrowser()
            ? await BrowserHubBridge.CreateAsync(hubUrl, listener)
            : await CircuitHubBridge.CreateAsync(js, hubUrl, listener);

    /// <summary>
    /// Whether the connection js/hub.js opened while the page was loading is up already; if so, it is the page's, taken
    /// as started.
    /// </summary>
    public abstract ValueTask<bool> TakeStartedEarlyAsync();

    public abstract Task StartAsync();

    public abstract Task StopAsync();

    /// <summary>The transport in use ("WebSockets", "ServerSentEvents", "LongPolling"); empty while not connected.</summary>
    public abstract ValueTask<string> TransportAsync();

    /// <summary>The answer, as JSON, to one of the page's first calls if js/hub.js made it early and it is in; else null.</summary>
    public abstract ValueTask<string?> AnsweredEarlyAsync(string method, string argumentsJson);

    /// <summary>Calls a hub method with a JSON array of arguments; its result as JSON.</summary>
    public abstract Task<string> InvokeAsync(string method, string argumentsJson);

    /// <summary>From now on only the last <paramref name="count"/> events of each of this run's batches cross.</summary>
    public abstract void ShowLatestOnly(string runId, int count);

    public abstract ValueTask DisposeAsync();
}

/// <summary>
/// WebAssembly: js/hub.js called directly (<c>[JSImport]</c>), its answers read in the same turn, messages handed over as
/// JSON text, with no serialization of their own in between.
/// </summary>
[SupportedOSPlatform("browser")]
internal sealed partial class BrowserHubBridge : HubBridge
{
    private const string Module = "locklab-hub";
    private static Task<JSObject>? s_module;
    private readonly JSObject _hub;

    private BrowserHubBridge(JSObject hub) => _hub = hub;

    /// <summary>
    /// Imports <c>js/hub.js</c> for the page (once; by its absolute address, as a relative one would be resolved against
    /// <c>_framework/</c>). Called as .NET starts (Program.cs), so that the import is done by the time the page connects:
    /// the connection is then taken without waiting a turn.
    /// </summary>
    public static Task ImportModuleAsync(Uri siteAddress) =>
        s_module ??= JSHost.ImportAsync(Module, new Uri(siteAddress, "/js/hub.js").ToString());

    public static async Task<HubBridge> CreateAsync(Uri hubUrl, IHubListener listener)
    {
        await ImportModuleAsync(hubUrl);
        return new BrowserHubBridge(Interop.Create(hubUrl.ToString(), listener.AccessToken, listener.OnMessage,
            listener.OnEvents, listener.OnState));
    }

    public override ValueTask<bool> TakeStartedEarlyAsync() => ValueTask.FromResult(Interop.StartedEarly(_hub));

    public override async Task StartAsync()
    {
        try
        {
            await Interop.Start(_hub);
        }
        catch (BrowserJSException ex)
        {
            throw new HubCallException(ex.Message);
        }
    }

    public override Task StopAsync() => Interop.Stop(_hub);

    public override ValueTask<string> TransportAsync() => ValueTask.FromResult(Interop.Transport(_hub));

    public override ValueTask<string?> AnsweredEarlyAsync(string method, string argumentsJson) =>
        ValueTask.FromResult(Interop.AnsweredEarly(_hub, method, argumentsJson));

    public override async Task<string> InvokeAsync(string method, string argumentsJson)
    {
        try
        {
            return await Interop.Invoke(_hub, method, argumentsJson);
        }
        catch (BrowserJSException ex)
        {
            throw new HubCallException(ex.Message);
        }
    }

    public override void ShowLatestOnly(string runId, int count) => Interop.ShowLatestOnly(_hub, runId, count);

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await Interop.Stop(_hub);
        }
        catch (BrowserJSException)
        {
        }
        _hub.Dispose();
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

/// <summary>
/// Interactive server mode: the page's .NET runs on the server, and js/hub.js is reached through the page's circuit
/// (<see cref="IJSRuntime"/>); what the connection hears comes back through a <see cref="DotNetObjectReference"/>. A
/// message thus crosses the network twice (lab → browser → circuit), which for a classroom's runs is a few small
/// messages a second; a big run's batches are cut to their last events in the browser first, as in WebAssembly.
/// </summary>
internal sealed class CircuitHubBridge : HubBridge
{
    private readonly IJSObjectReference _module;
    private readonly IJSObjectReference _hub;
    private readonly DotNetObjectReference<Callbacks> _callbacks;
    private readonly IHubListener _listener;

    private CircuitHubBridge(IJSObjectReference module, IJSObjectReference hub, DotNetObjectReference<Callbacks> callbacks,
        IHubListener listener)
    {
        (_module, _hub, _callbacks, _listener) = (module, hub, callbacks, listener);
    }

    public static async Task<HubBridge> CreateAsync(IJSRuntime js, Uri hubUrl, IHubListener listener)
    {
        var module = await Reported(() => js.InvokeAsync<IJSObjectReference>("import", "./js/hub.js").AsTask());
        var callbacks = DotNetObjectReference.Create(new Callbacks(listener));
        var hub = await Reported(() => module.InvokeAsync<IJSObjectReference>(
            "createForCircuit", hubUrl.ToString(), listener.AccessToken(), callbacks).AsTask());
        return new CircuitHubBridge(module, hub, callbacks, listener);
    }

    public override async ValueTask<bool> TakeStartedEarlyAsync() =>
        await Reported(() => _module.InvokeAsync<bool>("startedEarly", _hub).AsTask());

    public override Task StartAsync() => Reported(async () =>
    {
        // The presenter session the connection sends, here rather than asked for by JavaScript at each connect: a
        // reconnect while the circuit is down too would otherwise wait on an answer that cannot come.
        await _module.InvokeVoidAsync("setAccessToken", _hub, _listener.AccessToken());
        // Within the circuit's limit for a call (a minute): a call whose answer was lost with a dropped circuit must end.
        // Should the connection come up in the browser after all, the page hears so when its circuit is back (hub.js).
        await _module.InvokeVoidAsync("start", _hub);
    });

    public override Task StopAsync() => Reported(() => _module.InvokeVoidAsync("stop", _hub).AsTask());

    public override async ValueTask<string> TransportAsync() =>
        await Reported(() => _module.InvokeAsync<string>("transport", _hub).AsTask());

    public override async ValueTask<string?> AnsweredEarlyAsync(string method, string argumentsJson) =>
        await Reported(() => _module.InvokeAsync<string?>("answeredEarly", _hub, method, argumentsJson).AsTask());

    public override Task<string> InvokeAsync(string method, string argumentsJson) =>
        Reported(() => _module.InvokeAsync<string>("invoke", _hub, method, argumentsJson).AsTask());

    public override void ShowLatestOnly(string runId, int count) =>
        _ = Reported(() => _module.InvokeVoidAsync("showLatestOnly", _hub, runId, count).AsTask()).ContinueWith(
            static _ => { }, TaskContinuationOptions.OnlyOnFaulted); // the page is going away: nothing to cut any more

    private static async Task Reported(Func<Task> call) => await Reported(async () => { await call(); return true; });

    private static async Task<T> Reported<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (IsGone(ex))
        {
            // The call failed in the browser, the circuit dropped, or the browser did not answer in time.
            throw new HubCallException(ex.Message);
        }
    }

    private static bool IsGone(Exception ex) => ex is CircuitJSException or JSDisconnectedException or TaskCanceledException;

    public override async ValueTask DisposeAsync()
    {
        // Each on its own: a circuit that is going away may fail any of them.
        foreach (var release in new Func<ValueTask>[] { () => _module.InvokeVoidAsync("dispose", _hub), _hub.DisposeAsync, _module.DisposeAsync })
        {
            try
            {
                await release();
            }
            catch (Exception ex) when (IsGone(ex))
            {
                // The page has gone, and its connection with it.
            }
        }
        _callbacks.Dispose();
    }

    /// <summary>What js/hub.js calls back (<c>createForCircuit</c>).</summary>
    public sealed class Callbacks(IHubListener listener)
    {
        [JSInvokable]
        public void OnMessage(string target, string argumentsJson) => listener.OnMessage(target, argumentsJson);

        [JSInvokable]
        public void OnEvents(string runId, double lastSeq, string eventsJson) => listener.OnEvents(runId, lastSeq, eventsJson);

        [JSInvokable]
        public void OnState(string state, string error) => listener.OnState(state, error);
    }
}
