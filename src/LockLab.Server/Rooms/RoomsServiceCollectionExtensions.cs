namespace LockLab.Server.Rooms;

public static class RoomsServiceCollectionExtensions
{
    /// <summary>
    /// Classrooms: the room registry (in memory, or in Redis with scale-out), who watches which room here, and where
    /// students join; rooms left idle close by themselves. A run accepted for a room keeps the room alive (the registry follows runs).
    /// </summary>
    public static IServiceCollection AddRooms(this IServiceCollection services)
    {
        services.AddSingleton<RoomConnections>();
        services.AddSingleton<RoomAudiences>();
        services.AddSingleton<RoomRegistry>();
        services.AddSingleton<Runs.IRunObserver>(sp => sp.GetRequiredService<RoomRegistry>());
        services.AddSingleton<Security.RoomCodeGuesses>();
        services.AddHttpContextAccessor();
        services.AddScoped<LockLab.Client.Services.IRoomLookup, RegistryRoomLookup>();
        services.AddSingleton<JoinAddressFinder>();
        services.AddSingleton<RoomExpiry>();
        services.AddHostedService(sp => sp.GetRequiredService<RoomExpiry>());
        return services;
    }
}
