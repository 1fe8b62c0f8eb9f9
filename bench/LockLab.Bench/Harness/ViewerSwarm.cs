using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace LockLab.Bench.Harness;

/// <summary>
/// Many viewers of one room, spread over several <see cref="ViewerAgent"/> processes (at most
/// <see cref="ViewersPerProcess"/> each), all connected and joined before this returns.
/// </summary>
public sealed class ViewerSwarm : IAsyncDisposable
{
    public const int ViewersPerProcess = 1000;

    private readonly List<Agent> _agents = [];

    public int Viewers => _agents.Sum(a => a.Count);

    /// <summary>Viewers use Microsoft's .NET client instead of the lean <see cref="WireViewer"/>.</summary>
    public bool OfficialClient { get; init; }

    /// <summary>For the report: which client the viewers are.</summary>
    public string ClientDescription => OfficialClient
        ? "Microsoft's .NET SignalR client (WebSockets, no negotiate round-trip)"
        : "a lean SignalR client that speaks the wire protocol itself (WebSocket, JSON hub protocol, pings — the " +
            "bytes a browser tab exchanges; `bench/LockLab.Bench/Harness/WireViewer.cs`), because thousands of " +
            "official .NET clients on the server's own two cores would measure the clients";

    public static async Task<ViewerSwarm> StartAsync(Uri server, string room, int viewers, bool officialClient = false)
    {
        var swarm = new ViewerSwarm { OfficialClient = officialClient };
        try
        {
            await swarm.AddAsync(server, room, viewers);
            return swarm;
        }
        catch
        {
            await swarm.DisposeAsync();
            throw;
        }
    }

    /// <summary>Adds viewers (in new agent processes) and waits until they have joined.</summary>
    public async Task AddAsync(Uri server, string room, int viewers)
    {
        var started = new List<Agent>();
        for (var left = viewers; left > 0; left -= ViewersPerProcess)
        {
            var agent = Agent.Start(new Uri(server, "/hubs/lab"), room, Math.Min(left, ViewersPerProcess), OfficialClient);
            _agents.Add(agent);
            started.Add(agent);
        }
        await Task.WhenAll(started.Select(a => a.ReadyAsync(TimeSpan.FromSeconds(120))));
    }

    /// <summary>Every viewer's account of the run, once each has seen it complete (or <paramref name="timeout"/> passed).</summary>
    public async Task<SwarmReport> ReportAsync(string runId, TimeSpan timeout)
    {
        var reports = await Task.WhenAll(_agents.Select(a => a.ReportAsync(runId, timeout)));
        var latencies = reports.SelectMany(r => r.LatenciesMs).Order().ToList();
        return new SwarmReport(reports.Sum(r => r.Viewers), reports.Sum(r => r.Complete), reports.Sum(r => r.Lost),
            reports.Sum(r => r.Reordered), latencies, reports.Sum(r => r.ResidentBytes), reports.Sum(r => r.CpuMs));
    }

    /// <summary>
    /// Starts the runs one after another in the swarm's room and merges what every viewer saw of all of them. A run
    /// that did not complete is an error, not a figure.
    /// </summary>
    public async Task<SwarmReport> MeasureAsync(HttpClient http, string room, IEnumerable<string> scenarios)
    {
        var reports = new List<SwarmReport>();
        foreach (var scenario in scenarios)
        {
            var run = await LabRuns.StartAsync(http, new LockLab.Contracts.RunRequest { Scenario = scenario, Room = room });
            LabRuns.EnsureCompleted(await LabRuns.WaitFinishedAsync(http, run.Id, TimeSpan.FromSeconds(60)));
            reports.Add(await ReportAsync(run.Id, TimeSpan.FromSeconds(60)));
            if (Environment.GetEnvironmentVariable("BENCH_VERBOSE") == "1")
                Console.Error.WriteLine($"  {scenario} × {reports[^1].Viewers} viewers: p50 {reports[^1].P50:0.0} ms, " +
                    $"p99 {reports[^1].P99:0.0} ms, max {reports[^1].Max:0.0} ms");
        }
        return new SwarmReport(reports.Max(r => r.Viewers), reports.Min(r => r.Complete), reports.Sum(r => r.Lost),
            reports.Sum(r => r.Reordered), reports.SelectMany(r => r.LatenciesMs).Order().ToList(),
            reports.Max(r => r.AgentResidentBytes), reports.Max(r => r.AgentCpuMs));
    }

