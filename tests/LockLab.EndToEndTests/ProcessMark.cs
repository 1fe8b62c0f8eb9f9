using System.Runtime.CompilerServices;
using LockLab.TestServices;

namespace LockLab.EndToEndTests;

internal static class ProcessMark
{
    /// <summary>
    /// Before any test runs: every process the tests start carries the clone's mark, by which the run's end finds
    /// anything they left running (see <see cref="TestRun.ProcessMarkVariable"/>).
    /// </summary>
    [ModuleInitializer]
    internal static void Apply() => TestRun.MarkProcessesStartedFromHere();
}
