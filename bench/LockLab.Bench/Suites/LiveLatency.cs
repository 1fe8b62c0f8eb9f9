using LockLab.Bench.Report;

namespace LockLab.Bench.Suites;

public static class LiveLatency
{
    public static Task<BenchSection> RunAsync(BenchContext context) => throw new NotImplementedException("latency: not written yet");
}
