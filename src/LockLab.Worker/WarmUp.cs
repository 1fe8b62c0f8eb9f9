using System.Text.Json;
using LockLab.Contracts;
using LockLab.Contracts.Experiments;
using LockLab.SharedMemory;

namespace LockLab.Worker;

/// <summary>
/// Runs, once and on throw-away data, the code a job needs (reading the job line, mapping a segment, the job loop), so that
/// a pre-started worker answers its job in about a millisecond instead of paying the JIT on the run's clock.
/// </summary>
internal static class WarmUp
{
    public static void JobAndSegment()
    {
        // Receiving the job: a line read and decoded, then the stdin thread told to watch on (ParentWatch).
        using (var lines = new StreamReader(new MemoryStream("{}\n"u8.ToArray()))) _ = lines.ReadLine();
        using (var handOver = new ManualResetEventSlim())
        {
            handOver.Set();
            handOver.Wait();
        }

        // Named like a run's segment (locklab-{pid}-…): should this worker die mid-way, the server's orphan sweep removes it.
        var path = Path.Combine(SharedSegment.DefaultDirectory, $"locklab-{Environment.ProcessId}-warmup.shm");
        try
        {
            var job = new WorkerJob(path, 0, 1, 1, 0, 0, LockScope.PerStep, StartMode.Simultaneous);
            job = JsonSerializer.Deserialize(JsonSerializer.Serialize(job, ContractsJsonContext.Default.WorkerJob),
                ContractsJsonContext.Default.WorkerJob)!;
            using (SharedSegment.Create(job.SegmentPath))
            using (var segment = SharedSegment.Open(job.SegmentPath))
            {
                segment.Lock.Acquire(0);
                segment.Lock.Release();
                _ = segment.NextTicket();
                JobRunner.Count(segment, 0, 1, 2, lockEachStep: true);
                JobRunner.Count(segment, 0, 1, 2, lockEachStep: false);
                // The lesson's job itself, on a 1 ms sleep, without and with the lock: a run's first step would otherwise
                // compile the job loop, its sleep and its reports on the run's clock, making the first print late.
                segment.ArmGate(simultaneous: false, processes: 1);
                segment.SignalReady(); // opens the gate, as the last worker of a run does
                segment.WaitUntilGateOpened(TimeSpan.Zero);
                var discard = new JsonLinesEventSink(Stream.Null);
                foreach (var scope in (ReadOnlySpan<LockScope>)[LockScope.None, LockScope.WholeLoop, LockScope.PerStep])
                {
                    var lesson = new WorkerJob(job.SegmentPath, 0, 1, Iterations: 1, DelayMs: 1, GapMs: 0, scope, StartMode.Lesson);
                    // As the server sends it: the program in its text form, read by the worker.
                    lesson = lesson with { Program = ProgramText.Format(JobRunner.ProgramOf(lesson)) };
                    new JobRunner(segment, lesson, discard, Environment.ProcessId).Run();
                }
            }
        }
        catch (Exception)
        {
            // Warming up is an optimisation; a worker that cannot do it still works.
        }
        finally
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception)
            {
            }
        }
    }
}
