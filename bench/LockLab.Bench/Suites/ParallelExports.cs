using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using LockLab.Bench.Harness;
using LockLab.Bench.Report;
using LockLab.Contracts;
using LockLab.Server.History;
using LockLab.TestServices;

namespace LockLab.Bench.Suites;

/// <summary>
/// A class exports the biggest run the default limits allow, fifty at once, while another room watches the lesson's
/// experiments live: how fast the exports stream, what they cost the server's memory, and how late the live room's
/// events arrive meanwhile, beside the same room with no exports running.
/// </summary>
public static class ParallelExports
{
    /// <summary>The live-latency target of docs/benchmarks.md (the latency section's, with 1 viewer).</summary>
    public const double TargetP99Ms = 20;

    public static async Task<BenchSection> RunAsync(BenchContext context)
    {
        var section = new BenchSection("exports", "Exports: fifty at once of a 200,000-event run, beside a live room");
        var exporters = context.Quick ? 5 : 50;
        // 2 processes × 33,333 increments reported as read, write and print, plus each process's exit: 200,000 events,
        // the most MaxEventsPerRun allows at its default. Only MaxIterations is raised.
        var iterations = context.Quick ? 1_000 : 33_333;
        var repeats = context.Repeats(2);
        await using var server = await context.StartServerAsync(new Dictionary<string, string>
        {
            ["LockLab__Limits__MaxIterations"] = iterations.ToString(CultureInfo.InvariantCulture),
        });
        using var http = server.CreateClient();

        var archive = await NewRoomAsync(http);
        var big = await LabRuns.StartAsync(http, new RunRequest
        {
            Scenario = Scenarios.NoLock, Room = archive, Iterations = iterations, DelayMs = 0,
        });
        var run = LabRuns.EnsureCompleted(await LabRuns.WaitFinishedAsync(http, big.Id, TimeSpan.FromMinutes(5)));
        await StressStreaming.WaitPersistedAsync(server, run.Id, run.EventCount, TimeSpan.FromMinutes(5));

        // The live room's viewer: one real WebSocket connection in a process of its own, measured as the latency section does.
        var live = await NewRoomAsync(http);
        await using var swarm = await ViewerSwarm.StartAsync(server.Address, live, 1);
        string[] experiments = [Scenarios.NoLock, Scenarios.Lock];
        await swarm.MeasureAsync(http, live, experiments); // unmeasured: both processes compile their code on first use

        var quiet = new List<SwarmReport>();
        for (var i = 0; i < repeats; i++) quiet.Add(await swarm.MeasureAsync(http, live, experiments));

        var waves = new List<Wave>();
        for (var i = 0; i < repeats; i++)
        {
            foreach (var format in new[] { "csv", "json" })
            {
                waves.Add(await WaveAsync(server, http, swarm, live, run, format, exporters, experiments));
            }
        }

        var exportPath = $"`GET /api/runs/{{id}}/export?format=csv|json`";
        section.Paragraph($"""
            One `no-lock` run with no sleeps, 2 processes × {iterations:N0} increments = {run.EventCount:N0} events (the most
            `MaxEventsPerRun` allows at its default; only `LockLab:Limits:MaxIterations` is raised), stored whole in the history
            before the first export. Then, {repeats} times for each format, {exporters} exports of it at once ({exportPath}),
            each from a loopback address of its own (127.0.0.2, 127.0.0.3, …: the lab lets one address run
            2 exports at a time), each read to its end and checked: every event, in order, the JSON's array as long as the run.
            **All done in**: from sending the {exporters} requests to the last byte of the last export. **Throughput**: the bytes
            and events of all {exporters} over that time. **Server memory**: resident, before the exports → its peak (the
            kernel's high-water mark, `VmHWM`, reset just before) → once all are read.
            **Live room**: meanwhile the lesson's two experiments, one after the other, in another room, watched by one real
            SignalR WebSocket connection in a process of its own (the latency section's viewer and its measure: arrival −
            the run's start gate − the event's own time after the gate), started while no export of the wave had finished;
            the first row is the same room and viewer with no export running ({repeats} rounds of both experiments). p50 and
            p99 are taken per wave (per round), the table quotes their median and min–max.
            """);

        var rows = new List<IReadOnlyList<string>>
        {
            new[]
            {
                "none", "–", "–", "–", "–", "–",
                Stats.Spread(quiet.Select(r => r.P50).ToList(), "0.0", " ms"),
                Stats.Spread(quiet.Select(r => r.P99).ToList(), "0.0", " ms"),
                quiet.Sum(r => r.LatenciesMs.Count).ToString("N0"),
            },
        };
        foreach (var group in waves.GroupBy(w => w.Format))
        {
            var w = group.ToList();
            rows.Add(new[]
            {
                $"{exporters} × {group.Key.ToUpperInvariant()}",
                Stats.Format(Stats.Median(w.Select(x => x.BytesEach / 1048576.0)), "0.0", " MiB"),
                Stats.Spread(w.Select(x => x.Seconds).ToList(), "0.0", " s"),
                Stats.Spread(w.Select(x => x.BytesEach * x.Exports / 1048576.0 / x.Seconds).ToList(), "0", " MiB/s"),
                Stats.Spread(w.Select(x => x.Events / x.Seconds).ToList(), "N0"),
                string.Join("; ", w.Select(x => $"{x.BeforeMiB:0} → {x.PeakMiB:0} → {x.AfterMiB:0}")) + " MiB",
                Stats.Spread(w.Select(x => x.Live.P50).ToList(), "0.0", " ms"),
                Stats.Spread(w.Select(x => x.Live.P99).ToList(), "0.0", " ms"),
                w.Sum(x => x.Live.LatenciesMs.Count).ToString("N0"),
            });
        }
        section.Table(["exports at once", ">each", ">all done in", ">throughput", ">events/s", ">server memory (before → peak → after)",
            ">live p50", ">live p99", ">live events"], rows);

        section.Paragraph($"""
            The server reads and writes at most {ExportTurns.Concurrent} export page(s) of {HistoryEndpoints.ExportPage:N0} events
            at a time over all exports (half the cores: `History/ExportTurns.cs`), and sends each page to its client outside
            that turn. Before that (2026-12-06, measured by the end-to-end test `ExportLoadTests` on a Debug server, fifty exports
            of this run, half CSV and half JSON, and a live run of 1,202 events in another room) every export read and wrote its
            pages as fast as the thread pool ran them: fifty pages queued ahead of every live event, the live room's events
            arrived 430–520 ms late at the median and 760–1,170 ms at p99, and the server went 240 MiB above what it held at
            rest (fifty pages and fifty SQLite connections at once, a CSV page as one string). With the turns, the same test
            measures 1–11 ms at the median, 23–237 ms at p99 on a machine others were loading too (load average up to 25),
            and 48–104 MiB above rest. Each export holds one page at most, as objects and as text, never its run.
            """);

        var underLoad = Stats.Median(waves.Select(w => w.Live.P99));
        section.Target("p99 with 1 viewer while 50 exports run (median of waves)", $"≤ {TargetP99Ms:0} ms",
            Stats.Format(underLoad, "0.0", " ms"), underLoad <= TargetP99Ms,
            underLoad <= TargetP99Ms ? null : Stats.Format(underLoad - TargetP99Ms, "0.0", " ms"));
        var broken = waves.Sum(w => w.Exports - w.Whole);
        var lost = waves.Sum(w => w.Live.Lost + w.Live.Reordered) + quiet.Sum(r => r.Lost + r.Reordered);
        section.Target("exports whole and in order; live events lost or out of order", "all; 0",
            $"{waves.Sum(w => w.Whole)} of {waves.Sum(w => w.Exports)}; {lost}", broken == 0 && lost == 0,
            broken + lost == 0 ? null : $"{broken} exports, {lost} events");
        return section;
    }

