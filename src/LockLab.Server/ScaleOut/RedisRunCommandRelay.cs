using System.Text.Json;
using LockLab.Server.Runs;
using StackExchange.Redis;

namespace LockLab.Server.ScaleOut;

/// <summary>
/// Several instances: a stop, step or show for a run another instance executes is published on one Redis
/// channel of the deployment; every instance listens, and the one that holds the run applies it.
/// </summary>
public sealed class RedisRunCommandRelay(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    IServiceProvider services,
    ILogger<RedisRunCommandRelay> logger) : IRunCommandRelay, IHostedService
{
    private RedisChannel Channel => RedisChannel.Literal(keys.Prefix + ":run-commands");

    public void Send(RunCommand command) =>
        redis.GetSubscriber().Publish(Channel, JsonSerializer.Serialize(command, RelayJson.Default.RunCommand), CommandFlags.FireAndForget);

    public async Task StartAsync(CancellationToken ct)
    {
        // Resolved late: RunCommands depends on this relay.
        var commands = services.GetRequiredService<RunCommands>();
        await redis.GetSubscriber().SubscribeAsync(Channel, (_, message) =>
        {
            try
            {
                if (JsonSerializer.Deserialize((string)message!, RelayJson.Default.RunCommand) is { } command)
                    commands.ApplyRelayed(command);
            }
            catch (JsonException ex)
            {
                logger.LogWarning(ex, "Ignored a malformed run command on the deployment's channel");
            }
        });
    }

    public Task StopAsync(CancellationToken ct) => redis.GetSubscriber().UnsubscribeAsync(Channel);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(RunCommand))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(UseStringEnumConverter = true)]
internal sealed partial class RelayJson : System.Text.Json.Serialization.JsonSerializerContext;
