using System.Text.Json;
using System.Text.Json.Serialization;
using LockLab.Contracts;

namespace LockLab.Client.Services;

/// <summary>
/// The JSON the page reads and writes, and nothing more. The contract's own context (<see cref="ContractsJsonContext"/>)
/// also carries the worker's job and the server's types, and writes every type by generated code as well: in the
/// browser that was most of LockLab.Contracts' download, for types the page never meets. Reading needs only each type's
/// metadata; the requests the page sends (a run, a page change, the room's settings) are small.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(RunEvent[]))]
[JsonSerializable(typeof(RunInfo))]
[JsonSerializable(typeof(RunInfo[]))]
[JsonSerializable(typeof(RunRequest))]
[JsonSerializable(typeof(RoomState))]
[JsonSerializable(typeof(PresenterSession))]
[JsonSerializable(typeof(PageRequest))]
[JsonSerializable(typeof(RoomSettings))]
[JsonSerializable(typeof(StudentSeat))]
[JsonSerializable(typeof(JoinAddresses))]
[JsonSerializable(typeof(LabLimits))]
[JsonSerializable(typeof(ScenarioInfo[]))]
[JsonSerializable(typeof(LessonSummary[]))]
[JsonSerializable(typeof(LessonDocument))]
public sealed partial class ClientJsonContext : JsonSerializerContext;
