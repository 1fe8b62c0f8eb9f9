namespace LockLab.Worker;

/// <summary>
/// A worker must never outlive the server. Two signals, either suffices: stdin reaching end-of-file (the kernel
/// closes the server's end of the pipe however the server dies), and the parent pid changing (we were re-parented).
/// PR_SET_PDEATHSIG is not used: it fires when the *thread* that forked us exits, and .NET forks from pool threads.
/// The watch starts before the job arrives, and its stdin thread is the one that reads the job line: starting two
/// threads (and loading what they need) takes milliseconds, which a pooled worker pays while it waits for a job,
/// not between receiving its job and standing at the start gate.
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

    /// <summary>Blocks until the server sends the job line; null when stdin closed first (the server went away).</summary>
    public string? WaitForJobLine()
    {
        _jobArrived.Wait();
        return _jobLine;
    }

    /// <summary>Last words before exiting as an orphan: clean up what the dead server can no longer remove.</summary>
    public void OnOrphaned(Action lastWords) => _lastWords = lastWords;

    private void ReadStdin()
    {
        try
        {
            _jobLine = _stdin.ReadLine();
            _jobArrived.Set();
            if (_jobLine is null) return; // no job: the main thread ends the worker (ExitCodes.NoJob)
            while (_stdin.ReadLine() is not null)
            {
                // Further lines are reserved for future commands; nothing to do yet.
            }
        }
        catch (IOException)
        {
            _jobArrived.Set();
            if (_jobLine is null) return;
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
            Environment.Exit(ExitCodes.Orphaned);
        }
    }
}
