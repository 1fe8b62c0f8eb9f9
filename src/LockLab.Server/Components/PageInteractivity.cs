using LockLab.Server.Configuration;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Components;

/// <summary>
/// Where a page runs once it is interactive, chosen for each request. A browser that does not hold the WebAssembly
/// client yet (a student's first visit) gets a page that runs on the server, over its circuit: interactive as soon as
/// that is up, where starting the .NET runtime in the browser first takes seconds on a classroom laptop or phone
/// (docs/benchmarks.md, "page"). Once that page is interactive, js/start.js fetches the client's files into the browser's
/// cache, at low priority, and says so in a cookie naming the client's build (<see cref="FrameworkFiles.ClientVersion"/>);
/// the browser's later page loads then run in WebAssembly, and the server keeps no state for them. (Moving between
/// pages inside the app keeps the page where it runs.)
/// </summary>
/// <remarks>
/// Blazor's own <c>InteractiveAuto</c> makes the same choice in the browser, but also starts the WebAssembly runtime
/// beside the circuit on the first visit, which on two cores made that visit's page interactive no sooner than
/// WebAssembly alone (1.4–2.5 s against 0.9–1.3 s on the server alone, measured on the lesson page).
/// </remarks>
public sealed class PageInteractivity(FrameworkFiles framework, OpenCircuits circuits, IOptions<LockLabOptions> options)
{
    /// <summary>The client's build this browser has fetched (set by js/start.js; not a secret, and not needed).</summary>
    public const string CookieName = "locklab.client";

    /// <summary>Whether the page of <paramref name="http"/> runs in WebAssembly (else on the server).</summary>
    public bool RunsInBrowser(HttpContext http) =>
        RunsInBrowser(http.Request.Cookies[CookieName], framework.ClientVersion, circuits.Count, options.Value.MaxCircuits);

    /// <param name="cookie">The browser's <see cref="CookieName"/> cookie, if it sent one.</param>
    /// <param name="clientVersion">The client this lab serves (<see cref="FrameworkFiles.ClientVersion"/>): empty when its
    /// files are not known (an untrimmed Debug build, which is not fetched ahead and runs in the browser as it always did).</param>
    /// <param name="openCircuits">Pages running on the server now.</param>
    /// <param name="maxCircuits">How many may (<see cref="LockLabOptions.MaxCircuits"/>).</param>
    public static bool RunsInBrowser(string? cookie, string clientVersion, int openCircuits, int maxCircuits) =>
        clientVersion.Length == 0 || cookie == clientVersion || openCircuits >= maxCircuits;
}

/// <summary>The circuits open on this server: pages running here, connected or waiting for their browser to come back.</summary>
public sealed class OpenCircuits
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Counts each circuit from its opening to its end (Blazor resolves one per circuit).</summary>
    internal sealed class Tally(OpenCircuits open) : CircuitHandler
    {
        public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref open._count);
            return Task.CompletedTask;
        }

        public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            Interlocked.Decrement(ref open._count);
            return Task.CompletedTask;
        }
    }
}
