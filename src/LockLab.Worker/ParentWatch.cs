namespace LockLab.Worker;

/// <summary>
/// A worker must never outlive the server. Two signals, either suffices: stdin reaching end-of-file (the kernel
/// closes the server's end of the pipe however the server dies), and the parent pid changing (we were re-parented).
/// PR_SET_PDEATHSIG is not used: it fires when the *thread* that forked us exits, and .NET forks from pool threads.
/// </summary>
internal static class ParentWatch
{
    /// <param name="onOrphaned">Last words before exiting: clean up what the dead server can no longer remove.</param>
    public static void ExitWhenParentGoes(TextReader stdin, Action onOrphaned)
    {
        var parent = OperatingSystem.IsLinux() ? Native.getppid() : 0;
        var reader = new Thread(() =>
        {
            try
            {
                while (stdin.ReadLine() is not null)
                {
                    // Further lines are reserved for future commands; nothing to do yet.
                }
            }
            catch (IOException)
            {
            }
            Orphaned(onOrphaned);
        }) { IsBackground = true, Name = "stdin-watch" };
        reader.Start();

        if (parent == 0) return;
        var poll = new Thread(() =>
        {
            while (Native.getppid() == parent) Thread.Sleep(250);
            Orphaned(onOrphaned);
        }) { IsBackground = true, Name = "parent-watch" };
        poll.Start();
    }

    private static void Orphaned(Action onOrphaned)
    {
        try
        {
            onOrphaned();
        }
        finally
        {
            Environment.Exit(ExitCodes.Orphaned);
        }
    }
}
