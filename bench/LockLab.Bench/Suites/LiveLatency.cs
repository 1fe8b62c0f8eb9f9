using LockLab.Bench.Harness;
using LockLab.Bench.Report;
using LockLab.Contracts;

namespace LockLab.Bench.Suites;

/// <summary>
/// How late each event reaches the people watching: from the worker's write (its own monotonic clock, carried in the
/// event as milliseconds after the start gate) to the moment a viewer process receives it, with 1, 100 and 1,000
/// viewers connected to the room at once.
/// </summary>
public static class LiveLatency
{
    public static async Task<BenchSection> RunAsync(BenchContext context)
    {
        var section = new BenchSection("latency", "Live latency: from a worker's write to each viewer");
        int[] levels = context.Quick ? [1, 3, 10] : [1, 100, 1000];
        var runsPerLevel = context.Quick ? 1 : 6;
        var scenarios = Enumerable.Range(0, runsPerLevel).Select(i => i % 2 == 0 ? Scenarios.NoLock : Scenarios.Lock).ToList();
        var results = new List<(int Viewers, SwarmReport Report)>();
        var clients = "";

        await using (var server = await context.StartServerAsync())
        {
            using var http = server.CreateClient();
            const string room = "main";
            await using var swarm = await ViewerSwarm.StartAsync(server.Address, room, levels[0]);
            clients = swarm.ClientDescription;
            await swarm.MeasureAsync(http, room, [Scenarios.NoLock, Scenarios.Lock]); // warm-up (JIT, pool), not counted
            foreach (var level in levels)
            {
                if (swarm.Viewers < level) await swarm.AddAsync(server.Address, room, level - swarm.Viewers);
                results.Add((level, await swarm.MeasureAsync(http, room, scenarios)));
            }
        }

        section.Paragraph($"""
            The lesson's two experiments alternately, {runsPerLevel} runs per row, watched by that many real SignalR WebSocket
            connections in separate processes on loopback ({ViewerSwarm.ViewersPerProcess:N0} per process): {clients};
            all joined to the room the runs go to, after one unmeasured warm-up run of each experiment. Each viewer notes the wall-clock instant it receives each event;
            latency = that instant − (the run's start-gate instant + the event's own time after the gate, which the worker
            took from the monotonic clock when it wrote). Every viewer must receive every event, once, in sequence order.
            """);
        section.Table(["viewers", ">events received", ">p50", ">p99", ">max", ">lost", ">out of order"],
            results.Select(r => (IReadOnlyList<string>)[r.Viewers.ToString("N0"), r.Report.LatenciesMs.Count.ToString("N0"),
                Stats.Format(r.Report.P50, "0.0", " ms"), Stats.Format(r.Report.P99, "0.0", " ms"), Stats.Format(r.Report.Max, "0.0", " ms"),
                r.Report.Lost.ToString("N0"), r.Report.Reordered.ToString("N0")]));

        foreach (var (viewers, limit) in new[] { (levels[0], 20.0), (levels[^1], 100.0) })
        {
            var report = results.First(r => r.Viewers == viewers).Report;
            section.Target($"p99 with {viewers:N0} viewer{(viewers == 1 ? "" : "s")}", $"≤ {limit:0} ms", Stats.Format(report.P99, "0.0", " ms"),
                report.P99 <= limit, report.P99 <= limit ? null : Stats.Format(report.P99 - limit, "0.0", " ms"));
        }
        var lost = results.Sum(r => r.Report.Lost);
        var reordered = results.Sum(r => r.Report.Reordered);
        section.Target("events lost or out of order (all rows)", "0", $"{lost} lost, {reordered} out of order", lost == 0 && reordered == 0,
            lost + reordered == 0 ? null : $"{lost + reordered} events");
        return section;
    }
}
