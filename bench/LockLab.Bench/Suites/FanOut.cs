using LockLab.Bench.Harness;
using LockLab.Bench.Report;
using LockLab.Contracts;

namespace LockLab.Bench.Suites;

/// <summary>
/// How many people can watch one room: viewers are added in steps, each step watches the lesson's two experiments,
/// and a step passes when every viewer received every event in order with p99 ≤ 250 ms.
/// </summary>
public static class FanOut
{
    public const double P99LimitMs = 250;
    public const int Target = 5000;

    public static async Task<BenchSection> RunAsync(BenchContext context)
    {
        var section = new BenchSection("fan-out", "Fan-out: viewers of one room");
        int[] ladder = context.Quick ? [10, 20] : [1000, 2000, 3000, 4000, 5000, 6000, 8000, 10000];
        var rows = new List<string[]>();
        var largestPassing = 0;
        var clients = "";
        double? serverBytesPerViewer = null, agentBytesPerViewer = null;

        await using (var server = await context.StartServerAsync())
        {
            using var http = server.CreateClient();
            const string room = "main";
            // Warm the server up (JIT, worker pool) so the first step is not charged for it.
            await using (var warm = await ViewerSwarm.StartAsync(server.Address, room, 1)) await warm.MeasureAsync(http, room, [Scenarios.NoLock]);
            var baseline = server.ResidentBytes();

            await using var swarm = new ViewerSwarm();
            clients = swarm.ClientDescription;
            foreach (var step in ladder)
            {
                string failure;
                try
                {
                    await swarm.AddAsync(server.Address, room, step - swarm.Viewers);
                    // Unmeasured first: the new viewer processes compile their code on first use and size their heaps.
                    await swarm.MeasureAsync(http, room, [Scenarios.NoLock, Scenarios.Lock]);
                    var connectedBytes = server.ResidentBytes();
                    var cpuBefore = server.CpuTime();
                    var viewersCpuBefore = await swarm.CpuTimeAsync();
                    var wallBefore = System.Diagnostics.Stopwatch.GetTimestamp();
                    var report = await swarm.MeasureAsync(http, room, [Scenarios.NoLock, Scenarios.Lock]);
                    var wall = System.Diagnostics.Stopwatch.GetElapsedTime(wallBefore);
                    var serverCpu = (server.CpuTime() - cpuBefore) / wall;
                    var viewersCpu = (await swarm.CpuTimeAsync() - viewersCpuBefore) / wall;
                    var passed = report.Perfect && report.P99 <= P99LimitMs;
                    failure = passed ? "" : !report.Perfect ? $"{report.Viewers - report.Complete} viewers missed events" : "p99 too high";
                    serverBytesPerViewer = (connectedBytes - baseline) / (double)step;
                    agentBytesPerViewer = report.AgentResidentBytes / (double)step;
                    rows.Add([step.ToString("N0"), Stats.Format(report.P50, "0"," ms"), Stats.Format(report.P99, "0", " ms"), Stats.Format(report.Max, "0", " ms"),
                        $"{report.Complete:N0} of {report.Viewers:N0}", MiB(connectedBytes), Stats.Format(serverBytesPerViewer.Value / 1024, "0.0", " KiB"), Stats.Format(serverCpu * 100, "0", " %"), Stats.Format(viewersCpu * 100, "0", " %"),
                        passed ? "pass" : "fail: " + failure]);
                    if (!passed) break;
                    largestPassing = step;
                }
                catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
                {
                    rows.Add([step.ToString("N0"), "–", "–", "–", "–", MiB(server.ResidentBytes()), "–", "–", "–", "fail: " + ex.Message.Split('\n')[0]]);
                    break;
                }
            }
        }

        section.Paragraph($"""
            One server (published, Production), one room. Viewers are real SignalR WebSocket connections in separate
            processes on loopback, {ViewerSwarm.ViewersPerProcess:N0} per process: {clients}; on the same 2-core machine as the server and its workers — so the clients' own CPU competes with
            the server's. At each step more viewers join and watch one unmeasured run of each experiment (their processes compile their
            code on first use),
            then the lesson's two experiments run once each; the step passes
            when every viewer received every event, once and in order, and the 99th percentile of the latency (worker's
            write → viewer) is ≤ {P99LimitMs:0} ms. The ladder stops at the first failing step. Server memory is the
            server process's resident set with that many viewers connected; per viewer = (that − before any viewer) ÷ viewers.
            Server CPU is the server process's CPU time during the two runs (and the reports) over their wall time (200 % = both cores); viewers' CPU likewise for all viewer processes together.
            """);
        section.Table([">viewers", ">p50", ">p99", ">max", ">saw every event", ">server memory", ">per viewer", ">server CPU", ">viewers' CPU", "step"], rows);
        if (agentBytesPerViewer is { } agent) section.Paragraph($"The viewer processes used about {agent / 1024:0} KiB per viewer (a browser tab uses far more, on its own device).");
        section.Target("viewers receiving every event with p99 ≤ 250 ms", $"≥ {(context.Quick ? ladder[^1] : Target):N0}", largestPassing.ToString("N0"),
            largestPassing >= (context.Quick ? ladder[^1] : Target), largestPassing >= Target ? null : $"{Target - largestPassing:N0} viewers");
        return section;
    }

    private static string MiB(long bytes) => $"{bytes / 1024.0 / 1024:0} MiB";
}
