namespace LockLab.TestServices;

/// <summary>
/// What the test processes of one run of the suite share: the clone they run from, the file that collects skips for
/// the run's closing line, and the mark on every process they start. The run's start and end are in
/// <c>after.LockLab.sln.targets</c>, which reads both.
/// </summary>
public static class TestRun
{
    /// <summary>
    /// Every process the tests start (servers, workers, browsers, PostgreSQL, …) inherits this variable, naming the
    /// clone: <c>tests/check-leftovers.sh</c> finds what the tests left running by it, and leaves alone a lab the user
    /// runs beside them, or another clone's test run.
    /// </summary>
    public const string ProcessMarkVariable = "LOCKLAB_TESTS_REPOSITORY";

    /// <summary>The folder holding LockLab.sln, found above the running test assembly; null when run from elsewhere.</summary>
    public static string? RepositoryRoot { get; } = FindRoot();

    /// <summary>One line per test skipped for a missing program (read and deleted by the solution's test target).</summary>
    public static string? SkipRecordFile =>
        RepositoryRoot is null ? null : Path.Combine(RepositoryRoot, "TestResults", "skipped-prerequisites.txt");

    /// <summary>Marks this process's environment, and so every process it starts from now on (call it first thing).</summary>
    public static void MarkProcessesStartedFromHere() =>
        Environment.SetEnvironmentVariable(ProcessMarkVariable, RepositoryRoot ?? AppContext.BaseDirectory);

    private static string? FindRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "LockLab.sln"))) folder = folder.Parent;
        return folder?.FullName;
    }
}
