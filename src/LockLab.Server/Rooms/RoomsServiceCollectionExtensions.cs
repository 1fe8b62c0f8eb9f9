namespace LockLab.Server.Rooms;

public static class RoomsServiceCollectionExtensions
{
    /// <summary>Classrooms: the room registry (in memory, or in Redis with scale-out) and where students join.</summary>
    public static IServiceCollection AddRooms(this IServiceCollection services)
    {
        services.AddSingleton<RoomRegistry>();
        services.AddScoped<LockLab.Client.Services.IRoomLookup, RegistryRoomLookup>();
        services.AddSingleton<JoinAddressFinder>();
        return services;
    }
}
