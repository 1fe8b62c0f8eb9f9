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

    /// <summary>
    /// The presenter showed a student's run to the whole room (<see cref="Run.ShowToRoom"/>): it is the room's now, on the
    /// instance executing it. Called while the run's news is held (<see cref="Run.SendGate"/>); must not wait.
    /// </summary>
    void Shown(Run run)
    {
    }
}
