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
    };

    public static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<RunRequest> Strict =
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<RunRequest>)StrictOptions.GetTypeInfo(typeof(RunRequest));
}
