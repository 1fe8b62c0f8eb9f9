using LockLab.Bench.Report;

namespace LockLab.Bench.Suites;

public static class FanOut
{
    public static Task<BenchSection> RunAsync(BenchContext context) => throw new NotImplementedException("fan-out: not written yet");
}
