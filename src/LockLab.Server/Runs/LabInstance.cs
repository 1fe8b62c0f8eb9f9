using System.Security.Cryptography;

namespace LockLab.Server.ScaleOut;

/// <summary>
/// This server process among the instances serving one deployment. Runs belong to the instance that accepted them
/// (their workers are its child processes), so the history records the owner: when an instance dies, the others
/// can tell whose runs were cut off.
/// </summary>
public sealed class LabInstance
{
    /// <summary>Unique per process start: host, process id and a random suffix (a restarted container reuses its pid).</summary>
    public string Id { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
}
