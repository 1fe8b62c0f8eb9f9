using System.Security.Cryptography;

namespace LockLab.Server.Runs;

/// <summary>
/// This server process among the instances serving one deployment. Runs belong to the instance that accepted them
/// (their workers are its child processes), so the history records the owner: when an instance dies, the others
/// can tell whose runs were cut off.
/// </summary>
public sealed class LabInstance
{
    /// <summary>Unique per process start: host, process id and a random suffix (a restarted container reuses its pid).</summary>
    public string Id { get; } =
        $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
}

/// <summary>Which instances of the deployment are alive: a run or a viewer count whose instance is not is stale.</summary>
public interface IInstanceDirectory
{
    bool IsAlive(string instanceId);
}

/// <summary>One server: it is the only instance there is, so any other named in the history is gone.</summary>
public sealed class SingleInstance(LabInstance self) : IInstanceDirectory
{
    public bool IsAlive(string instanceId) => instanceId == self.Id;
}
