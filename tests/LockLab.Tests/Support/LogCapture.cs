using Serilog.Core;
using Serilog.Events;

namespace LockLab.Tests.Support;

/// <summary>
/// A Serilog sink that keeps what the server logs, registered in the server's services (the server's logger reads
/// its sinks from there), so tests see the real log events, properties included.
/// </summary>
public sealed class LogCapture : ILogEventSink
{
    private readonly Lock _gate = new();
    private readonly List<LogEvent> _events = [];
    private readonly List<(Func<LogEvent, bool> Match, TaskCompletionSource<LogEvent> Found)> _waiters = [];

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            _events.Add(logEvent);
            foreach (var waiter in _waiters.Where(w => w.Match(logEvent)).ToList())
            {
                waiter.Found.TrySetResult(logEvent);
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>The first event (already logged or yet to come) that matches.</summary>
    public Task<LogEvent> WaitForAsync(Func<LogEvent, bool> match, TimeSpan? timeout = null)
    {
        lock (_gate)
        {
            if (_events.FirstOrDefault(match) is { } logged) return Task.FromResult(logged);
            var found = new TaskCompletionSource<LogEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Serilog's request log line for <paramref name="method"/> <paramref name="path"/>.</summary>
    public Task<LogEvent> RequestAsync(string method, string path, Func<LogEvent, bool>? and = null) =>
        WaitForAsync(e => Text(e, "RequestMethod") == method && Text(e, "RequestPath") == path
            && e.Properties.ContainsKey("StatusCode") && (and?.Invoke(e) ?? true));

    /// <summary>A property's value as a string, or null when the event does not carry it.</summary>
    public static string? Text(LogEvent e, string property) =>
        e.Properties.TryGetValue(property, out var value) ? (value as ScalarValue)?.Value?.ToString() : null;
}
