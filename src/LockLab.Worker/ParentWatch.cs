namespace LockLab.Worker;

/// <summary>
/// A worker must never outlive the server. Two signals, either suffices: stdin reaching end-of-file (the kernel
/// closes the server's end of the pipe however the server dies), and the parent pid changing (we were re-parented).
/// PR_SET_PDEATHSIG is not used: it fires when the *thread* that forked us exits, and .NET forks from pool threads.
/// </summary>
internal static class ParentWatch
{
    public static void ExitWhenParentGoes(TextReader stdin)
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
            Environment.Exit(ExitCodes.Orphaned);
        }) { IsBackground = true, Name = "stdin-watch" };
        reader.Start();

        if (parent == 0) return;
        var poll = new Thread(() =>
        {
            while (Native.getppid() == parent) Thread.Sleep(250);
            Environment.Exit(ExitCodes.Orphaned);
        }) { IsBackground = true, Name = "parent-watch" };
        poll.Start();
    }
}
