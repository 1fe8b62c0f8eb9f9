using LockLab.Server.Runs;

namespace LockLab.Server.Broadcasting;

public static class BroadcastingServiceCollectionExtensions
{
    /// <summary>
    /// Fan-out to rooms: every accepted run's broadcast (a run observer), each page's bounded feed, the room channel
    /// that writes to this server's pages (several instances reach it by way of Redis: ScaleOut), and viewer counts.
    /// </summary>
    public static IServiceCollection AddBroadcasting(this IServiceCollection services)
    {
        services.AddSingleton<ViewerFeeds>();
        services.AddSingleton<ViewerCountAnnouncer>();
        services.AddSingleton<LocalRoomChannel>();
        services.AddSingleton<RunBroadcaster>();
        services.AddSingleton<IRunObserver>(sp => sp.GetRequiredService<RunBroadcaster>());
        return services;
    }
}
