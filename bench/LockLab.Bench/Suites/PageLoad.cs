using LockLab.Bench.Report;

namespace LockLab.Bench.Suites;

public static class PageLoad
{
    public static Task<BenchSection> RunAsync(BenchContext context) => throw new NotImplementedException("page: not written yet");
}
