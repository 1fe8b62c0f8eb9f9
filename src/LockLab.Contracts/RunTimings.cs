namespace LockLab.Contracts;

/// <summary>
/// Where the time of one run went, as the server that carried it out saw it (<c>GET /api/runs/{id}/timings</c>):
/// each stage in milliseconds since the server accepted the request, null until the stage is reached. The server's
/// clock is the monotonic one (<see cref="AcceptedTimestamp"/> in ticks of <see cref="TimestampFrequency"/> per
/// second, <c>CLOCK_MONOTONIC</c> on Linux), so a client on the same machine can place its own moments on this timeline.
/// </summary>
/// <param name="DequeuedMs">The executor took the run from the queue.</param>
/// <param name="JobsHandedMs">The last worker process was being handed its job (on its stdin); the others had theirs.</param>
/// <param name="WorkersReadyMs">Every worker had mapped the shared segment and stood at the start gate.</param>
/// <param name="GateOpenedMs">The gate opened: the workers' event times (<c>atMs</c>) count from here.</param>
/// <param name="FirstEvent">The event with <c>seq</c> 1.</param>
/// <param name="FirstPrint">The first <c>print</c> in <c>seq</c> order.</param>
/// <param name="LastEvent">The event with the highest <c>seq</c> so far (once finished: the run's last).</param>
/// <param name="FinishedMs">The run was marked finished (workers gone, summary written).</param>
public sealed record RunTimings(
    string RunId,
    long AcceptedTimestamp,
    long TimestampFrequency,
    double? DequeuedMs,
    double? JobsHandedMs,
    double? WorkersReadyMs,
    double? GateOpenedMs,
    EventTimings? FirstEvent,
    EventTimings? FirstPrint,
    EventTimings? LastEvent,
    double? FinishedMs);

/// <summary>One event's way from its worker to the room, in milliseconds since the request was accepted.</summary>
/// <param name="WrittenMs">When the worker wrote it: the gate's moment plus its own <c>atMs</c>.</param>
/// <param name="ReadMs">When the server read it from the worker's stdout.</param>
/// <param name="ReleasedMs">When it joined the run's log, in ticket order (it may wait there for a lower ticket).</param>
/// <param name="SentMs">When the hub handed it to the room's connections.</param>
public sealed record EventTimings(long Seq, string Process, double WrittenMs, double? ReadMs, double? ReleasedMs, double? SentMs);
