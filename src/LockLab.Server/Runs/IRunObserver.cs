namespace LockLab.Server.Runs;

/// <summary>
/// Follows every run the lab accepts, from that moment to its end: the room's broadcast (Broadcasting), the run's
/// record (History), the room's activity (Rooms). The orchestrator tells each of them, in the order they were
/// registered, before the run is queued; none of them is named by the run path, so a new one is one registration.
/// </summary>
public interface IRunObserver
{
    /// <summary>A run was accepted. Must not wait: start following it (<see cref="RunFollowers"/>) and return.</summary>
    void Follow(Run run);
}
