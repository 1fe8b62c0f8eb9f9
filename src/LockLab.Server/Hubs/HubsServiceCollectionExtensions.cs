using LockLab.Server.Broadcasting;
using Microsoft.AspNetCore.SignalR;

namespace LockLab.Server.Hubs;

public static class HubsServiceCollectionExtensions
{
    /// <summary>
    /// The lab's hub, as SignalR manages its connections: in memory on every instance, with the directory of live
    /// connections the pages' feeds write to (<see cref="LabHubLifetimeManager{THub}"/>).
    /// </summary>
    public static IServiceCollection AddLabHub(this IServiceCollection services)
    {
        services.AddSingleton<LabHubLifetimeManager<LabHub>>();
        services.AddSingleton<HubLifetimeManager<LabHub>>(sp => sp.GetRequiredService<LabHubLifetimeManager<LabHub>>());
        services.AddSingleton<IHubConnections>(sp => sp.GetRequiredService<LabHubLifetimeManager<LabHub>>());
        services.AddSingleton<ConnectionsPerAddress>();
        return services;
    }
}
