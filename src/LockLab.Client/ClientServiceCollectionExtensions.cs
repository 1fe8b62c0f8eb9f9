using LockLab.Client.Services;
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
        return services;
    }
}
