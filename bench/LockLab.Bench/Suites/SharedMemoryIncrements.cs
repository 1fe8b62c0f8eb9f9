using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using LockLab.SharedMemory;

namespace LockLab.Bench.Suites;

/// <summary>
/// The ceilings a locked stress run is held against, in one process with no one to contend with, on a real run
/// segment in <c>/dev/shm</c>: an atomic increment of a shared word (the segment's event ticket), and the stress
/// loop's own step (take the lock, <c>v += 1</c>, release it) with the worker's own lock and counter.
/// Measured with BenchmarkDotNet in this process (no separate benchmark project is built).
/// </summary>
public class SharedMemoryIncrements
{
    /// <summary>Increments per benchmark call, so that the call itself does not count.</summary>
    public const int Increments = 1000;

    private string _path = "";
    private SharedSegment _segment = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Named like a run's segment (locklab-{pid}-…): if this program dies, the lab's orphan sweep removes it.
        _path = Path.Combine(SharedSegment.DefaultDirectory, $"locklab-{Environment.ProcessId}-bench-{Guid.NewGuid():N}.shm");
        _segment = SharedSegment.Create(_path);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _segment.Dispose();
        File.Delete(_path);
    }

    [Benchmark(OperationsPerInvoke = Increments)]
    public long AtomicIncrement()
    {
        long last = 0;
        for (var i = 0; i < Increments; i++) last = _segment.NextTicket();
        return last;
    }

    [Benchmark(OperationsPerInvoke = Increments)]
    public long LockedIncrement()
    {
        var l = _segment.Lock;
        for (var i = 0; i < Increments; i++)
        {
            l.Acquire(0);
            _segment.Counter += 1;
            l.Release();
        }
        return _segment.Counter;
    }

    /// <summary>Runs both benchmarks and returns increments per second (from the mean time per increment).</summary>
    /// <param name="quick">A few short iterations: exercises the whole path in about a second; the figures mean little.</param>
    public static (double Atomic, double Locked) Measure(bool quick)
    {
        var artifacts = Directory.CreateTempSubdirectory("locklab-bench-bdn-").FullName;
        try
        {
            var job = (quick
                    ? Job.Dry.WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(64).WithUnrollFactor(1)
                    : Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(15))
                .WithToolchain(InProcessEmitToolchain.DontLogOutput)
                .WithId(quick ? "quick" : "full");
            var config = ManualConfig.CreateEmpty()
                .AddJob(job)
                .AddLogger(NullLogger.Instance)
                .WithArtifactsPath(artifacts)
                // Quick mode may run from a Debug build (the test suite's); its figures are not quoted anyway.
                .WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.DisableLogFile);
            var summary = BenchmarkRunner.Run<SharedMemoryIncrements>(config);
            double PerSecond(string method)
            {
                var report = summary.Reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method);
                var nanoseconds = report?.ResultStatistics?.Mean
                    ?? throw new InvalidOperationException($"BenchmarkDotNet produced no result for {method}: " +
                        $"{string.Join("; ", summary.ValidationErrors.Select(e => e.Message))}");
                return 1e9 / nanoseconds;
            }
            return (PerSecond(nameof(AtomicIncrement)), PerSecond(nameof(LockedIncrement)));
        }
        finally
        {
            try { Directory.Delete(artifacts, recursive: true); } catch (IOException) { }
        }
    }
}
