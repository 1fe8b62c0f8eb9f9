using Xunit;

namespace LockLab.TestServices;

/// <summary>A program from a Debian package that some tests start for themselves (a browser, a server).</summary>
/// <param name="Name">The program as a person knows it: <c>redis-server</c>.</param>
/// <param name="Package">What to give <c>apt-get install</c> to have it: <c>redis-server</c>.</param>
/// <param name="Locate">Where it is on this machine (the program, or the folder of its programs), or null when it is not installed.</param>
public sealed record Prerequisite(string Name, string Package, Func<string?> Locate)
{
    public bool IsInstalled => Locate() is not null;

    public string InstallCommand => $"apt-get install {Package}";

    /// <summary>Where the program is; throws, saying what to install, when it is not there.</summary>
    public string Path => Locate() ?? throw new InvalidOperationException($"{Name} is not installed: {InstallCommand} (.ci/run does).");

    public override string ToString() => $"{Name} ({InstallCommand})";
}

/// <summary>
/// The programs that tests need beyond the .NET SDK, and the one rule for a test that needs one the machine lacks: it
/// is skipped, saying what to install — or, with <see cref="StrictVariable"/> set (as CI sets it), it fails, so that a
/// run cannot pass by skipping. A test calls <see cref="Require"/> as its first line and is marked
/// <c>[SkippableFact]</c> or <c>[SkippableTheory]</c>; a fixture that starts such a program checks
/// <see cref="Prerequisite.IsInstalled"/> first and starts nothing when it is missing.
/// </summary>
public static class Prerequisites
{
    /// <summary>Set to <c>1</c> or <c>true</c>: a missing program fails the test that needs it instead of skipping it.</summary>
    public const string StrictVariable = "LOCKLAB_TESTS_REQUIRE_ALL";

    private const string PostgresPackageRoot = "/usr/lib/postgresql";

    /// <summary>Debian's Chromium, which Playwright drives: it cannot download a browser of its own on these machines.</summary>
    public static Prerequisite Chromium { get; } = new("chromium", "chromium fonts-noto-cjk", () => FirstExisting("/usr/bin/chromium"));

    public static Prerequisite Redis { get; } =
        new("redis-server", "redis-server", () => FirstExisting("/usr/bin/redis-server", "/usr/local/bin/redis-server"));

    /// <summary>The newest installed PostgreSQL server's programs: the folder holding its <c>initdb</c> and <c>postgres</c>.</summary>
    public static Prerequisite PostgreSql { get; } = new("PostgreSQL", "postgresql", NewestPostgresPrograms);

    /// <summary>Python 3, which the benchmark compares the lab with (the lesson's own language).</summary>
    public static Prerequisite Python { get; } = new("python3", "python3", () => OnPath("python3"));

    public static Prerequisite Nginx { get; } = new("nginx", "nginx-light", () => FirstExisting("/usr/sbin/nginx", "/usr/bin/nginx"));

    /// <summary>
    /// Returns when every program in <paramref name="needed"/> is installed. Otherwise the calling test is skipped (the
    /// reason names each missing program and its package, and the skip is recorded for the run's closing line), or, in
    /// strict mode, fails.
    /// </summary>
    public static void Require(params Prerequisite[] needed)
    {
        var missing = Missing(needed);
        if (Verdict(missing, IsStrict(Environment.GetEnvironmentVariable(StrictVariable))) is not { } verdict) return;
        if (verdict is SkipException) SkipRecord.Add(missing);
        throw verdict;
    }

    internal static Prerequisite[] Missing(IEnumerable<Prerequisite> needed) => needed.Where(p => !p.IsInstalled).ToArray();

    /// <summary>What <see cref="Require"/> throws for these missing programs: nothing when none is missing.</summary>
    internal static Exception? Verdict(IReadOnlyCollection<Prerequisite> missing, bool strict)
    {
        if (missing.Count == 0) return null;
        var needs = string.Join("; ", missing.Select(p => $"needs {p.Name}: {p.InstallCommand}"));
        return strict
            ? new MissingProgramException($"{needs}. {StrictVariable} is set, so a missing program fails the test instead of skipping it.")
            : new SkipException(needs);
    }

    /// <summary>Whether the value of <see cref="StrictVariable"/> asks for strict mode.</summary>
    internal static bool IsStrict(string? value) =>
        value is not null && (value.Trim() == "1" || value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));

    private static string? FirstExisting(params string[] paths) => paths.FirstOrDefault(File.Exists);

    private static string? OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    private static string? NewestPostgresPrograms() =>
        Directory.Exists(PostgresPackageRoot)
            ? Directory.GetDirectories(PostgresPackageRoot)
                .Select(dir => (Dir: dir, Version: int.TryParse(System.IO.Path.GetFileName(dir), out var v) ? v : -1))
                .Where(x => File.Exists(System.IO.Path.Combine(x.Dir, "bin", "initdb"))
                    && File.Exists(System.IO.Path.Combine(x.Dir, "bin", "postgres")))
                .OrderByDescending(x => x.Version)
                .Select(x => System.IO.Path.Combine(x.Dir, "bin"))
                .FirstOrDefault()
            : null;
}

/// <summary>A test needs a program that is not installed, and <see cref="Prerequisites.StrictVariable"/> says that must fail it.</summary>
public sealed class MissingProgramException(string message) : Exception(message);
