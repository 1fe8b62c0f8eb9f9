using System.Diagnostics;

namespace LockLab.TestServices;

/// <summary>
/// Appends one line per test skipped for missing programs to <see cref="TestRun.SkipRecordFile"/>: the missing
/// programs, tab-separated, each as <c>name (apt-get install package)</c>. Test processes may write at the same time.
/// </summary>
internal static class SkipRecord
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static void Add(IEnumerable<Prerequisite> missing)
    {
        if (TestRun.SkipRecordFile is { } file) Append(file, missing);
    }

    internal static void Append(string file, IEnumerable<Prerequisite> missing)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var line = string.Join('\t', missing) + "\n";
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive lock that other processes respect too: no two lines interleave.
                using var record = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.None);
                record.Write(System.Text.Encoding.UTF8.GetBytes(line));
                return;
            }
            catch (IOException) when (waited.Elapsed < Patience)
            {
                // Another test process is writing its line: a few milliseconds at most.
                Thread.Sleep(5);
            }
        }
    }
}
