using LockLab.Bench.Report;

namespace LockLab.Bench.Suites;

public static class SeedRunOverhead
{
    public static Task<BenchSection> RunAsync(BenchContext context) => throw new NotImplementedException("seed: not written yet");
}
