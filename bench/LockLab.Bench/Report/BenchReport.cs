using System.Text;
using System.Text.RegularExpressions;

namespace LockLab.Bench.Report;

/// <summary>
/// Writes docs/benchmarks.md. Each suite owns the text between its markers; a run of some suites replaces only
/// theirs and keeps the others, so every figure in the document stays next to the command and date that produced it.
/// The summary of targets at the top is rebuilt from the sections' target tables.
/// </summary>
public static partial class BenchReport
{
    public const string Command = "dotnet run -c Release --project bench/LockLab.Bench";

    public static void Print(BenchSection section)
    {
        Console.WriteLine();
        Console.WriteLine($"## {section.Title}");
        Console.WriteLine();
        Console.Write(section.Text);
        if (section.Targets.Count > 0) Console.Write(TargetTable(section.Targets));
    }

    public static void Write(string path, IReadOnlyList<BenchSection> sections, IReadOnlyList<string> order)
    {
        var existing = File.Exists(path) ? File.ReadAllText(path) : "";
        var bodies = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in SectionPattern().Matches(existing)) bodies[m.Groups["name"].Value] = m.Value;
        var stamp = $"{DateTime.UtcNow:yyyy-MM-dd} at commit {MachineInfo.Commit()} on {MachineInfo.Describe()}";
        foreach (var section in sections) bodies[section.Name] = Render(section, stamp);

        var doc = new StringBuilder();
        doc.AppendLine("# Benchmarks").AppendLine();
        doc.AppendLine($"Every figure below comes from one command, run on the machine named in its section:").AppendLine();
        doc.AppendLine("```bash").AppendLine(Command).AppendLine("```").AppendLine();
        doc.AppendLine($"It builds and publishes the lab in Release, starts it as a user would, measures, prints " +
            $"each table and rewrites this file. `{Command} -- <name>` reruns one section (names: " +
            $"{string.Join(", ", order.Select(n => $"`{n}`"))}); `-- --quick` runs everything in seconds without " +
            $"writing this file (the test suite does that, so the benchmarks cannot rot). Medians with min–max " +
            $"over repeated runs.").AppendLine();
        doc.AppendLine("For looking into a figure rather than publishing one (a section measured with a " +
            "`LOCKLAB_BENCH_` setting names it in its heading): `LOCKLAB_BENCH_SERVER_FOLDER` measures another build " +
            "of the server (another commit's, or one published with other properties), `LOCKLAB_BENCH_SERVER_ENV` " +
            "gives the server runtime settings (`NAME=value;…`), `LOCKLAB_BENCH_FANOUT_STEPS` and " +
            "`LOCKLAB_BENCH_FANOUT_ROUNDS` shorten the fan-out ladder, `LOCKLAB_BENCH_STRESS_RUNS` runs only that " +
            "many big runs; `PAGE_LOAD_TRACE=<folder>` and `STRESS_PAGE_TRACE=<folder>` keep Chromium performance " +
            "traces of the page (tracing slows it).").AppendLine();
        var all = order.Where(bodies.ContainsKey).Select(n => bodies[n]).ToList();
        var targets = all.SelectMany(ParseTargets).ToList();
        if (targets.Count > 0)
        {
            doc.AppendLine("## Targets at a glance").AppendLine();
            doc.Append(TargetTable(targets)).AppendLine();
        }
        foreach (var body in all) doc.AppendLine(body.TrimEnd()).AppendLine();
        File.WriteAllText(path, doc.ToString().TrimEnd() + "\n");
    }

    private static string Render(BenchSection section, string stamp)
    {
        var text = new StringBuilder();
        text.AppendLine($"<!-- bench:{section.Name} -->");
        text.AppendLine($"## {section.Title}").AppendLine();
        text.AppendLine($"`{Command} -- {section.Name}` · measured {stamp}{section.MachineLoad}").AppendLine();
        if (ExperimentSettings() is { } experiment)
            text.AppendLine($"**An experiment, not the lab as it ships:** measured with {experiment}.").AppendLine();
        text.Append(section.Text);
        if (section.Targets.Count > 0) text.AppendLine("Targets:").AppendLine().Append(TargetTable(section.Targets));
        text.AppendLine($"<!-- /bench:{section.Name} -->");
        return text.ToString();
    }

    /// <summary>The benchmark's experiment settings in force (<c>LOCKLAB_BENCH_*</c> variables), or null.</summary>
    public static string? ExperimentSettings()
    {
        var set = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("LOCKLAB_BENCH_", StringComparison.Ordinal)).Order()
            .Select(k => $"`{k}={Environment.GetEnvironmentVariable(k)}`").ToList();
        return set.Count == 0 ? null : string.Join(", ", set);
    }

    private static string TargetTable(IEnumerable<TargetCheck> targets)
    {
        var text = new StringBuilder();
        text.AppendLine("| figure | target | measured | |");
        text.AppendLine("|---|---|---|---|");
        foreach (var t in targets)
            text.AppendLine($"| {t.What} | {t.Target} | {t.Measured} | " +
                $"{(t.Met ? "met" : "**missed**" + (t.MissedBy is null ? "" : $" by {t.MissedBy}"))} |");
        text.AppendLine();
        return text.ToString();
    }

    /// <summary>Reads the target rows back out of a rendered section (so sections from earlier runs count too).</summary>
    private static IEnumerable<TargetCheck> ParseTargets(string body)
    {
        var start = body.IndexOf("Targets:", StringComparison.Ordinal);
        if (start < 0) yield break;
        foreach (var line in body[start..].Split('\n').Skip(4))
        {
            var cells = line.Split('|');
            if (cells.Length < 6) yield break;
            var verdict = cells[4].Trim();
            yield return new TargetCheck(cells[1].Trim(), cells[2].Trim(), cells[3].Trim(), verdict == "met",
                verdict.StartsWith("**missed** by ", StringComparison.Ordinal) ? verdict["**missed** by ".Length..] : null);
        }
    }

    [GeneratedRegex(@"<!-- bench:(?<name>[a-z-]+) -->.*?<!-- /bench:\k<name> -->", RegexOptions.Singleline)]
    private static partial Regex SectionPattern();
}
