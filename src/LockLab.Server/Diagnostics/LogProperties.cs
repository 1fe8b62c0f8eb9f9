namespace LockLab.Server.Diagnostics;

/// <summary>
/// The structured properties that tie log lines to a run and a room, so that one query (<c>RunId = '…'</c>,
/// <c>Room = 'K7QX'</c>) finds a run's whole story: the request that started it, its lifecycle lines, storage
/// warnings. Request log lines get them from <see cref="Operations.RequestLogging"/>, run code from <see cref="BeginRunScope"/>.
/// </summary>
public static class LogProperties
{
    public const string RunId = "RunId";
    public const string Room = "Room";

    /// <summary>
    /// Every line logged inside the scope carries the run's id and room as properties, including lines whose
    /// message does not mention them (a worker that would not stop, a segment file that would not go).
    /// </summary>
    public static IDisposable? BeginRunScope(this ILogger logger, string runId, string room) =>
        logger.BeginScope(new Dictionary<string, object> { [RunId] = runId, [Room] = room });
}
