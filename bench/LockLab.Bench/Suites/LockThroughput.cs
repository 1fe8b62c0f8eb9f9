using LockLab.Bench.Report;

namespace LockLab.Bench.Suites;

public static class LockThroughput
{
    public static Task<BenchSection> RunAsync(BenchContext context) => throw new NotImplementedException("lock: not written yet");
}
