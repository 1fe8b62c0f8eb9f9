using LockLab.Worker;

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

    public void Dispose()
    {
        Segment.Dispose();
        File.Delete(Path);
    }
}
