using System.Runtime.InteropServices.JavaScript;

namespace LockLab.Client.Services;

/// <summary>
/// Marks the client's start-up steps on the browser's performance timeline (<c>performance.mark</c>), where the page-load
/// benchmark reads them beside the browser's own timings (docs/benchmarks.md, "Lesson page"): when .NET reached the
/// client's entry point, when its services were built, when the live panel's hub connection was up. A mark costs a
/// call into JavaScript; it needs no <see cref="Microsoft.JSInterop.IJSRuntime"/>, so it works before the host exists.
/// </summary>
public static partial class StartupMarks
{
    public const string Main = "locklab:main";
    public const string HostBuilt = "locklab:host-built";
    public const string HubConnected = "locklab:hub-connected";

    /// <summary>Marks <paramref name="name"/> now. Does nothing outside the browser (the server's prerender).</summary>
    public static void Mark(string name)
    {
        if (OperatingSystem.IsBrowser()) PerformanceMark(name);
    }

    [JSImport("globalThis.performance.mark")]
    private static partial void PerformanceMark(string name);
}
