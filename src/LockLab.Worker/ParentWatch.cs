namespace LockLab.Worker;

/// <summary>
/// A worker must never outlive the server. Two signals, either suffices: stdin reaching end-of-file (the kernel
/// closes the server's end of the pipe however the server dies), and the parent pid changing (we were re-parented).
/// PR_SET_PDEATHSIG is not used: it fires when the *thread* that forked us exits, and .NET forks from pool threads.
/// The watch starts first thing, before the warm-up: starting two threads (and loading what they need) takes
/// milliseconds, which a pooled worker pays while it waits for a job, not between receiving its job and standing at
/// the start gate; and a worker whose server dies while it warms up is gone within a quarter of a second too.
/// An orphan leaves with <c>_exit</c>, not <see cref="Environment.Exit(int)"/>: nothing in the runtime's shutdown may
/// keep it alive (CI once found a worker of a finished test run still there ten minutes later).
/// The job line itself is read by the main thread (<see cref="ReadJobLine"/>); the stdin thread takes over once it has.
/// </summary>
internal sealed class ParentWatch
{
    private readonly TextReader _stdin;
    private readonly ManualResetEventSlim _jobArrived = new();
    private string? _jobLine;
    private volatile Action? _lastWords;

    private ParentWatch(TextReader stdin)
    {
        _stdin = stdin;
    }

    public static ParentWatch Start(TextReader stdin)
    {
        var watch = new ParentWatch(stdin);
        var parent = OperatingSystem.IsLinux() ? Native.getppid() : 0;
        new Thread(watch.ReadStdin) { IsBackground = true, Name = "stdin-watch" }.Start();
        if (parent != 0)
        {
            new Thread(() =>
            {
                while (Native.getppid() == parent) Thread.Sleep(250);
                watch.Orphaned();
            }) { IsBackground = true, Name = "parent-watch" }.Start();
        }
        return watch;
    }

    /// <summary>
    /// Reads the job line on the calling thread, blocking until the server sends it; null when stdin closed first (the
    /// server went away). Then lets the stdin thread watch for the end of stdin. Read here rather than on the stdin
    /// thread and handed over, because waking a second thread costs the run up to a millisecond or more on a busy
    /// machine, between the job's arrival and the worker standing at the gate (docs/benchmarks.md, "The lesson's experiment").
    /// </summary>
    public string? ReadJobLine()
    {
        try
        {
            _jobLine = _stdin.ReadLine();
        }
        catch (IOException)
        {
            _jobLine = null;
        }
        _jobArrived.Set();
        return _jobLine;
    }

    /// <summary>Last words before exiting as an orphan: clean up what the dead server can no longer remove.</summary>
    public void OnOrphaned(Action lastWords) => _lastWords = lastWords;

    private void ReadStdin()
    {
        _jobArrived.Wait();
        if (_jobLine is null) return; // no job: the main thread ends the worker (ExitCodes.NoJob)
        try
        {
            while (_stdin.ReadLine() is not null)
            {
                // Further lines are reserved for future commands; nothing to do yet.
            }
        }
        catch (IOException)
        {
        }
        Orphaned();
    }

    private void Orphaned()
    {
        try
        {
            _lastWords?.Invoke();
        }
        finally
        {
            if (OperatingSystem.IsLinux()) Native.ExitNow(ExitCodes.Orphaned);
            Environment.Exit(ExitCodes.Orphaned);
        }
    }
}
