namespace LockLab.Bench.Harness;

/// <summary>
/// How busy the machine was with programs other than this benchmark. On two cores a compiler or a test run beside the
/// benchmark doubles every time in it (a page-load sitting at a load average of 4–6 measured every step, from the HTML
/// to the first render, 2–2.5× slower than a quiet one), so a figure is only worth publishing with this beside it.
/// Before each section the benchmark waits for the machine to be quiet; during it, it measures what others used:
/// all the machine's busy CPU time (<c>/proc/stat</c>) less this process's and its children's (<c>/proc/self/stat</c>,
/// whose children's times include the servers, workers and browsers a section started and has ended by the time it returns).
/// Linux only; elsewhere nothing is waited for or reported.
/// </summary>
public static class MachineLoad
{
    /// <summary>Others' share of all cores under which the machine counts as quiet.</summary>
    private const double QuietShare = 0.10;

    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux this runs on

    /// <summary>A reading of the CPU time spent: by the whole machine, and by this process with its ended children.</summary>
    public readonly record struct Reading(double MachineBusySeconds, double OwnSeconds, DateTime At);

    public static Reading? Read()
    {
        if (!File.Exists("/proc/stat")) return null;
        // cpu  user nice system idle iowait irq softirq steal …: busy is everything but idle and iowait.
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(double.Parse).ToArray();
        var busy = cpu.Sum() - cpu[3] - cpu[4];
        // /proc/self/stat: fields 14–17 are utime, stime, cutime, cstime (after the parenthesized name).
        var self = File.ReadAllText("/proc/self/stat");
        var fields = self[(self.LastIndexOf(')') + 2)..].Split(' ');
        var own = Enumerable.Range(11, 4).Sum(i => double.Parse(fields[i]));
        return new Reading(busy / TicksPerSecond, own / TicksPerSecond, DateTime.UtcNow);
    }

    /// <summary>Others' share of all the machine's cores between two readings (0–1).</summary>
    public static double OthersShare(Reading from, Reading to)
    {
        var wall = (to.At - from.At).TotalSeconds * Environment.ProcessorCount;
        if (wall <= 0) return 0;
        var others = (to.MachineBusySeconds - from.MachineBusySeconds) - (to.OwnSeconds - from.OwnSeconds);
        return Math.Clamp(others / wall, 0, 1);
    }

    /// <summary>
    /// Waits until other programs use less than a tenth of the cores over two seconds, for at most <paramref name="patience"/>.
    /// Returns their share in the last window: above the threshold when the machine stayed busy.
    /// </summary>
    public static async Task<double?> WaitForQuietAsync(TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        var said = false;
        while (true)
        {
            if (Read() is not { } before) return null;
            await Task.Delay(TimeSpan.FromSeconds(2));
            var share = OthersShare(before, Read()!.Value);
            if (share < QuietShare || DateTime.UtcNow >= deadline) return share;
            if (!said) Console.Error.WriteLine($"Waiting for the machine to be quiet (other programs use {share:P0} of its cores) …");
            said = true;
        }
    }

    /// <summary>What a section's heading says about the machine's load: the quiet wait and others' share during it.</summary>
    public static string Describe(double? atStart, double? during) => (atStart, during) switch
    {
        (null, _) or (_, null) => "",
        var (s, d) => $"; other programs used {d:P0} of the cores during the measurement ({s:P0} as it began)"
                      + (d >= QuietShare || s >= QuietShare ? " — **a busy machine: these figures are not comparable with a quiet sitting's**" : ""),
    };
}
