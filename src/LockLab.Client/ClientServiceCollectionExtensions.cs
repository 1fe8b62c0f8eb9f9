using LockLab.Client.Services;
using LockLab.Contracts;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;

namespace LockLab.Client;

public static class ClientServiceCollectionExtensions
{
    /// <summary>
    /// The page's services. Registered by the WebAssembly client and by the server, which prerenders the same
    /// components (nothing connects during prerendering: see <see cref="LabConnection"/>).
    /// </summary>
    public static IServiceCollection AddLabClientServices(this IServiceCollection services)
    {
        services.AddMudServices();
        services.AddLocalization(); // IStringLocalizer<Strings>: Resources/Strings.*.resx
        services.AddScoped<PresenterKeyStore>();
        services.AddScoped<StudentIdStore>();
        services.AddScoped<LabConnection>();
        services.AddScoped<LabApi>();
        services.AddScoped<JoinAddressChoice>();
        services.AddScoped<Layout.ProjectionTheme>();
        services.TryAddScoped<ILessonSource, HttpLessonSource>(); // the server registers its own first
        services.TryAddScoped<IRoomLookup, HttpRoomLookup>();
        services.TryAddScoped<IRunArchive, HttpRunArchive>();
        // What pages carry from the prerender ([PersistentState]), in source-generated JSON. Factories: a page builds
        // only the serializer (and JSON metadata) for what it carries.
        services.AddSingleton<PersistentComponentStateSerializer<LessonDocument>>(_ =>
            new ContractStateSerializer<LessonDocument>(ClientJsonContext.Default.LessonDocument));
        services.AddSingleton<PersistentComponentStateSerializer<LessonSummary[]>>(_ =>
            new ContractStateSerializer<LessonSummary[]>(ClientJsonContext.Default.LessonSummaryArray));
        services.AddSingleton<PersistentComponentStateSerializer<RoomState>>(_ =>
            new ContractStateSerializer<RoomState>(ClientJsonContext.Default.RoomState));
        services.AddSingleton<PersistentComponentStateSerializer<RunInfo[]>>(_ =>
            new ContractStateSerializer<RunInfo[]>(ClientJsonContext.Default.RunInfoArray));
        return services;
    }
}
