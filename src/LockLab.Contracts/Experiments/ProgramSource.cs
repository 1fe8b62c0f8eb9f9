using System.Text.Json;
using System.Text.Json.Serialization;

namespace LockLab.Contracts.Experiments;

/// <summary>
/// A program as a request or a lesson gives it: the text form, or the model as a JSON object. In JSON it is either, as
/// written: <c>"program": "shared counter\nlock l\n…"</c> or <c>"program": {"shared": [...], "processes": [...]}</c>.
/// Neither is trusted: <see cref="ProgramReader.Read(ProgramSource, ProgramLimits)"/> checks it.
/// </summary>
[JsonConverter(typeof(ProgramSourceJsonConverter))]
public sealed record ProgramSource
{
    /// <summary>The text form (<see cref="ProgramText"/>); null when the program was given as a model.</summary>
    public string? Text { get; private init; }

    /// <summary>The model; null when the program was given as text.</summary>
    public ExperimentProgram? Program { get; private init; }

    public static ProgramSource FromText(string text) => new() { Text = text ?? throw new ArgumentNullException(nameof(text)) };

    public static ProgramSource FromProgram(ExperimentProgram program) =>
        new() { Program = program ?? throw new ArgumentNullException(nameof(program)) };

    /// <summary>The program as text: as it was written, or its model written out (<see cref="ProgramText.Format"/>).</summary>
    public string AsText() => Text ?? ProgramText.Format(Program!);
}

/// <summary>Reads a <see cref="ProgramSource"/> from a JSON string or object, and writes it back as it came.</summary>
public sealed class ProgramSourceJsonConverter : JsonConverter<ProgramSource>
{
    public override ProgramSource Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String => ProgramSource.FromText(reader.GetString()!),
            JsonTokenType.StartObject => ProgramSource.FromProgram(ReadModel(ref reader, options)),
            _ => throw new JsonException("program: a program is its text (a string) or its model (an object)."),
        };

    private static ExperimentProgram ReadModel(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        try
        {
            return JsonSerializer.Deserialize(ref reader, ProgramJson(options)) ?? throw new JsonException("program: the program is empty.");
        }
        catch (NotSupportedException ex)
        {
            // A step without its "op" cannot be read as any kind of step; System.Text.Json says so as "not supported",
            // which a caller would take for its own failure. It is the request's: say so as bad JSON, as every other.
            throw new JsonException("program: every step needs its \"op\" (sleep, acquire, release, read, write, add, print, repeat).", ex);
        }
    }

    public override void Write(Utf8JsonWriter writer, ProgramSource value, JsonSerializerOptions options)
    {
        if (value.Text is not null) writer.WriteStringValue(value.Text);
        else JsonSerializer.Serialize(writer, value.Program!, ProgramJson(options));
    }

    /// <summary>The model's contract from the options in use (the source-generated context's: trim-safe, no reflection).</summary>
    private static System.Text.Json.Serialization.Metadata.JsonTypeInfo<ExperimentProgram> ProgramJson(JsonSerializerOptions options) =>
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<ExperimentProgram>)options.GetTypeInfo(typeof(ExperimentProgram));
}
