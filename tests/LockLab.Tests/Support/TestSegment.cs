using LockLab.SharedMemory;

namespace LockLab.Tests.Support;

/// <summary>A real shared segment file for a test, deleted afterwards.</summary>
public sealed class TestSegment : IDisposable
{
    public TestSegment()
    {
        Path = System.IO.Path.Combine(SharedSegment.DefaultDirectory, $"locklab-test-{Guid.NewGuid():N}.shm");
        Segment = SharedSegment.Create(Path);
    }

    public string Path { get; }
    public SharedSegment Segment { get; }

    /// <summary>
    /// Opens the start gate as a run does: armed for <paramref name="processes"/>, each of them ready in turn, the last
    /// one opening it (the test plays them all).
    /// </summary>
    public void OpenGate(bool simultaneous, int processes)
    {
        Segment.ArmGate(simultaneous, processes);
        for (var i = 0; i < processes; i++) Segment.SignalReady();
    }

    public void Dispose()
    {
        Segment.Dispose();
        File.Delete(Path);
    }
}
