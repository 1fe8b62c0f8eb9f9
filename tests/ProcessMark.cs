using System.Runtime.CompilerServices;

namespace LockLab.TestServices;

/// <remarks>One file, compiled into each test assembly (linked from its project): a module initializer runs when its own
/// assembly loads, which for the test assemblies is before any test.</remarks>
internal static class ProcessMark
{
    /// <summary>
    /// Before any test runs: every process the tests start carries the clone's mark, by which the run's end finds
    /// anything they left running (see <see cref="TestRun.ProcessMarkVariable"/>).
    /// </summary>
    [ModuleInitializer]
    internal static void Apply() => TestRun.MarkProcessesStartedFromHere();
}
