using LockLab.Contracts;

namespace LockLab.Server.Runs;

/// <summary>
/// A command for a run that another instance executes (see <see cref="IRunCommandRelay"/>): the presenter's, or a
/// student's stop of their own run. <paramref name="Reason"/> is why a stop stops it (absent: the presenter stopped it).
/// </summary>
public sealed record RunCommand(string RunId, RunCommandKind Kind, string? Process = null, string? Reason = null);

public enum RunCommandKind { Stop, Step, ShowToRoom }

/// <summary>Carries a run command to the instance executing the run. One server has no other instance to reach.</summary>
public interface IRunCommandRelay
{
    void Send(RunCommand command);
}

public sealed class NoRunCommandRelay : IRunCommandRelay
{
    public void Send(RunCommand command) => throw new InvalidOperationException("One server executes every run itself.");
}

/// <summary>The outcome of a command: the run as it stands (null: no such run), or why the command was refused.</summary>
public sealed record RunCommandResult(RunInfo? Run, string? Refusal)
{
    public bool Found => Run is not null;
}

/// <summary>
/// Stop and step, for the REST API and the hub alike, wherever the run executes: this server applies them to its own
/// runs at once; a run another instance executes gets the command relayed to that instance (its answer then comes
/// to the room as the run's news, like everyone else's).
/// </summary>
public sealed class RunCommands(
    RunStore store, ISharedRuns shared, IRunCommandRelay relay, IEnumerable<IRunObserver> observers, TimeProvider clock)
{
    /// <summary>
    /// Shows a student's run to the whole room (only runs of <paramref name="room"/>): the room's pages get it as they
    /// get the presenter's runs, and it becomes the room's current run. A run shown already (or the presenter's own) is
    /// no refusal: the room sees it.
    /// </summary>
    public async Task<RunCommandResult> ShowToRoomAsync(string runId, string room)
    {
        if (store.Find(runId) is { } run)
        {
            if (run.Room != room) return new(null, null);
            Show(run);
            return new(run.ToInfo(), null);
        }
        if (await shared.FindAsync(runId) is not { } remote || remote.Room != room) return new(null, null);
        if (!remote.IsShownToRoom) relay.Send(new RunCommand(runId, RunCommandKind.ShowToRoom));
        return new(remote with { ShownAt = remote.ShownAt ?? clock.GetUtcNow() }, null);
    }

    private void Show(Run run)
    {
        // Who hears the run changes, and the room hears of it, in one step between two of the run's messages: no page in
        // the room gets an event of a run it has not been told of.
        lock (run.SendGate)
        {
            if (!run.ShowToRoom(clock.GetUtcNow())) return;
            foreach (var observer in observers) observer.Shown(run);
        }
    }

    /// <summary>Stops a queued or running run; <paramref name="reason"/> is its error (<see cref="RunErrors"/>).</summary>
    public Task<RunCommandResult> StopAsync(string runId, string reason = RunErrors.StoppedByPresenter)
    {
        if (store.Find(runId) is { } run)
        {
            if (run.IsFinished) return Task.FromResult(new RunCommandResult(run.ToInfo(), AlreadyFinished(run.Status)));
            run.Stop(reason, clock.GetUtcNow());
            return Task.FromResult(new RunCommandResult(run.ToInfo(), null));
        }
        return RelayAsync(new RunCommand(runId, RunCommandKind.Stop, Reason: reason));
    }

    public Task<RunCommandResult> StepAsync(string runId, string process)
    {
        if (store.Find(runId) is { } run) return Task.FromResult(new RunCommandResult(run.ToInfo(), run.TryStep(process)));
        return RelayAsync(new RunCommand(runId, RunCommandKind.Step, process));
    }

    /// <summary>Apply a command relayed from another instance, if the run is this server's.</summary>
    public void ApplyRelayed(RunCommand command)
    {
        if (store.Find(command.RunId) is not { } run) return;
        switch (command.Kind)
        {
            case RunCommandKind.Stop:
                // Only the lab's own reasons: a relayed command comes from another instance, never from a page.
                run.Stop(command.Reason is RunErrors.StoppedByStudent ? RunErrors.StoppedByStudent : RunErrors.StoppedByPresenter,
                    clock.GetUtcNow());
                break;
            case RunCommandKind.ShowToRoom:
                Show(run);
                break;
            default:
                run.TryStep(command.Process ?? "");
                break;
        }
    }

    private async Task<RunCommandResult> RelayAsync(RunCommand command)
    {
        if (await shared.FindAsync(command.RunId) is not { } remote) return new(null, null);
        if (remote.IsFinished) return new(remote, AlreadyFinished(remote.Status));
        if (command.Kind == RunCommandKind.Step && remote.Status != RunStatus.Running)
            return new(remote, TextTemplates.Fill(RunRefusals.NotRunning, WireNames.Name(remote.Status)));
        relay.Send(command);
        return new(remote, null);
    }

    private static string AlreadyFinished(RunStatus status) => TextTemplates.Fill(RunRefusals.AlreadyFinished, WireNames.Name(status));

}
