using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LockLab.Server.Components;

/// <summary>One file the WebAssembly client needs before it runs, as the page asks the browser to fetch it early.</summary>
/// <param name="Href">Its address under the site's base (<c>_framework/…</c>).</param>
/// <param name="IsModule">A JavaScript module the runtime imports (<c>modulepreload</c>), rather than a file it fetches.</param>
/// <param name="Early">Needed before any assembly: the runtime's scripts, its WebAssembly and the core library. The other
/// assemblies are asked for at low priority, behind them and the page's own requests.</param>
public sealed record FrameworkFile(string Href, bool IsModule, bool Early = true);

/// <summary>
/// The files the .NET WebAssembly runtime fetches as it starts: its scripts, <c>dotnet.native.wasm</c> and every
/// assembly the client loads at start. They are listed in the boot configuration the build writes into
/// <c>_framework/dotnet.js</c> (between <c>/*json-start*/</c> and <c>/*json-end*/</c>), which the browser learns only
/// once <c>blazor.web.js</c> has run and imported that script: a chain of three round trips and the page's first layout
/// before the first byte of the runtime is asked for. Named in the page (<see cref="FrameworkPreloads"/>, after its
/// scripts), they download while the page is parsed and styled (docs/benchmarks.md, "page"). Read once, at the first
/// page: a client rebuilt under <c>dotnet watch</c> is preloaded by its old names until the server restarts (the
/// runtime then fetches the new ones itself).
/// </summary>
public sealed class FrameworkFiles(IWebHostEnvironment environment, ILogger<FrameworkFiles> log)
{
    /// <summary>The runtime's boot script, imported by <c>blazor.web.js</c> by this name (not its fingerprinted one).</summary>
    public const string BootScript = "_framework/dotnet.js";

    private readonly Lazy<IReadOnlyList<FrameworkFile>> _files = new(() => Read(environment.WebRootFileProvider.GetFileInfo(BootScript), log));

    /// <summary>What to preload, in the order the runtime needs it; empty when the boot script cannot be read (the page
    /// then loads as it would without preloads).</summary>
    public IReadOnlyList<FrameworkFile> Preloads => _files.Value;

    /// <summary>
    /// Names this build of the client: a hash of its files' names, which carry their content's fingerprints. Empty when
    /// the files are not known (see <see cref="Preloads"/>).
    /// </summary>
    public string ClientVersion => _version ??= VersionOf(Preloads); // the same string, should two pages race to it

    private string? _version;

    public static string VersionOf(IReadOnlyList<FrameworkFile> files) => files.Count == 0 ? "" :
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', files.Select(f => f.Href)))))[..16];

    private static IReadOnlyList<FrameworkFile> Read(Microsoft.Extensions.FileProviders.IFileInfo bootScript, ILogger log)
    {
        if (!bootScript.Exists)
        {
            // E.g. a server run from its build output outside Development, which serves no client files at all.
            log.LogInformation("The WebAssembly runtime's files are not preloaded: there is no {BootScript}", BootScript);
            return [];
        }
        try
        {
            using var stream = bootScript.CreateReadStream();
            using var reader = new StreamReader(stream);
            return FromBootScript(reader.ReadToEnd());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever it is, the page goes on without preloads: an exception here would fail every page, the lazy list
            // keeping it for good.
            log.LogWarning("The WebAssembly runtime's files are not preloaded: {BootScript} could not be read ({Reason})", BootScript, ex.Message);
            return [];
        }
    }

    /// <summary>
    /// The files named by a boot script's configuration: its two runtime modules, then the runtime's WebAssembly, the
    /// core assemblies and the others (satellite and lazily loaded assemblies are left to the runtime). Only for a
    /// trimmed client, as published: an untrimmed one (a Debug build, two hundred files and 35 MB) named all at once
    /// queued the page's own requests behind them, and its cold load took longer (3,320 → 3,496 ms, 6 alternate loads).
    /// </summary>
    public static IReadOnlyList<FrameworkFile> FromBootScript(string script)
    {
        const string start = "/*json-start*/", end = "/*json-end*/";
        var from = script.IndexOf(start, StringComparison.Ordinal);
        var to = from < 0 ? -1 : script.IndexOf(end, from, StringComparison.Ordinal);
        if (to < 0) return [];
        using var config = JsonDocument.Parse(script.AsMemory(from + start.Length, to - from - start.Length));
        if (!config.RootElement.TryGetProperty("linkerEnabled", out var trimmed) || trimmed.ValueKind != JsonValueKind.True) return [];
        if (!config.RootElement.TryGetProperty("resources", out var resources)) return [];
        var files = new List<FrameworkFile> { new(BootScript, IsModule: true) };
        foreach (var (group, isModule) in (ReadOnlySpan<(string, bool)>)
                 [("jsModuleNative", true), ("jsModuleRuntime", true), ("wasmNative", false), ("coreAssembly", false), ("assembly", false)])
        {
            if (!resources.TryGetProperty(group, out var entries) || entries.ValueKind != JsonValueKind.Array) continue;
            foreach (var entry in entries.EnumerateArray())
            {
                var name = entry.GetProperty("name").GetString();
                // A name with a path or a scheme is not one of the runtime's own files under _framework/.
                if (string.IsNullOrEmpty(name) || name.Contains('/') || name.Contains(':')) continue;
                files.Add(new FrameworkFile("_framework/" + name, isModule, Early: group != "assembly"));
            }
        }
        return files;
    }
}
