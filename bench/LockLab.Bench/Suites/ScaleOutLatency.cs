using LockLab.Bench.Harness;
using LockLab.Bench.Report;
using LockLab.Contracts;
using LockLab.TestServices;

namespace LockLab.Bench.Suites;

/// <summary>
/// What crossing Redis costs a classroom: the live latency of the lesson's runs (worker's write → viewer, as
/// <see cref="LiveLatency"/> measures it) for viewers of one lab on its own, against viewers of a second lab of a
/// scaled-out deployment while the first lab carries out the runs, so that every event reaches them through Redis.
/// </summary>
public static class ScaleOutLatency
{
    private const string Room = "main";

    public static async Task<BenchSection> RunAsync(BenchContext context)
    {
        var section = new BenchSection("scale-out", "Scale-out: what crossing Redis adds to live latency");
        int[] sizes = context.Quick ? [1, 50] : [1, 1000];
        var rounds = context.Repeats(10);
        string[] round = [Scenarios.NoLock, Scenarios.Lock];
        // First, so that a machine without redis-server fails at once, saying what to install, not after the baseline.
        await using var redis = await RedisServer.StartAsync();

        List<SizeReport> alone, acrossRedis;
        string clients;
        int redisTimeouts;
        await using (var lab = await context.StartServerAsync())
        {
            using var http = lab.CreateClient();
            await using var swarm = new ViewerSwarm();
            clients = swarm.ClientDescription;
            alone = await swarm.MeasureAtSizesAsync(lab.Address, http, Room, sizes, rounds, round);
        }
        await using (var labs = await ScaledOutLabs.StartAsync(context, redis))
        {
            using var http = labs.A.CreateClient();
            await using var swarm = new ViewerSwarm();
            try
            {
                acrossRedis = await swarm.MeasureAtSizesAsync(labs.B.Address, http, Room, sizes, rounds, round);
            }
            catch (Exception ex) when ((ex is InvalidOperationException or TimeoutException) && labs.RedisTimeouts.Count > 0)
            {
                // The viewers only see "an unexpected error"; the cause is in the labs' logs.
                throw new InvalidOperationException($"The labs logged {labs.RedisTimeouts.Count} Redis timeouts with " +
                    $"{ViewerAgent.JoinsAtOnce} viewers joining at once per process; " +
                    $"the first: {labs.RedisTimeouts[0]}", ex);
            }
            redisTimeouts = labs.RedisTimeouts.Count;
        }

        section.Paragraph($"""
            The question a school asks before it scales out: how much later does each event reach a classroom when it
            crosses Redis? **One lab**: one server (embedded: rooms and runs in memory, no Redis); the runs start on it
            and the viewers watch it. **Two labs + Redis**: two servers of one deployment sharing a real `redis-server`
            on this machine (`LockLab:Redis`: rooms' messages, rooms, shared runs); the runs start on lab A, which
            carries them out, and the viewers are connected to lab B, so every event goes A → Redis → B → viewer. All on
            one machine, over loopback. Per row, one unmeasured round, then {rounds} round{(rounds == 1 ? "" : "s")} of
            the lesson's two experiments (p50, p95 and p99 per round; the table quotes their median and min–max over the
            rounds; max is the largest of all). Viewers are real SignalR WebSocket connections in separate processes
            ({ViewerSwarm.ViewersPerProcess:N0} per process): {clients}. Latency as in the live latency section: each
            viewer notes the wall-clock instant it receives each event (every event the workers report: lock waits,
            reads, writes, prints) against the run's start-gate instant plus the event's own time after the gate, which
            the worker took from the monotonic clock as it wrote. Lost = events a viewer never received; every viewer
            must receive every event, once, in order.
            """);
        section.Table(["setup", ">viewers", ">events received", ">lost", ">out of order", ">p50", ">p95", ">p99", ">max"],
            new (string Setup, List<SizeReport> Sizes)[] { ("one lab", alone), ("two labs + Redis", acrossRedis) }
                .SelectMany(s => s.Sizes.Select(r => (IReadOnlyList<string>)
            [
                s.Setup, r.Viewers.ToString("N0"), r.Rounds.Sum(x => x.LatenciesMs.Count).ToString("N0"),
                r.Rounds.Sum(x => x.Lost).ToString("N0"), r.Rounds.Sum(x => x.Reordered).ToString("N0"),
                Stats.Spread(r.Rounds.Select(x => x.P50).ToList(), "0.0", " ms"),
                Stats.Spread(r.Rounds.Select(x => x.P95).ToList(), "0.0", " ms"),
                Stats.Spread(r.Rounds.Select(x => x.P99).ToList(), "0.0", " ms"), Stats.Format(r.Rounds.Max(x => x.Max), "0.0", " ms"),
            ])));

        var differences = sizes.Select(size =>
            $"with {size:N0} viewer{(size == 1 ? "" : "s")}, p50 {Difference(alone, acrossRedis, size, x => x.P50)} " +
            $"and p99 {Difference(alone, acrossRedis, size, x => x.P99)}");
        section.Paragraph($"""
            Across Redis ({string.Join("; ", differences)}; medians of rounds). The setups run one after the other, the
            one lab alone first (with only an idle `redis-server` beside it). Across Redis the difference is more than
            the hop through Redis: lab A carries out the runs while lab B sends to the viewers, so the sending is off the lab
            whose workers run, which can make up for the extra hop with many viewers. Viewers join as in the other
            sections, {ViewerAgent.JoinsAtOnce} at once per viewer process. {(redisTimeouts == 0
                ? "Neither lab logged a Redis timeout during these measurements."
                : $"The labs logged {redisTimeouts:N0} Redis timeouts (`Timeout performing …`) during these " +
                    $"measurements: the figures include a congested lab.")}
            """);

        var lost = alone.Concat(acrossRedis).Sum(r => r.Rounds.Sum(x => x.Lost));
        var reordered = alone.Concat(acrossRedis).Sum(r => r.Rounds.Sum(x => x.Reordered));
        section.Target("events lost or out of order, one lab and across Redis (all rows)", "0", $"{lost} lost, {reordered} out of order",
            lost == 0 && reordered == 0, lost + reordered == 0 ? null : $"{lost + reordered} events");
        return section;
    }

    /// <summary>"7.2 ms later" (or sooner) across Redis than on one lab, with that many viewers (medians of the rounds).</summary>
    private static string Difference(List<SizeReport> alone, List<SizeReport> acrossRedis, int viewers, Func<SwarmReport, double> figure)
    {
        double Median(List<SizeReport> setup) => Stats.Median(setup.First(r => r.Viewers == viewers).Rounds.Select(figure));
        var difference = Median(acrossRedis) - Median(alone);
        return Stats.Format(Math.Abs(difference), "0.0", " ms") + (difference >= 0 ? " later" : " sooner");
    }
}
