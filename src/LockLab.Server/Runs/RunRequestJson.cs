using System.Text.Json;
using System.Text.Json.Serialization;
using LockLab.Contracts;

namespace LockLab.Server.Runs;

/// <summary>
/// How run requests are read: camelCase, and an unknown field (a typo such as <c>proceses</c>) is an error, not
/// silently ignored.
/// </summary>
public static class RunRequestJson
{
    public static readonly JsonSerializerOptions StrictOptions = new(ContractsJsonContext.Default.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // A request's "program" given as a model is read with the programs' own contract; its steps written by hand need
        // not put their "op" first.
        TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(
            ContractsJsonContext.Default, LockLab.Contracts.Experiments.ProgramsJsonContext.Default),
        AllowOutOfOrderMetadataProperties = true,
    };

    public static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<RunRequest> Strict =
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<RunRequest>)StrictOptions.GetTypeInfo(typeof(RunRequest));
}
