using System.Text.Json;
using System.Text.Json.Serialization;

namespace LockLab.Contracts;

/// <summary>
/// Source-generated JSON for every contract type: the worker writes events with it (no reflection, fast start-up),
/// and the server and the WebAssembly client read them with it (trim-safe).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(RunEvent))]
[JsonSerializable(typeof(RunEvent[]))]
[JsonSerializable(typeof(WorkerJob))]
[JsonSerializable(typeof(RunRequest))]
[JsonSerializable(typeof(RunInfo))]
[JsonSerializable(typeof(RunInfo[]))]
[JsonSerializable(typeof(RunTimings))]
[JsonSerializable(typeof(RoomState))]
[JsonSerializable(typeof(PresenterSession))]
[JsonSerializable(typeof(PageRequest))]
[JsonSerializable(typeof(RoomSettings))]
[JsonSerializable(typeof(StudentSeat))]
[JsonSerializable(typeof(JoinAddresses))]
[JsonSerializable(typeof(LabLimits))]
[JsonSerializable(typeof(ScenarioInfo[]))]
[JsonSerializable(typeof(IReadOnlyList<RunEvent>))]
[JsonSerializable(typeof(LessonSummary[]))]
[JsonSerializable(typeof(LessonDocument))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
