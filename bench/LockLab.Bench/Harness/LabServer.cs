using LockLab.Contracts;
using LockLab.TestServices;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace LockLab.Bench.Harness;

/// <summary>
/// The lab under measurement (<see cref="LabProcess"/>): the real server executable in its own process on a loopback
/// port, with its own worker processes and a fresh data folder, and what the benchmark reads of it (memory, CPU).
/// Settings are passed as environment variables (<c>LockLab__…</c>).
/// </summary>
public sealed class LabServer : IAsyncDisposable
{
    public const string Key = "bench-presenter-key-2Fv9Jx4Mr7Bz";

    private readonly LabProcess _lab;

    private LabServer(LabProcess lab) => _lab = lab;

    public Uri Address => _lab.Address;
    public int Pid => _lab.Pid;

    /// <summary>The server's run history (SQLite, in its data folder).</summary>
    public string HistoryDatabase => Path.Combine(_lab.DataPath, "locklab.db");
    public string Output => _lab.Output;

    public static async Task<LabServer> StartAsync(string folder, bool production, IReadOnlyDictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>
        {
            // Benchmarks start many runs from one address in a minute; the per-client limit is for classrooms.
            ["LockLab__Limits__RunsPerMinutePerClient"] = "100000",
            ["LockLab__ServeMetrics"] = "true", // the memory figures read the GC's committed heap from /metrics
            ["LockLab__MaxConnectionsPerAddress"] = "100000", // every viewer of the fan-out comes from loopback
            ["Serilog__MinimumLevel__Default"] = "Warning",
            ["Serilog__MinimumLevel__Override__Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (key, value) in settings) environment[key] = value;
        // For trying runtime settings on the server alone (e.g. "DOTNET_gcServer=1;DOTNET_GCgen0size=0x4000000"); figures
        // taken with it are experiments, not the lab as it ships.
        foreach (var pair in (Environment.GetEnvironmentVariable("LOCKLAB_BENCH_SERVER_ENV") ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq > 0) environment[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return new LabServer(await LabProcess.StartAsync(
            new LabProcessOptions(folder, Key, production, Settings: environment, MaxOutputLines: 5000)));
    }

    public HttpClient CreateClient(bool presenter = true) => _lab.CreateClient(presenter, TimeSpan.FromMinutes(2));

    /// <summary>A hub connection as the lab's pages make one (WebSockets), not yet started.</summary>
    public HubConnection CreateHubConnection(bool presenter = false) =>
        HubConnections.Create(new Uri(Address, "/hubs/lab"), presenter ? Key : null);

    /// <summary>Resident memory of the server process alone (not its workers), in bytes.</summary>
    public long ResidentBytes() => ProcessMemory.ResidentBytes(Pid);

    /// <summary>What the server's resident memory is made of now, with the GC's committed memory (from <c>/metrics</c>).</summary>
    public async Task<MemoryBreakdown?> MemoryBreakdownAsync()
    {
        if (ProcessMemory.Breakdown(Pid) is not { } parts) return null;
        double? gc = null;
        try
        {
            using var http = CreateClient(presenter: false);
            var metrics = await http.GetStringAsync("/metrics");
            var line = metrics.Split('\n')
                .FirstOrDefault(l => l.StartsWith("dotnet_gc_last_collection_memory_committed_size_bytes", StringComparison.Ordinal));
            if (line is not null)
                gc = double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) / 1048576;
        }
        catch (HttpRequestException)
        {
        }
        return new MemoryBreakdown(ResidentBytes() / 1048576.0, parts.Anonymous, parts.Files, parts.Shared, gc);
    }

    /// <summary>CPU time the server process has used so far (user + system).</summary>
    public TimeSpan CpuTime() => _lab.CpuTime();

    public ValueTask DisposeAsync() => _lab.DisposeAsync();
}

/// <summary>How the benchmark's clients connect: WebSockets only, no negotiate round-trip, as a page on a modern browser ends up.</summary>
public static class HubConnections
{
    public static HubConnection Create(Uri hub, string? key) => new HubConnectionBuilder()
        .WithUrl(hub, options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
            if (key is not null) options.AccessTokenProvider = () => Task.FromResult<string?>(key);
        })
        // The lab's own client reads the contracts with their source-generated serializers; so do these.
        .AddJsonProtocol(o => o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default))
        .Build();
}

/// <summary>Resident memory in MiB, and what it is made of (see <see cref="ProcessMemory.Breakdown"/>).</summary>
public sealed record MemoryBreakdown(double Resident, double Anonymous, double Files, double Code, double? GcCommitted)
{
    public override string ToString() =>
        $"{Resident:0} MiB: {Anonymous:0} anonymous{(GcCommitted is { } gc ? $" (GC heap committed {gc:0})" : "")}" +
            $" + {Files:0} mapped files + {Code:0} JIT code";
}

public static class ProcessMemory
{
    /// <summary>
    /// What a process's resident memory is made of (Linux, /proc/pid/status and smaps_rollup), in MiB: anonymous memory
    /// (the GC heap, native allocations, stacks), mapped files (assemblies, native libraries) and shared memory (on .NET,
    /// mostly the JIT's code, mapped through <c>memfd:doublemapper</c> for W^X). Null where unavailable.
    /// </summary>
    public static (double Anonymous, double Files, double Shared)? Breakdown(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status)) return null;
        double Field(string name) => File.ReadLines(status).FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal)) is { } line
            ? long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0
            : 0;
        return (Field("RssAnon:"), Field("RssFile:"), Field("RssShmem:"));
    }


    /// <summary>VmRSS from /proc (Linux), in bytes; 0 where unavailable.</summary>
    public static long ResidentBytes(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status)) return 0;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
