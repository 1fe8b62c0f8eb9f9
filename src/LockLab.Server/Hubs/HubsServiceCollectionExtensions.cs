namespace LockLab.Server.Hubs;

public static class HubsServiceCollectionExtensions
{
    /// <summary>What the lab's hub needs besides SignalR itself: each viewer's feed, and the viewer counts it announces.</summary>
    public static IServiceCollection AddLabHub(this IServiceCollection services)
    {
        services.AddSingleton<ViewerFeeds>();
        services.AddSingleton<ViewerCountAnnouncer>();
        return services;
    }
}