    /// <summary>
    /// For each size in turn (ascending): grows to that many viewers of <paramref name="room"/> on
    /// <paramref name="viewersOn"/>, watches one unmeasured round of the experiments (the server's and the new viewer
    /// processes' code is compiled on first use, their heaps sized), then <paramref name="rounds"/> measured rounds.
    /// The runs are started through <paramref name="runsOn"/>: the viewers' lab, or another lab of its deployment.
    /// </summary>
    public async Task<List<SizeReport>> MeasureAtSizesAsync(Uri viewersOn, HttpClient runsOn, string room,
        IReadOnlyList<int> sizes, int rounds, IReadOnlyList<string> experiments)
    {
        var results = new List<SizeReport>();
        foreach (var size in sizes)
        {
            if (Viewers < size) await AddAsync(viewersOn, room, size - Viewers);
            await MeasureAsync(runsOn, room, experiments);
            var measured = new List<SwarmReport>();
            for (var i = 0; i < rounds; i++) measured.Add(await MeasureAsync(runsOn, room, experiments));
            results.Add(new SizeReport(size, measured));
        }
        return results;
    }

    /// <summary>CPU time all agent processes have used so far.</summary>
    public async Task<TimeSpan> CpuTimeAsync() =>
        TimeSpan.FromMilliseconds((await Task.WhenAll(_agents.Select(a => a.CpuMsAsync()))).Sum());

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_agents.Select(a => a.StopAsync()));
        _agents.Clear();
    }

    private sealed class Agent
    {
        private readonly Process _process;
        private readonly List<string> _errors = [];

        private Agent(Process process, int count)
        {
            _process = process;
            Count = count;
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_errors) _errors.Add(e.Data); };
            _process.BeginErrorReadLine();
        }

        public int Count { get; }

        public static Agent Start(Uri hub, string room, int count, bool officialClient)
        {
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // A viewer handles each message where the socket reported it, without a hop through the thread pool:
            // on two shared cores, the clients' overhead is not what is being measured.
            info.Environment["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1";
            // Compiled once, fully optimized, while the viewers connect: no slower first rounds while freshly started
            // viewer processes tier their code up, and no recompiling during the measured rounds.
            info.Environment["DOTNET_TieredCompilation"] = "0";
            info.Environment["DOTNET_ReadyToRun"] = "0";
            // Fewer, non-concurrent collections: a viewer process's collection pauses all of its viewers at once.
            info.Environment["DOTNET_GCgen0size"] = "0x2000000";
            info.Environment["DOTNET_gcConcurrent"] = "0";
            info.ArgumentList.Add(typeof(ViewerAgent).Assembly.Location);
            foreach (var a in new[]
            {
                ViewerAgent.Command, "--hub", hub.ToString(), "--room", room, "--count", count.ToString(CultureInfo.InvariantCulture),
                "--client", officialClient ? "official" : "wire",
            })
            {
                info.ArgumentList.Add(a);
            }
            return new Agent(Process.Start(info)!, count);
        }

        public async Task ReadyAsync(TimeSpan timeout)
        {
            var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(timeout);
            if (line != "ready") throw new InvalidOperationException($"A viewer agent failed to connect {Count} viewers: {line}\n{Errors}");
        }

        public async Task<AgentReport> ReportAsync(string runId, TimeSpan timeout)
        {
            await _process.StandardInput.WriteLineAsync($"report {runId} {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}");
            await _process.StandardInput.FlushAsync();
            var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(timeout + TimeSpan.FromSeconds(30));
            if (line is null || !line.StartsWith("report ", StringComparison.Ordinal))
                throw new InvalidOperationException($"A viewer agent did not report: {line}\n{Errors}");
            return JsonSerializer.Deserialize(line["report ".Length..], AgentJson.Default.AgentReport)!;
        }

        public async Task<double> CpuMsAsync()
        {
            await _process.StandardInput.WriteLineAsync("cpu");
            await _process.StandardInput.FlushAsync();
            var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return line is not null && line.StartsWith("cpu ", StringComparison.Ordinal)
                ? double.Parse(line[4..], CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"A viewer agent did not answer: {line}\n{Errors}");
        }

        private string Errors { get { lock (_errors) return string.Join('\n', _errors.TakeLast(20)); } }

        public async Task StopAsync()
        {
            try
            {
                if (!_process.HasExited)
                {
                    await _process.StandardInput.WriteLineAsync("quit");
                    await _process.StandardInput.FlushAsync();
                    await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
                }
            }
            catch (Exception ex) when (ex is IOException or TimeoutException)
            {
                // Gone or stuck: killed below.
            }
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }
}

/// <summary>Each measured round with <paramref name="Viewers"/> viewers watching.</summary>
public sealed record SizeReport(int Viewers, List<SwarmReport> Rounds);

/// <summary>All viewers' account of one run; latencies sorted ascending, in milliseconds.</summary>
public sealed record SwarmReport(int Viewers, int Complete, long Lost, long Reordered, List<double> LatenciesMs,
    long AgentResidentBytes, double AgentCpuMs)
{
    public double P50 => Stats.Percentile(LatenciesMs, 50);
    public double P95 => Stats.Percentile(LatenciesMs, 95);
    public double P99 => Stats.Percentile(LatenciesMs, 99);
    public double Max => LatenciesMs.Count == 0 ? double.NaN : LatenciesMs[^1];
    public bool Perfect => Complete == Viewers && Lost == 0 && Reordered == 0;
}
