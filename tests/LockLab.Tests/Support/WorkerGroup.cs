using LockLab.Contracts;
using LockLab.Server.Runs;

namespace LockLab.Tests.Support;

/// <summary>Real worker processes on one test segment, driven the way the server drives them.</summary>
public static class WorkerGroup
{
    /// <summary>A worker launched as the pool launches one, then handed its job.</summary>
    public static WorkerProcess Start(WorkerExecutable executable, WorkerJob job)
    {
        var worker = WorkerProcess.Launch(executable);
        worker.Assign(job);
        return worker;
    }

    /// <param name="whileRunning">Runs once the gate is open, alongside the workers (to observe them while they work).</param>
    /// <param name="gateProcesses">The processes the run counts at the gate and at a stress round's start line: more than
    /// the jobs when the test plays the missing one itself (the workers then wait at the start line until it arrives).</param>
    public static async Task<List<RunEvent>> RunAsync(TestSegment segment, IReadOnlyList<WorkerJob> jobs,
        Func<IReadOnlyList<WorkerProcess>, Task>? whileRunning = null, int? gateProcesses = null)
    {
        var executable = new WorkerExecutable(
            Microsoft.Extensions.Options.Options.Create(new LockLab.Server.Configuration.LockLabOptions()));
        // As the server does: the gate armed before the jobs go out, opened by the last process to stand at it. The
        // processes the test plays stand at it first.
        var processes = gateProcesses ?? jobs.Count;
        segment.Segment.ArmGate(simultaneous: jobs[0].StartMode == StartMode.Simultaneous, processes);
        for (var played = jobs.Count; played < processes; played++) segment.Segment.SignalReady();
        var workers = jobs.Select(j => WorkerGroup.Start(executable, j)).ToList();
        var events = new List<RunEvent>();
        try
        {
            var reads = workers.Select(w => w.ReadEventsAsync(
                batch => { lock (events) events.AddRange(batch); }, CancellationToken.None)).ToList();
            Assert.True(segment.Segment.WaitUntilGateOpened(TimeSpan.FromSeconds(20)), "workers did not reach the gate");
            if (whileRunning is not null) await whileRunning(workers);
            await Task.WhenAll(reads).WaitAsync(TimeSpan.FromSeconds(60));
            foreach (var w in workers)
            {
                await w.WaitForExitAsync(CancellationToken.None);
                Assert.Equal(0, w.ExitCode);
            }
            return events.OrderBy(e => e.Seq).ToList();
        }
        finally
        {
            foreach (var w in workers) await w.DisposeAsync();
        }
    }
}