    /// <param name="Events">Events exported by the whole wave.</param>
    /// <param name="Whole">Exports that held every event, in order.</param>
    private sealed record Wave(string Format, int Exports, int Whole, double BytesEach, double Seconds, double Events,
        double BeforeMiB, double PeakMiB, double AfterMiB, SwarmReport Live);

    /// <summary>
    /// One wave: <paramref name="exporters"/> exports at once, each from its own address, and the live room's experiments
    /// started one after the other until the first export of the wave is done.
    /// </summary>
    private static async Task<Wave> WaveAsync(LabServer server, HttpClient http, ViewerSwarm swarm, string live, RunInfo run,
        string format, int exporters, string[] experiments)
    {
        var clients = Enumerable.Range(0, exporters)
            .Select(i => LoopbackClients.Create(server.Address, LoopbackClients.Address(i), TimeSpan.FromMinutes(10))).ToArray();
        try
        {
            var before = ResidentMemory.Bytes(server.Pid);
            var exactPeak = ResidentMemory.ResetPeak(server.Pid);
            var firstDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var started = 0;
            var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var clock = Stopwatch.StartNew();
            var exports = clients.Select(async client =>
            {
                try
                {
                    using var response = await client.GetAsync(
                        $"/api/runs/{run.Id}/export?format={format}", HttpCompletionOption.ResponseHeadersRead);
                    if (Interlocked.Increment(ref started) == exporters) allStarted.TrySetResult();
                    if (response.StatusCode != HttpStatusCode.OK)
                        throw new InvalidOperationException($"An export was answered {(int)response.StatusCode}.");
                    await using var body = await response.Content.ReadAsStreamAsync();
                    return await ExportReader.ReadAsync(body, format);
                }
                finally
                {
                    allStarted.TrySetResult(); // a failed export must not keep the wave waiting
                    firstDone.TrySetResult();
                }
            }).ToArray();

            await allStarted.Task;
            var reports = new List<SwarmReport>();
            do reports.Add(await swarm.MeasureAsync(http, live, experiments));
            while (!firstDone.Task.IsCompleted);
            var checks = await Task.WhenAll(exports);
            var seconds = clock.Elapsed.TotalSeconds;
            var peak = exactPeak ? ResidentMemory.PeakBytes(server.Pid) : ResidentMemory.Bytes(server.Pid);
            var after = ResidentMemory.Bytes(server.Pid);
            var liveReport = new SwarmReport(reports.Max(r => r.Viewers), reports.Min(r => r.Complete), reports.Sum(r => r.Lost),
                reports.Sum(r => r.Reordered), reports.SelectMany(r => r.LatenciesMs).Order().ToList(),
                reports.Max(r => r.AgentResidentBytes), reports.Max(r => r.AgentCpuMs));
            var whole = checks.Count(c => c.IsComplete(run.EventCount) && (format == "csv" || c.RunEventCount == run.EventCount));
            return new Wave(format, exporters, whole, checks.Average(c => c.Bytes), seconds, checks.Sum(c => c.Events),
                before / 1048576.0, Math.Max(peak, before) / 1048576.0, after / 1048576.0, liveReport);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    private static async Task<string> NewRoomAsync(HttpClient http)
    {
        using var created = await http.PostAsync("/api/rooms", null);
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.RoomState))!.Room;
    }
}
