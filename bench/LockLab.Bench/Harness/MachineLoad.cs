namespace LockLab.Bench.Harness;

/// <summary>
/// How busy the machine was with programs other than this benchmark. On two cores a compiler or a test run beside the
/// benchmark doubles every time in it (a page-load sitting at a load average of 4–6 measured every step, from the HTML
/// to the first render, 2–2.5× slower than a quiet one), so a figure is only worth publishing with this beside it.
/// Before each section the benchmark waits for the machine to be quiet; during it, it measures what others used:
/// all the machine's busy CPU time (<c>/proc/stat</c>) less this process tree's: this process, its descendants that are
/// still running (a server or a browser a section keeps across loads) and those that ended (their times are in their
/// parents' children's times).
/// Linux only; elsewhere nothing is waited for or reported.
/// </summary>
public static partial class MachineLoad
{
    /// <summary>
    /// Makes this process the one that adopts its descendants' orphans (<c>PR_SET_CHILD_SUBREAPER</c>), so that they stay
    /// in its tree: the README command's build leaves MSBuild nodes running whose parent has exited, and without this
    /// they would be counted as other programs (and their compiling as a busy machine).
    /// </summary>
    public static void AdoptOrphans()
    {
        if (OperatingSystem.IsLinux()) _ = prctl(PrSetChildSubreaper, 1, 0, 0, 0);
    }

    private const int PrSetChildSubreaper = 36;

    [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>Others' share of all cores under which the machine counts as quiet.</summary>
    private const double QuietShare = 0.10;

    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux this runs on

    /// <summary>A reading of the CPU time spent: by the whole machine, and by this process tree.</summary>
    public readonly record struct Reading(double MachineBusySeconds, double OwnSeconds, DateTime At);

    public static Reading? Read()
    {
        if (!File.Exists("/proc/stat")) return null;
        // cpu  user nice system idle iowait irq softirq steal …: busy is everything but idle and iowait.
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1).Select(double.Parse).ToArray();
        var busy = cpu.Sum() - cpu[3] - cpu[4];
        return new Reading(busy / TicksPerSecond, OwnTreeTicks() / TicksPerSecond, DateTime.UtcNow);
    }

    /// <summary>
    /// CPU ticks of this process and every live descendant, each with its ended children's (fields 14–17 of
    /// <c>/proc/PID/stat</c>: utime, stime, cutime, cstime). A descendant that ends between two readings moves its time
    /// into its parent's children's times, so it is neither lost nor counted twice.
    /// </summary>
    private static double OwnTreeTicks()
    {
        var processes = new Dictionary<int, (int Parent, double Ticks)>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(folder, "stat")); }
            catch (IOException) { continue; } // ended meanwhile
            catch (UnauthorizedAccessException) { continue; }
            // After the parenthesized name: state, ppid, … (field 4 is the parent; 14–17 the times).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            processes[pid] = (int.Parse(fields[1]), Enumerable.Range(11, 4).Sum(i => double.Parse(fields[i])));
        }
        var self = Environment.ProcessId;
        var total = 0.0;
        foreach (var (pid, (_, ticks)) in processes)
        {
            for (var p = pid; p > 1 && processes.TryGetValue(p, out var entry); p = entry.Parent)
            {
                if (p != self) continue;
                total += ticks;
                break;
            }
        }
        return total;
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
                      + (d >= QuietShare || s >= QuietShare
                          ? " — **a busy machine: these figures are not comparable with a quiet sitting's**"
                          : ""),
    };
}
