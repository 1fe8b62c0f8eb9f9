using System.Diagnostics;
using LockLab.SharedMemory;

namespace LockLab.Server.Runs;

/// <summary>
/// Where runs keep their shared memory: <c>/dev/shm/locklab-{server pid}-{run id}-{random}.shm</c>, readable and
/// writable by the lab's own user only (<see cref="SharedSegment.Create"/>). The server's pid in the name lets a
/// restarted server remove what a killed one left behind without touching the files of another server running on the
/// same machine; the random part keeps another user on the machine from guessing the name (and creating it first).
/// </summary>
public static class RunSegments
{
    private const string Prefix = "locklab-";

    /// <summary>A new, unguessable segment path for the run.</summary>
    public static string NewPathFor(string runId) => Path.Combine(SharedSegment.DefaultDirectory,
        $"{Prefix}{Environment.ProcessId}-{runId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}.shm");

    /// <summary>
    /// Gives a new segment the program's starting state before any worker maps it: each shared integer its initial
    /// value (the first is the counter), each semaphore its permits (after the locks, as <see cref="SharedSegment"/> lays
    /// them out).
    /// </summary>
    public static void Prepare(SharedSegment segment, LockLab.Contracts.Experiments.ExperimentProgram program)
    {
        for (var i = 0; i < program.Shared.Count; i++) segment.SetShared(i, program.Shared[i].Initial);
        for (var s = 0; s < program.Semaphores.Count; s++)
            segment.InitializeSemaphore(program.Locks.Count + s, program.Semaphores[s].Permits);
    }

    /// <summary>The segment files this server has for the run now (none once it has ended).</summary>
    public static string[] FilesOf(string runId) =>
        Directory.GetFiles(SharedSegment.DefaultDirectory, $"{Prefix}{Environment.ProcessId}-{runId}-*.shm");

    /// <summary>Deletes segment files whose server is no longer alive. Returns how many.</summary>
    public static int RemoveOrphans()
    {
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(SharedSegment.DefaultDirectory, $"{Prefix}*-*.shm"))
        {
            var name = Path.GetFileNameWithoutExtension(file)[Prefix.Length..];
            var dash = name.IndexOf('-');
            if (dash <= 0 || !int.TryParse(name[..dash], out var pid) || IsAlive(pid)) continue;
            try
            {
                File.Delete(file);
                removed++;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return removed;
    }

    /// <summary>Whether a process with this pid is running (and not just a zombie awaiting its parent).</summary>
    internal static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
