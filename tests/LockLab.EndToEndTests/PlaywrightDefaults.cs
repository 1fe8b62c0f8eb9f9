using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace LockLab.EndToEndTests;

internal static class PlaywrightDefaults
{
    /// <summary>
    /// Playwright's assertions retry for 5 s by default. What they wait for here is a round trip through the server,
    /// the hub and a WebAssembly render on a 2-core CI machine that is also running the server, the workers and
    /// Chromium: 15 s leaves room for a busy moment without making a real failure slow to report.
    /// </summary>
    [ModuleInitializer]
    internal static void Apply() => Assertions.SetDefaultExpectTimeout(15_000);
}
