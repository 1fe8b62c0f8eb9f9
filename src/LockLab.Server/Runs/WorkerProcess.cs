using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text.Json;
using LockLab.Contracts;

namespace LockLab.Server.Runs;

/// <summary>
/// One <c>LockLab.Worker</c> OS process of a run: starts it, hands it its job on stdin, and reads its JSON-lines
/// events from stdout. stdin is kept open for the worker's whole life: closing it (or the server dying, which
/// closes it too) tells the worker to exit.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    /// <summary>No honest event line is anywhere near this long; a longer one means the worker misbehaves.</summary>
    public const int MaxLineBytes = 4096;

    private readonly Process _process;
    private WorkerJob? _job;

    private WorkerProcess(Process process)
    {
        _process = process;
    }

    public string Name => _job?.Process ?? "idle worker";
    /// <summary>The process's index in its run (p1 is 0); -1 while it waits in the pool.</summary>
    public int Index => _job?.Index ?? -1;
    public int Pid { get; private set; }
    /// <summary>
    /// When the process was started (<see cref="Stopwatch.GetTimestamp"/>): before a run asked for it, if the
    /// pool pre-started it.
    /// </summary>
    public long LaunchedAt { get; private init; }
    public bool HasExited => _process.HasExited;
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;
    /// <summary>What the worker wrote to stderr so far (read in the background, never waited for).</summary>
    public string StandardError
    {
        get { lock (_stderr) return _stderr.ToString().Trim(); }
    }

    private readonly System.Text.StringBuilder _stderr = new();

    /// <summary>
    /// Starts a worker that waits for its job (see <see cref="WorkerPool"/>): the process start-up, and the
    /// runtime's first compilations, are paid before anyone presses Run.
    /// </summary>
    public static WorkerProcess Launch(WorkerExecutable executable)
    {
        var info = executable.CreateStartInfo();
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var process = Process.Start(info) ?? throw new InvalidOperationException("The worker process did not start.");
        var worker = new WorkerProcess(process) { Pid = process.Id, LaunchedAt = Stopwatch.GetTimestamp() };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (worker._stderr)
            {
                if (worker._stderr.Length < 4096) worker._stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Hands the worker its job: one JSON line on its stdin.</summary>
    public void Assign(WorkerJob job)
    {
        if (_job is not null) throw new InvalidOperationException("This worker already has a job.");
        _job = job;
        _process.StandardInput.WriteLine(JsonSerializer.Serialize(job, ContractsJsonContext.Default.WorkerJob));
        _process.StandardInput.Flush();
    }

    /// <summary>
    /// Reads events until the worker closes stdout, handing each parsed batch to <paramref name="onEvents"/>.
    /// Throws <see cref="InvalidDataException"/> for anything that is not an honest event from this worker.
    /// </summary>
    public Task ReadEventsAsync(Action<List<RunEvent>> onEvents, CancellationToken ct) =>
        ReadEventsAsync((batch, _) =>
        {
            onEvents(batch);
            return Task.CompletedTask;
        }, ct);

    /// <summary>
    /// As <see cref="ReadEventsAsync(Action{List{RunEvent}}, CancellationToken)"/>, telling with each batch when its bytes
    /// were read from the pipe (a <see cref="Stopwatch"/> timestamp), before any of it was parsed.
    /// </summary>
    /// <param name="onEvents">Awaited before the next read: while it has not completed, the worker's output waits in
    /// its pipe, and a worker that fills the pipe blocks on its next write (back-pressure).</param>
    public async Task ReadEventsAsync(Func<List<RunEvent>, long, Task> onEvents, CancellationToken ct)
    {
        var reader = PipeReader.Create(_process.StandardOutput.BaseStream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(ct);
                var readAt = Stopwatch.GetTimestamp();
                var buffer = result.Buffer;
                var batch = new List<RunEvent>();
                while (TryReadLine(ref buffer, out var line)) batch.Add(Parse(line));
                if (buffer.Length > MaxLineBytes)
                {
                    throw new InvalidDataException(TextTemplates.Fill(RunErrors.LineTooLong, Name, MaxLineBytes));
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (batch.Count > 0) await onEvents(batch, readAt);
                if (result.IsCompleted)
                {
                    if (buffer.Length > 0) throw new InvalidDataException(TextTemplates.Fill(RunErrors.IncompleteLine, Name));
                    break;
                }
            }
        }
        finally
        {
            // stderr is not awaited here: a misbehaving worker may keep it open, and its garbage must fail the run now.
            await reader.CompleteAsync();
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var position = buffer.PositionOf((byte)'\n');
        if (position is null)
        {
            line = default;
            return false;
        }
        line = buffer.Slice(0, position.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, position.Value));
        return true;
    }

    private RunEvent Parse(ReadOnlySequence<byte> line)
    {
        if (line.Length > MaxLineBytes) throw new InvalidDataException(TextTemplates.Fill(RunErrors.LineTooLong, Name, MaxLineBytes));
        RunEvent? e;
        try
        {
            var reader = new Utf8JsonReader(line);
            e = JsonSerializer.Deserialize(ref reader, ContractsJsonContext.Default.RunEvent);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException(TextTemplates.Fill(RunErrors.NotAnEvent, Name, ex.Message));
        }
        // The server never passes on what it cannot vouch for: the event must come from this process.
        if (e is null || e.Process != Name || e.Pid != Pid || e.Seq < 1)
        {
            throw new InvalidDataException(TextTemplates.Fill(RunErrors.NotItsOwnEvent, Name, Pid));
        }
        return e;
    }

    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    /// <summary>Kills the worker (SIGKILL: at once, whatever it is doing).</summary>
    /// <remarks>
    /// Not <c>Kill(entireProcessTree: true)</c>: a worker starts no processes, and .NET kills a tree by first stopping
    /// the process (SIGSTOP), then listing every process on the machine to find its children, then killing it. When
    /// that listing failed (processes come and go by the hundred while tests run) or the server ended in between, the
    /// worker was left stopped for good, where not even the end of its server could wake it to exit.
    /// </remarks>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not ours to kill any more (exited and its pid reused), or the OS refused: nothing more we can do here.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }
        _process.Dispose();
    }
}
