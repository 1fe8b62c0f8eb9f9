namespace LockLab.Worker;

/// <summary>How a worker ends; the server reports anything but <see cref="Ok"/> as a failed run.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int NoJob = 1;
    public const int BadJob = 2;
    /// <summary>The server closed our stdin or disappeared mid-run.</summary>
    public const int Orphaned = 3;
}
