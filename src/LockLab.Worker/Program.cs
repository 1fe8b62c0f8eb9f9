using System.Text.Json;
using LockLab.Contracts;
using LockLab.SharedMemory;
using LockLab.Worker;

// A LockLab worker: one simulated process of the experiment.
// Protocol: the server writes one WorkerJob JSON line to stdin; the worker maps the shared segment, says it is
// ready (the last of a run's workers to do so opens the start gate), waits at the gate, runs the job and writes one
// RunEvent JSON line per step to stdout.
// stdin stays open for the life of the run: when it closes (the server exited or died) the worker exits too.

Native.UsePreciseTimers();
var watch = ParentWatch.Start(new StreamReader(Console.OpenStandardInput()));

// Compile the event path now, while waiting for a job (a pooled worker waits here before anyone presses Run):
// a first-call JIT pause inside v += num would hold the race window open for milliseconds.
var sink = new JsonLinesEventSink(Console.OpenStandardOutput());
sink.WarmUp();
WarmUp.JobAndSegment();

var line = watch.ReadJobLine();
if (string.IsNullOrWhiteSpace(line))
{
    return ExitCodes.NoJob; // the server went away before giving a job: nothing to do
}

WorkerJob job;
try
{
    job = JsonSerializer.Deserialize(line, ContractsJsonContext.Default.WorkerJob)
          ?? throw new JsonException("null job");
}
catch (JsonException ex)
{
    Console.Error.WriteLine($"locklab-worker: invalid job line: {ex.Message}");
    return ExitCodes.BadJob;
}

// Unlinking the segment is safe while others still map it; the server would have deleted it at run end anyway.
watch.OnOrphaned(() => File.Delete(job.SegmentPath));

// A big run's workers take every cycle they are given; the server must read, store and send what they report, and a
// presenter's browser on the same machine must keep drawing.
if (job.BelowNormal) Native.LowerPriority(Native.BelowNormal);
using var segment = SharedSegment.Open(job.SegmentPath);
JobRunner runner;
try
{
    // The program is read before this worker says it is ready: reading it is no part of the run's clock.
    runner = new JobRunner(segment, job, sink, Environment.ProcessId);
}
catch (InvalidDataException ex)
{
    Console.Error.WriteLine($"locklab-worker: {ex.Message}");
    return ExitCodes.BadJob;
}
segment.SignalReady();
runner.Run();
// Its last event is written and flushed: the process ends here, without the runtime's shutdown, which has nothing left
// to do (the kernel unmaps the segment) and would take a few milliseconds of a core while the server reads that event.
// A run ends when all its workers have exited. That shutdown used to run at the lowest priority, so as not to compete
// with the reading, and then waited for a core on a busy machine: with four busy loops on two cores, a big run (8
// workers) finished a median 350 ms after its last event was read; ending here, 29 ms (6 runs each).
if (OperatingSystem.IsLinux()) Native.ExitNow(ExitCodes.Ok);
return ExitCodes.Ok; // elsewhere, the runtime's own exit
