using LockLab.Server.Broadcasting;
using LockLab.Server.Configuration;
using LockLab.Server.Diagnostics;
using LockLab.Server.Rooms;
using LockLab.Server.Runs;
using LockLab.Server.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace LockLab.Server.ScaleOut;

public static class ScaleOutServiceCollectionExtensions
{
    /// <summary>
    /// One server (the embedded default): rooms and runs in memory, each room's messages written straight to this
    /// server's pages. With <c>LockLab:Redis</c> set, several instances serve one deployment: each room's messages go
    /// through Redis to every instance, which writes them to its own pages the same way (<see cref="RedisRoomChannel"/>),
    /// and rooms, the runs pages may catch up with, instance heartbeats and the generated presenter key live in Redis
    /// (keys and channels under <c>LockLab:RedisChannelPrefix</c>).
    /// </summary>
    public static ISignalRServerBuilder AddScaleOut(this ISignalRServerBuilder signalR, IConfiguration configuration)
    {
        var services = signalR.Services;
        var options = configuration.GetSection(LockLabOptions.Section).Get<LockLabOptions>() ?? new LockLabOptions();

        if (string.IsNullOrWhiteSpace(options.Redis))
        {
            services.AddSingleton<IRoomDirectory, InMemoryRoomDirectory>();
            services.AddSingleton<IRoomChannel>(sp => sp.GetRequiredService<LocalRoomChannel>());
            services.AddSingleton<ISharedRuns, NoSharedRuns>();
            services.AddSingleton<IRoomRunSlots, LocalRoomRunSlots>();
            services.AddSingleton<IInstanceDirectory, SingleInstance>();
            services.AddSingleton<IRunCommandRelay, NoRunCommandRelay>();
            return signalR;
        }

        var redisOptions = ConfigurationOptions.Parse(options.Redis);
        redisOptions.AbortOnConnectFail = false; // start without Redis, reconnect in the background; /readyz tells
        redisOptions.ClientName ??= "locklab";
        var keys = new RedisKeys(string.IsNullOrWhiteSpace(options.RedisChannelPrefix) ? "locklab" : options.RedisChannelPrefix);
        // One connection for rooms' messages and the lab's own keys: commands on it reach Redis in the order they were
        // issued. Registered as an instance, so the container does not dispose it while what uses it still may.
        var redis = ConnectionMultiplexer.Connect(redisOptions);
        services.AddSingleton<IConnectionMultiplexer>(redis);
        services.AddSingleton(keys);

        // Antiforgery tokens and protected cookies issued by one lab must be readable by the next one a browser reaches.
        services.AddDataProtection().SetApplicationName("LockLab").PersistKeysToStackExchangeRedis(redis, keys.DataProtectionKeys);

        services.AddSingleton<IRoomDirectory, RedisRoomDirectory>();
        services.AddSingleton<RedisRoomChannel>();
        services.AddSingleton<IRoomChannel>(sp => sp.GetRequiredService<RedisRoomChannel>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisRoomChannel>());
        services.AddSingleton<RedisSharedRuns>();
        services.AddSingleton<ISharedRuns>(sp => sp.GetRequiredService<RedisSharedRuns>());
        services.AddSingleton<RedisRoomRunSlots>();
        services.AddSingleton<IRoomRunSlots>(sp => sp.GetRequiredService<RedisRoomRunSlots>());
        services.AddSingleton<InstanceLiveness>();
        services.AddSingleton<IInstanceDirectory>(sp => sp.GetRequiredService<InstanceLiveness>());
        services.AddHostedService(sp => sp.GetRequiredService<InstanceLiveness>());
        services.AddSingleton<RedisRunCommandRelay>();
        services.AddSingleton<IRunCommandRelay>(sp => sp.GetRequiredService<RedisRunCommandRelay>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisRunCommandRelay>());
        services.AddSingleton<ISharedPresenterKey, RedisSharedPresenterKey>();
        services.AddHealthChecks().AddReadinessCheck<RedisHealthCheck>("redis");
        return signalR;
    }
}
