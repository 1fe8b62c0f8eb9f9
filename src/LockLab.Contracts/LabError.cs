namespace LockLab.Contracts;

/// <summary>What kind of "no" the lab answered: for a page that must act on it (ask for the key, wait, fix a field).</summary>
public enum LabErrorCode
{
    /// <summary>Anything else: the caller can only show the sentence.</summary>
    Other,

    /// <summary>The call needs the presenter key, and the caller has none or a wrong one.</summary>
    PresenterKeyRequired,

    /// <summary>A field of the request is wrong; the sentence names it.</summary>
    InvalidRequest,

    /// <summary>The room has as many runs queued or running as it may, or as many viewers.</summary>
    RoomFull,

    /// <summary>The server's run queue is full.</summary>
    QueueFull,

    /// <summary>No such run or room.</summary>
    NotFound,

    /// <summary>Not now: the run's state does not allow it, or the server is stopping.</summary>
    NotNow,

    /// <summary>A student asked for a run, and the presenter does not let students run experiments in this room (now).</summary>
    StudentRunsOff,
}

/// <summary>
/// An error a hub call answers with: a code and the sentence a person reads. SignalR carries only the text of a hub
/// error to the caller, so the code leads it in brackets (<c>[room-full] Room 'x' already has 1 run…</c>); the server
/// writes it with <see cref="ToHubMessage"/>, a client reads it with <see cref="FromHubMessage"/>, and nothing else
/// looks inside the text.
/// </summary>
public sealed record LabError(LabErrorCode Code, string Message)
{
    public string ToHubMessage() => $"[{Name(Code)}] {Message}";

    /// <summary>
    /// The error in a hub error's text (the server's part of it); a text without a code is
    /// <see cref="LabErrorCode.Other"/>.
    /// </summary>
    public static LabError FromHubMessage(string text)
    {
        var close = text.StartsWith('[') ? text.IndexOf("] ", StringComparison.Ordinal) : -1;
        if (close > 0)
        {
            var name = text[1..close];
            foreach (var code in Enum.GetValues<LabErrorCode>())
            {
                if (Name(code) == name) return new LabError(code, text[(close + 2)..]);
            }
        }
        return new LabError(LabErrorCode.Other, text);
    }

    public static string Name(LabErrorCode code) => code switch
    {
        LabErrorCode.PresenterKeyRequired => "presenter-key-required",
        LabErrorCode.InvalidRequest => "invalid-request",
        LabErrorCode.RoomFull => "room-full",
        LabErrorCode.QueueFull => "queue-full",
        LabErrorCode.NotFound => "not-found",
        LabErrorCode.NotNow => "not-now",
        LabErrorCode.StudentRunsOff => "student-runs-off",
        _ => "other",
    };
}
