namespace LockLab.Contracts;

/// <summary>
/// What the server tells one worker to do, as a single JSON line on the worker's stdin.
/// Only validated numbers and a server-generated segment path: nothing from a request reaches a shell or a path.
/// </summary>
/// <param name="SegmentPath">The memory-mapped file holding the shared counter, the event ticket and the lock.</param>
/// <param name="Index">0 for p1, 1 for p2, …</param>
/// <param name="StepEvents">False: report only the exit event. For throughput runs, which measure the lock, not the pipe.</param>
/// <param name="Stepped">Step mode: wait for a permit in the shared segment before each step, and skip sleeps.</param>
/// <param name="Rounds">Repeat the job this many times, each round released by the server after it read the previous result.</param>
/// <param name="BelowNormal">A big run's job: the worker runs it below normal priority, yielding the machine to the server
/// that reports its steps and to a browser beside it. A lesson run's keep normal priority: its timing is what it shows.</param>
/// <param name="Program">The run's program in its text form (<see cref="Experiments.ProgramText"/>), already validated by the
/// server: this worker runs the steps of process number <paramref name="Index"/>, over the integers, locks and semaphores it
/// declares (in the segment in declaration order: integers, then locks, then semaphores). Null: the classic job the other
/// fields describe (<see cref="Experiments.BuiltInPrograms.For"/>'s program for one process).</param>
public sealed record WorkerJob(
    string SegmentPath,
    int Index,
    int Amount,
    int Iterations,
    int DelayMs,
    int GapMs,
    LockScope Lock,
    StartMode StartMode,
    bool StepEvents = true,
    bool Stepped = false,
    int Rounds = 1,
    bool BelowNormal = false,
    string? Program = null)
{
    public string Process => RunParameters.ProcessName(Index);
}
