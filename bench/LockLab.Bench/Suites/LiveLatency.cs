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
        // Per row, several rounds of both experiments; p50 and p99 are taken per round, and the table quotes their
        // median (min–max) over the rounds.
        var rounds = context.Repeats(5);
        string[] round = [Scenarios.NoLock, Scenarios.Lock];
        List<SizeReport> results;
        string clients;

        await using (var server = await context.StartServerAsync())
        {
            using var http = server.CreateClient();
            await using var swarm = new ViewerSwarm();
            clients = swarm.ClientDescription;
            results = await swarm.MeasureAtSizesAsync(server.Address, http, "main", levels, rounds, round);
        }

        section.Paragraph($"""
            The lesson's two experiments, {rounds} rounds of both per row (p50 and p99 per round; the table quotes their
            median and min–max over the rounds), watched by that many real SignalR WebSocket
            connections in separate processes on loopback ({ViewerSwarm.ViewersPerProcess:N0} per process): {clients};
            all joined to the room the runs go to, after one unmeasured round (server and viewer processes compile their code on first use). Each viewer notes the wall-clock instant it receives each event;
            latency = that instant − (the run's start-gate instant + the event's own time after the gate, which the worker
            took from the monotonic clock when it wrote). Every viewer must receive every event, once, in sequence order.
            """);
        section.Table(["viewers", ">events received", ">p50", ">p99", ">max", ">lost", ">out of order"],
            results.Select(r => (IReadOnlyList<string>)[r.Viewers.ToString("N0"), r.Rounds.Sum(x => x.LatenciesMs.Count).ToString("N0"),
                Stats.Spread(r.Rounds.Select(x => x.P50).ToList(), "0.0", " ms"),
                Stats.Spread(r.Rounds.Select(x => x.P99).ToList(), "0.0", " ms"),
                Stats.Format(r.Rounds.Max(x => x.Max), "0.0", " ms"), r.Rounds.Sum(x => x.Lost).ToString("N0"),
                r.Rounds.Sum(x => x.Reordered).ToString("N0")]));

        foreach (var (viewers, limit) in new[] { (levels[0], 20.0), (levels[^1], 100.0) })
        {
            var p99 = Stats.Median(results.First(r => r.Viewers == viewers).Rounds.Select(x => x.P99));
            section.Target(
                $"p99 with {viewers:N0} viewer{(viewers == 1 ? "" : "s")} (median of rounds)",
                $"≤ {limit:0} ms",
                Stats.Format(p99, "0.0", " ms"),
                p99 <= limit,
                p99 <= limit ? null : Stats.Format(p99 - limit, "0.0", " ms"));
        }
        var lost = results.Sum(r => r.Rounds.Sum(x => x.Lost));
        var reordered = results.Sum(r => r.Rounds.Sum(x => x.Reordered));
        section.Target("events lost or out of order (all rows)", "0", $"{lost} lost, {reordered} out of order", lost == 0 && reordered == 0,
            lost + reordered == 0 ? null : $"{lost + reordered} events");
        return section;
    }
}
