using LockLab.Bench.Report;

namespace LockLab.Bench.Suites;

public static class StressStreaming
{
    public static Task<BenchSection> RunAsync(BenchContext context) => throw new NotImplementedException("stress: not written yet");
}
