using LockLab.Contracts;

namespace LockLab.Server.Runs;

/// <summary>
/// A command for a run that another instance executes (see <see cref="IRunCommandRelay"/>): the presenter's, or a
/// student's stop of their own run. <paramref name="StudentId"/>: the student whose stop it is (absent: the presenter's);
/// the instance executing the run checks that the run is theirs.
/// </summary>
public sealed record RunCommand(string RunId, RunCommandKind Kind, string? Process = null, string? StudentId = null);

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
/// Stop, step and show, for the REST API and the hub alike, wherever the run executes (a student's stop of their own
/// run too): this server applies them to its own
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

    /// <summary>The presenter stops a queued or running run.</summary>
    public Task<RunCommandResult> StopAsync(string runId)
    {
        if (store.Find(runId) is { } run) return Task.FromResult(Stop(run, RunErrors.StoppedByPresenter));
        return RelayAsync(new RunCommand(runId, RunCommandKind.Stop));
    }

    /// <summary>
    /// A student stops a run of their own in <paramref name="room"/>, queued or running, wherever it executes. Another's
    /// run, or one of another room, is not found. A run the presenter is showing the class is the presenter's to stop.
    /// </summary>
    public async Task<RunCommandResult> StopOwnAsync(string runId, string room, StudentOwner student)
    {
        if (store.Find(runId) is { } run)
        {
            if (run.Room != room || run.Owner?.StudentId != student.StudentId) return new(null, null);
            if (run.ShownAt is not null && !run.IsFinished) return new(run.ToInfo(), RunRefusals.ShownToClass);
            return Stop(run, RunErrors.StoppedByStudent);
        }
        // Executed by another instance: its news names the student by their label; that instance checks their id too
        // (ApplyRelayed), so that a label given again (a room closed and opened anew) stops nobody else's run.
        if (await shared.FindAsync(runId) is not { } remote || remote.Room != room || remote.Student != student.Label) return new(null, null);
        if (remote.ShownAt is not null && !remote.IsFinished) return new(remote, RunRefusals.ShownToClass);
        return await RelayAsync(new RunCommand(runId, RunCommandKind.Stop, StudentId: student.StudentId));
    }

    private RunCommandResult Stop(Run run, string reason)
    {
        if (run.IsFinished) return new(run.ToInfo(), AlreadyFinished(run.Status));
        run.Stop(reason, clock.GetUtcNow());
        return new(run.ToInfo(), null);
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
            case RunCommandKind.Stop when command.StudentId is null:
                run.Stop(RunErrors.StoppedByPresenter, clock.GetUtcNow());
                break;
            case RunCommandKind.Stop:
                // A student's: only their own run, and not while the class is shown it.
                if (run.Owner?.StudentId == command.StudentId && run.ShownAt is null) run.Stop(RunErrors.StoppedByStudent, clock.GetUtcNow());
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
