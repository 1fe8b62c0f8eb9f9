using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.EndToEndTests.ScaleOut;
using LockLab.TestServices;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace LockLab.EndToEndTests;

/// <summary>
/// A whole class exports the biggest run the lab allows at the same moment, while another room watches a run live: the
/// export streams the run page by page from the history, so the server's memory stays within a budget far below what
/// holding the run once per export would take, and the live room still gets every event on time.
/// </summary>
[Collection(PublishedLab.Collection)]
public class ExportLoadTests(ITestOutputHelper output)
{
    /// <summary>Exports at once, each from an address of its own (the lab lets one address run two at a time).</summary>
    private const int Exporters = 50;

    /// <summary>
    /// 2 processes × 33,333 increments, each reported as read, write and print, and each process's exit: 200,000 events,
    /// the most a run may report at the default limits (<c>MaxEventsPerRun</c>). Only <c>MaxIterations</c> is raised.
    /// </summary>
    private const int Iterations = 33_333;
    private const long BigRunEvents = 2L * (3 * Iterations) + 2;

    /// <summary>
    /// How far above what it holds at rest the server may go while the fifty exports run. Streaming, an export holds at
    /// most one page of 5,000 events: as objects (≈ 0.6–0.75 MB at 120–150 bytes an event) and as text (CSV ≈ 0.25 MB,
    /// indented JSON ≈ 0.85 MB in the response's buffer), and the lab reads and writes one such page per two cores at a
    /// time (<c>ExportTurns</c>); what fifty open exports hold besides is their responses' buffers and the thread pool's.
    /// An export that held its run whole would hold 200,000 events as objects (24–30 MB) before writing a byte — 1.2–1.5 GiB
    /// for fifty, more again as text — and break this bound six times over.
    /// Measured (Debug server from the build, 2 cores shared with other test runs, 2026-12-06, every run): 48–104 MiB above
    /// rest (rest 186–233 MiB, peak 281–292 MiB), so the bound leaves nearly twice the highest figure. Before the exports took
    /// turns (fifty pages and fifty SQLite connections at once, a CSV page as one string) it was 239–242 MiB.
    /// </summary>
    private const int ExportsBudgetMiB = 200;

