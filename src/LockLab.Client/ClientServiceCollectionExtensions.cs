using LockLab.Client.Services;
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
        services.AddScoped<PresenterKeyStore>();
        services.AddScoped<LabConnection>();
        services.TryAddScoped<ILessonSource, HttpLessonSource>(); // the server registers its own first
        services.TryAddScoped<IRoomLookup, HttpRoomLookup>();
        services.TryAddScoped<IRunArchive, HttpRunArchive>();
        return services;
    }
}
