using System.Text;
using System.Text.Json;
using LockLab.Contracts;

namespace LockLab.Client.Services;

/// <summary>
/// A <c>RunEvents(runId, events)</c> record from the hub, read only as far as the page needs: the run's id, and either
/// every event or only the last few. A big run arrives as records of 2,000 events each, hundreds of kilobytes a
/// second; parsing all of them would keep a WebAssembly page busy for seconds at a time, when it shows the latest lines.
/// </summary>
/// <remarks>The server writes <c>{"type":1,"target":"RunEvents","arguments":["&lt;id&gt;",[{"seq":…},…]]}</c> (its
/// hub protocol and the event's first property, <c>seq</c>); a record in any other shape is parsed whole.</remarks>
public static class RunEventsRecord
{
    private static ReadOnlySpan<byte> ArgumentsStart => "\"arguments\":[\""u8;
    private static ReadOnlySpan<byte> EventStart => "{\"seq\":"u8;

    /// <summary>The run the record's events belong to; null when the record is not in the expected shape.</summary>
    public static string? RunId(ReadOnlySpan<byte> record)
    {
        var at = record.IndexOf(ArgumentsStart);
        if (at < 0) return null;
        var rest = record[(at + ArgumentsStart.Length)..];
        var end = rest.IndexOf((byte)'"');
        return end <= 0 || end > 200 ? null : Encoding.UTF8.GetString(rest[..end]);
    }

    /// <summary>Every event of the record (the ordinary way, for runs the page keeps whole).</summary>
    public static RunEvent[] All(byte[] record)
    {
        using var message = JsonDocument.Parse(record);
        return message.RootElement.GetProperty("arguments")[1].Deserialize(ContractsJsonContext.Default.RunEventArray) ?? [];
    }

    /// <summary>The <c>seq</c> of the record's last event (0 when the record is not in the expected shape): where the run is.</summary>
    public static long LastSeq(ReadOnlySpan<byte> record)
    {
        var at = record.LastIndexOf(EventStart);
        if (at < 0) return 0;
        var digits = record[(at + EventStart.Length)..];
        long seq = 0;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9') break;
            seq = seq * 10 + (b - '0');
        }
        return seq;
    }

    /// <summary>The record's last <paramref name="count"/> events, found from the end without reading the rest.</summary>
    public static RunEvent[] Last(byte[] record, int count)
    {
        var span = record.AsSpan();
        // ...}]]} : the events array closes three bytes from the end.
        if (span.Length < 4 || !span.EndsWith("]]}"u8)) return All(record);
        var arrayEnd = span.Length - 3;
        var from = arrayEnd;
        for (var found = 0; found < count; found++)
        {
            var at = span[..from].LastIndexOf(EventStart);
            if (at < 0) break;
            from = at;
        }
        if (from == arrayEnd) return All(record);
        var tail = new byte[arrayEnd - from + 2];
        tail[0] = (byte)'[';
        span[from..arrayEnd].CopyTo(tail.AsSpan(1));
        tail[^1] = (byte)']';
        return JsonSerializer.Deserialize(tail, ContractsJsonContext.Default.RunEventArray) ?? [];
    }
}
