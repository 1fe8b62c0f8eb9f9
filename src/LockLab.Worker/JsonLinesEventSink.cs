using System.Buffers;
using System.Text.Json;
using LockLab.Contracts;

namespace LockLab.Worker;

/// <summary>
/// Writes each event as one JSON line (the contract's camelCase <see cref="RunEvent"/>) to a stream, buffered:
/// the job flushes before it blocks, so live runs show each event at once and stress runs are not slowed by
/// one write system call per event.
/// </summary>
public sealed class JsonLinesEventSink(Stream output) : IEventSink
{
    private const int FlushThreshold = 64 * 1024;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushThreshold * 2);
    private readonly Utf8JsonWriter _json = new(Stream.Null);

    public void Write(RunEvent e)
    {
        _json.Reset(_buffer);
        JsonSerializer.Serialize(_json, e, ContractsJsonContext.Default.RunEvent);
        _json.Flush();
        _buffer.Write("\n"u8);
        if (_buffer.WrittenCount >= FlushThreshold) Flush();
    }

    /// <summary>
    /// Runs the serialization path once into a discarded buffer, and the output stream's write path with an
    /// empty write (a pipe reader sees nothing), so that both are compiled before the job starts: a first-call
    /// JIT pause would otherwise show up as milliseconds of "waiting for the lock" or a late first print.
    /// </summary>
    public void WarmUp()
    {
        var scratch = new JsonLinesEventSink(Stream.Null);
        scratch.Write(new RunEvent(1, "p1", 1, EventKind.Write, 1, 1.5));
        scratch.Flush();
        output.Write(ReadOnlySpan<byte>.Empty);
        output.Flush();
    }

    public void Flush()
    {
        if (_buffer.WrittenCount == 0) return;
        output.Write(_buffer.WrittenSpan);
        output.Flush();
        _buffer.ResetWrittenCount();
    }
}
