using System.Text.Json;
using System.Text.Json.Serialization;

namespace LockLab.Contracts.Experiments;

/// <summary>
/// Source-generated JSON for programs, apart from <see cref="ContractsJsonContext"/>: the page reads every contract
/// through that one, which keeps every type it names in the WebAssembly download, and the page has no use for programs
/// yet (their parser and validator would cost the page's byte budget for nothing).
/// </summary>
// Out-of-order metadata: a program's steps written by hand need not put their "op" first.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(ExperimentProgram))]
[JsonSerializable(typeof(ProgramSource))]
public sealed partial class ProgramsJsonContext : JsonSerializerContext;