    /// <summary>
    /// The live room's bound while the exports run, on its median: deliberately generous. Measuring the live path's
    /// speed is the benchmark's work (<c>exports</c> section, p99 against the 20 ms target); this only guards against the
    /// exports starving it, and starving moves the whole distribution: before the exports took turns the live median was
    /// 430–520 ms (p99 760–1,170 ms). With the turns the median stayed at 1–11 ms in every run, also with other test runs
    /// loading both cores (load average 20–25). The tail is not judged here: on this shared machine about one run in five
    /// saw one stall of 0.65–0.95 s in the middle of the live run (small messages sent at their pace by the server and
    /// received all at once; its cause is not found yet), which a tail percentile would report as a failure.
    /// </summary>
    private const double LiveMedianBoundMs = 100;

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Fifty_exports_of_a_200000_event_run_at_once_stay_in_the_memory_budget_while_a_live_room_keeps_its_pace()
    {
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["LockLab__Limits__MaxIterations"] = Iterations.ToString(CultureInfo.InvariantCulture),
        });

        // The big run, no sleeps, stored whole in the history before anyone exports it.
        var big = await server.StartRunAsync(new { scenario = "no-lock", room = "archive", iterations = Iterations, delayMs = 0 });
        using (var reader = server.CreateClient())
        {
            var finished = await Waiting.UntilAsync(async () =>
                await reader.GetFromJsonAsync($"/api/runs/{big.Id}", ContractsJsonContext.Default.RunInfo) is { IsFinished: true } r
                    ? r : null, Patience, "the big run to finish");
            Assert.Equal(RunStatus.Completed, finished.Status);
            Assert.Equal(BigRunEvents, finished.EventCount);
        }
        var database = Path.Combine(server.DataPath, "locklab.db");
        Assert.True(await Waiting.UntilAsync(() => StoredEvents(database, big.Id) == BigRunEvents, Patience),
            "the big run was not stored whole");
        // After a run bigger than the memory's event budget the server compacts its heap once: what it holds at rest is
        // measured after that.
        Assert.True(await Waiting.UntilAsync(() => server.Output.Contains($"Run {big.Id} reported", StringComparison.Ordinal), Patience),
            "the server did not hand back the big run's memory");

        // The live room and its viewer, a real SignalR connection, noting when each event arrives.
        await server.OpenRoomAsync("live");
        var arrivals = new ConcurrentQueue<(string RunId, RunEvent[] Events, DateTimeOffset At)>();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(server.Address, "/hubs/lab"), o => o.Transports = HttpTransportType.WebSockets)
            .AddJsonProtocol(o => o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default))
            .Build();
        hub.On<string, RunEvent[]>(nameof(ILabClient.RunEvents), (id, events) => arrivals.Enqueue((id, events, DateTimeOffset.UtcNow)));
        var viewer = new RoomRecorder(hub);
        await hub.StartAsync();
        await hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), "live");

        var restBytes = ResidentMemory.Bytes(server.Pid);
        var exactPeak = ResidentMemory.ResetPeak(server.Pid);
        using var sampler = new MemorySampler(server.Pid);

        // Fifty exports, half CSV and half JSON, all under way before the live run starts and kept going (each client
        // starts another when it has checked one) until the live run has ended: the live run is inside the load, however
        // fast or slow this machine is.
        using var deadline = new CancellationTokenSource(Patience);
        var allStreaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var liveEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var streaming = 0;
        var exportClock = Stopwatch.StartNew();
        var exporters = Enumerable.Range(0, Exporters).Select(async i =>
        {
            using var client = LoopbackClients.Create(server.Address, LoopbackClients.Address(i), Patience);
            var checks = new List<(string Format, HttpStatusCode Status, ExportCheck? Check)>();
            try
            {
                await ExportUntilTheLiveRunEndsAsync(client, i, checks);
            }
            catch
            {
                allStreaming.TrySetResult(); // the others must not wait for this one; the test fails with its exception
                throw;
            }
            return checks;
        }).ToArray();

        async Task ExportUntilTheLiveRunEndsAsync(HttpClient client, int i, List<(string, HttpStatusCode, ExportCheck?)> checks)
        {
            for (var round = 0; round == 0 || !liveEnded.Task.IsCompleted; round++)
            {
                var format = (i + round) % 2 == 0 ? "csv" : "json";
                using var response = await client.GetAsync(
                    $"/api/runs/{big.Id}/export?format={format}", HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                if (round == 0 && Interlocked.Increment(ref streaming) == Exporters) allStreaming.TrySetResult();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    checks.Add((format, response.StatusCode, null));
                    if (round == 0) allStreaming.TrySetResult(); // the assertions below say which was refused
                    break;
                }
                if (round == 0) await allStreaming.Task.WaitAsync(deadline.Token);
                await using var body = await response.Content.ReadAsStreamAsync(deadline.Token);
                checks.Add((format, response.StatusCode, await ExportReader.ReadAsync(body, format, deadline.Token)));
            }
        }

        await allStreaming.Task.WaitAsync(deadline.Token);
        var live = await server.StartRunAsync(new { scenario = "no-lock", room = "live", iterations = 200, delayMs = 10 });
        RunInfo liveRun;
        try
        {
            liveRun = await viewer.CompletedAsync(live.Id, Patience);
        }
        finally
        {
            liveEnded.TrySetResult();
        }
        var results = await Task.WhenAll(exporters);
        var exportSeconds = exportClock.Elapsed.TotalSeconds;
        var peakBytes = Math.Max(sampler.Stop(), exactPeak ? ResidentMemory.PeakBytes(server.Pid) : 0);
        var afterBytes = ResidentMemory.Bytes(server.Pid);

        // Every export whole and right.
        var all = results.SelectMany(r => r).ToList();
        Assert.All(all, e => Assert.Equal(HttpStatusCode.OK, e.Status));
        Assert.All(all, e => Assert.True(e.Check!.IsComplete(BigRunEvents),
            $"A {e.Format} export was not the whole run: {e.Check} (the run has {BigRunEvents} events)"));
        Assert.All(all.Where(e => e.Format == "json"), e =>
        {
            Assert.Equal(big.Id, e.Check!.RunId);
            Assert.Equal(BigRunEvents, e.Check.RunEventCount);
        });

        // The live room: every event, once, in order, then the end.
        Assert.Equal(RunStatus.Completed, liveRun.Status);
        var seen = viewer.EventsOf(live.Id);
        Assert.Equal(Enumerable.Range(1, (int)liveRun.EventCount).Select(n => (long)n), seen.Select(e => e.Seq));
        // Latency as the benchmark takes it: arrival − (the run's start gate + the event's own time after the gate, which
        // its worker took from the monotonic clock as it wrote).
        var gate = liveRun.StartedAt!.Value;
        var latencies = arrivals.Where(a => a.RunId == live.Id)
            .SelectMany(a => a.Events.Select(e => (a.At - gate).TotalMilliseconds - e.AtMs)).Order().ToList();
        double Percentile(double p) => latencies[Math.Clamp((int)Math.Ceiling(p / 100 * latencies.Count) - 1, 0, latencies.Count - 1)];

        var mib = 1024.0 * 1024;
        output.WriteLine($"{all.Count} exports ({all.Count(e => e.Format == "csv")} CSV, {all.Count(e => e.Format == "json")} JSON) " +
            $"of {BigRunEvents:N0} events, {all.Sum(e => e.Check!.Bytes) / mib:N0} MiB in {exportSeconds:0.0} s");
        output.WriteLine($"server resident: {restBytes / mib:0} MiB at rest → peak {peakBytes / mib:0} MiB " +
            $"({(exactPeak ? "kernel high-water mark" : "sampled")}; sampled {sampler.PeakBytes / mib:0}) → " +
            $"{afterBytes / mib:0} MiB after; " +
            $"peak − rest {(peakBytes - restBytes) / mib:0} MiB of a {ExportsBudgetMiB} MiB budget");
        output.WriteLine($"live run: {seen.Length} events, p50 {Percentile(50):0.0} ms, p90 {Percentile(90):0.0} ms, " +
            $"p99 {Percentile(99):0.0} ms, " +
            $"max {latencies[^1]:0.0} ms; run {liveRun.Summary?.DurationMs:0} ms");

        Assert.True((peakBytes - restBytes) / mib <= ExportsBudgetMiB,
            $"The server went from {restBytes / mib:0} MiB at rest to {peakBytes / mib:0} MiB during the exports: more than " +
            $"{ExportsBudgetMiB} MiB above rest.");
        Assert.True(Percentile(50) <= LiveMedianBoundMs,
            $"The live room's median latency was {Percentile(50):0.0} ms during the exports (bound {LiveMedianBoundMs} ms).");

        // And the lab told the fifty apart by their addresses: one address's third export at once is refused.
        using var one = LoopbackClients.Create(server.Address, LoopbackClients.Address(Exporters));
        var path = $"/api/runs/{big.Id}/export?format=json"; // tens of MB: an export left unread stays open
        using var first = await one.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        using var second = await one.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        using var third = await one.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests },
            new[] { first.StatusCode, second.StatusCode, third.StatusCode });
    }

    private static long StoredEvents(string database, string runId)
    {
        if (!File.Exists(database)) return 0;
        try
        {
            using var db = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
            db.Open();
            using var count = db.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM events WHERE run_id = $id";
            count.Parameters.AddWithValue("$id", runId);
            return (long)count.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0; // busy: look again
        }
    }

    /// <summary>
    /// Samples the server's resident memory every 10 ms on a thread of its own (the test's thread pool is busy reading
    /// exports), for where the kernel's high-water mark cannot be reset.
    /// </summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;

        public MemorySampler(int pid)
        {
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    PeakBytes = Math.Max(PeakBytes, ResidentMemory.Bytes(pid));
                    Thread.Sleep(10);
                }
            }) { IsBackground = true, Name = "server memory sampler" };
            _thread.Start();
        }

        public long PeakBytes { get; private set; }

        public long Stop()
        {
            _stop = true;
            _thread.Join();
            return PeakBytes;
        }

        public void Dispose() => Stop();
    }
}
