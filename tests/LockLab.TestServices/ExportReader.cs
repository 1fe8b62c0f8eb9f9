using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace LockLab.TestServices;

/// <summary>
/// What a run's export (<c>GET /api/runs/{id}/export?format=csv|json</c>) held, read to its end.
/// </summary>
/// <param name="Bytes">The body's length.</param>
/// <param name="Events">CSV rows after the header, or the JSON <c>events</c> array's length.</param>
/// <param name="LastSeq">The last event's <c>seq</c>.</param>
/// <param name="InOrder">Every event's <c>seq</c> was the one before's plus one, from 1.</param>
/// <param name="Whole">The body ended where its format ends (JSON: the closing brace; CSV: a row's line break).</param>
/// <param name="RunId">JSON: the <c>run</c> object's <c>id</c>. CSV names no run.</param>
/// <param name="RunEventCount">JSON: the <c>run</c> object's <c>eventCount</c>.</param>
public sealed record ExportCheck(long Bytes, long Events, long LastSeq, bool InOrder, bool Whole, string? RunId, long? RunEventCount)
{
    /// <summary>Every one of the run's <paramref name="eventCount"/> events, in order, in a whole body.</summary>
    public bool IsComplete(long eventCount) => Whole && InOrder && Events == eventCount && LastSeq == eventCount;
}

/// <summary>
/// Reads an export as it streams in and checks it, keeping only a buffer's worth: fifty exports of a big run, read at
/// once by one test process, would otherwise hold gigabytes in the reader rather than in the server under test.
/// </summary>
/// <remarks>
/// Each reader goes to the back of the thread pool's queue after every buffer: a read of a socket
/// that already holds data completes at once, so without it one reader of a fast export keeps a thread for as long as
/// the server keeps ahead, and whatever else the reading process does (a live room's SignalR messages, measured beside
/// the exports) waits behind it.
/// </remarks>
public static class ExportReader
{
    public const string CsvHeader = "seq,process,pid,kind,value,atMs,writeId,readFrom,replaced,round";

    public static Task<ExportCheck> ReadAsync(Stream body, string format, CancellationToken ct = default) => format switch
    {
        "csv" => ReadCsvAsync(body, ct),
        "json" => ReadJsonAsync(body, ct),
        _ => throw new ArgumentException($"No export format '{format}'.", nameof(format)),
    };

    /// <summary>UTF-8 with a BOM, a header row, then one event per row (<c>\r\n</c>), its seq first.</summary>
    public static async Task<ExportCheck> ReadCsvAsync(Stream body, CancellationToken ct = default)
    {
        var buffer = new byte[64 * 1024];
        var held = 0;
        long bytes = 0, events = 0, lastSeq = 0;
        var inOrder = true;
        var header = true;
        while (true)
        {
            await Task.Yield(); // to the back of the queue: see the remarks above
            var read = await body.ReadAsync(buffer.AsMemory(held), ct);
            bytes += read;
            if (read == 0) break;
            held += read;
            var start = 0;
            if (header)
            {
                var headerEnd = buffer.AsSpan(0, held).IndexOf((byte)'\n');
                if (headerEnd < 0)
                {
                    if (held == buffer.Length) throw new InvalidDataException("No header row in the CSV export.");
                    continue;
                }
                var text = Encoding.UTF8.GetString(buffer, 0, headerEnd).TrimEnd('\r');
                if (text != "\uFEFF" + CsvHeader) throw new InvalidDataException($"Unexpected CSV header: {text}");
                start = headerEnd + 1;
                header = false;
            }
            // Whole rows; a row cut by the buffer's end waits for the next read.
            while (buffer.AsSpan(start, held - start).IndexOf((byte)'\n') is var end and >= 0)
            {
                var row = buffer.AsSpan(start, end);
                if (!Utf8Parser.TryParse(row, out long seq, out var used) || used >= row.Length || row[used] != (byte)',')
                    throw new InvalidDataException($"A CSV row without a seq: {Encoding.UTF8.GetString(row)}");
                if (seq != lastSeq + 1) inOrder = false;
                lastSeq = seq;
                events++;
                start += end + 1;
            }
            held -= start;
            if (held == buffer.Length) throw new InvalidDataException("A CSV row longer than 64 KiB.");
            Buffer.BlockCopy(buffer, start, buffer, 0, held);
        }
        return new ExportCheck(bytes, events, lastSeq, inOrder, Whole: !header && held == 0, null, null);
    }

    /// <summary><c>{"run": {…}, "events": [{"seq": 1, …}, …]}</c>, read token by token.</summary>
    public static async Task<ExportCheck> ReadJsonAsync(Stream body, CancellationToken ct = default)
    {
        var buffer = new byte[64 * 1024];
        var held = 0;
        long bytes = 0;
        var parse = new JsonParse();
        while (true)
        {
            await Task.Yield(); // to the back of the queue: see the remarks above
            var read = await body.ReadAsync(buffer.AsMemory(held), ct);
            bytes += read;
            held += read;
            var consumed = parse.Feed(buffer.AsSpan(0, held), final: read == 0);
            held -= consumed;
            if (read == 0) break;
            Buffer.BlockCopy(buffer, consumed, buffer, 0, held);
            if (held == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2); // one token larger than the buffer
        }
        return new ExportCheck(bytes, parse.Events, parse.LastSeq, parse.InOrder, parse.Whole, parse.RunId, parse.RunEventCount);
    }

    /// <summary>Where the reader is in the export's one shape, from one buffer to the next.</summary>
    private sealed class JsonParse
    {
        private JsonReaderState _state;
        private string? _property;
        private bool _inRun, _inEvents;

        public long Events, LastSeq;
        public bool InOrder = true, Whole;
        public string? RunId;
        public long? RunEventCount;

        /// <returns>Bytes consumed; the rest is an incomplete token, to be fed again with what follows it.</returns>
        public int Feed(ReadOnlySpan<byte> data, bool final)
        {
            var reader = new Utf8JsonReader(data, final, _state);
            while (reader.Read())
            {
                var depth = reader.CurrentDepth;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        _property = reader.GetString();
                        continue;
                    case JsonTokenType.StartObject when depth == 1 && _property == "run":
                        _inRun = true;
                        break;
                    case JsonTokenType.StartArray when depth == 1 && _property == "events":
                        _inEvents = true;
                        break;
                    case JsonTokenType.EndObject when depth == 1:
                        _inRun = false;
                        break;
                    case JsonTokenType.EndArray when depth == 1:
                        _inEvents = false;
                        break;
                    case JsonTokenType.StartObject when depth == 2 && _inEvents:
                        Events++;
                        break;
                    case JsonTokenType.Number when depth == 3 && _inEvents && _property == "seq":
                        var seq = reader.GetInt64();
                        if (seq != LastSeq + 1) InOrder = false;
                        LastSeq = seq;
                        break;
                    case JsonTokenType.String when depth == 2 && _inRun && _property == "id":
                        RunId = reader.GetString();
                        break;
                    case JsonTokenType.Number when depth == 2 && _inRun && _property == "eventCount":
                        RunEventCount = reader.GetInt64();
                        break;
                    case JsonTokenType.EndObject when depth == 0:
                        Whole = true;
                        break;
                }
                _property = null;
            }
            _state = reader.CurrentState;
            return (int)reader.BytesConsumed;
        }
    }
}
