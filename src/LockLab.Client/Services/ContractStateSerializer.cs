using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Components;

namespace LockLab.Client.Services;

/// <summary>
/// Carries a contract type from the prerender into the WebAssembly page (<c>[PersistentState]</c>) with the
/// source-generated <see cref="ClientJsonContext"/> instead of reflection: the browser deserializes the lesson
/// before its first render, and there reflection-based JSON costs start-up time (and trimming safety).
/// </summary>
public sealed class ContractStateSerializer<T>(JsonTypeInfo<T> typeInfo) : PersistentComponentStateSerializer<T>
{
    public override void Persist(T value, IBufferWriter<byte> writer)
    {
        using var json = new Utf8JsonWriter(writer);
        JsonSerializer.Serialize(json, value, typeInfo);
    }

    public override T Restore(ReadOnlySequence<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        return JsonSerializer.Deserialize(ref reader, typeInfo)!;
    }
}
