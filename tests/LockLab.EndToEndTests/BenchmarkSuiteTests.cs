using System.Diagnostics;
using System.Text.RegularExpressions;
using LockLab.TestServices;

namespace LockLab.EndToEndTests;

/// <summary>
/// The benchmark suite in its quick mode, exactly as a person runs it (its own process, its own servers, viewers and
/// browser), so that it cannot rot: every suite must run and report figures, Python's among them. The figures
/// themselves are not judged here — benchmarks do not fail a build on a slow machine.
/// </summary>
public sealed class BenchmarkSuiteTests
{
    private static readonly string[] Suites = ["seed", "repeat", "latency", "fan-out", "lock", "page", "stress", "summary", "history", "exports", "scale-out"];

    [SkippableFact]
    public async Task Quick_mode_runs_every_suite_and_writes_a_report_with_figures_and_targets()
    {
        // The quick mode's page, stress and scale-out suites, and the lesson's Python script beside the lab.
        Prerequisites.Require(Prerequisites.Chromium, Prerequisites.Redis, Prerequisites.Python);
        var folder = Directory.CreateTempSubdirectory("locklab-bench-test-").FullName;
        try
        {
            var report = Path.Combine(folder, "benchmarks.md");
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false
            };
            foreach (var arg in new[] { BenchDll(), "--quick", "--output", report }) info.ArgumentList.Add(arg);
            using var bench = Process.Start(info)!;
            var stdout = bench.StandardOutput.ReadToEndAsync();
            var stderr = bench.StandardError.ReadToEndAsync();
            try
            {
                await bench.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(8));
            }
            finally
            {
                if (!bench.HasExited) bench.Kill(entireProcessTree: true);
            }

            Assert.True(bench.ExitCode == 0, $"The benchmark suite failed ({bench.ExitCode}):\n{await stderr}\n{await stdout}");
            var text = await File.ReadAllTextAsync(report);
            foreach (var suite in Suites)
            {
                var section = Regex.Match(text, $"<!-- bench:{suite} -->(.*?)<!-- /bench:{suite} -->", RegexOptions.Singleline);
                Assert.True(section.Success, $"No '{suite}' section in the report:\n{text}");
                // A table with at least one row of figures.
                Assert.Matches(@"\n\|[^\n]*\d[^\n]*\|\n", section.Groups[1].Value);
            }
            Assert.Contains("## Targets at a glance", text);
            // A comparison with Python that has no Python figure is no comparison.
            Assert.DoesNotContain("no python3", text);
            Assert.Contains("Python from interpreter start", text);
            foreach (var target in new[]
            {
                "wall ÷ ideal", "first print", "distance between the lab's `python` mode and Python's outputs", "p99 with 1 viewer",
                "viewers receiving every event", "lesson text visible", "across Redis", "erased by one stale write"
            })
            {
                Assert.Contains(target, text);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string BenchDll()
    {
        var dll = Path.Combine(Repository.Root, "bench", "LockLab.Bench", "bin",
            Repository.Configuration, Repository.TargetFramework, "LockLab.Bench.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the solution first: the benchmark suite is missing.", dll);
    }
}
