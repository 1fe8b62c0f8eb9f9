using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using LockLab.Contracts;
using LockLab.Server.Broadcasting;
using LockLab.Server.Configuration;
using LockLab.Server.Rooms;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LockLab.Server.ScaleOut;

/// <summary>
/// Several instances, one delivery path, the same as one server's: a room's messages are published on the deployment's
/// room channel in Redis; every instance (the sender too) hears them and hands them to its own pages in the room through
/// <see cref="LocalRoomChannel"/> — each page's bounded feed, so a slow page holds up no other, and pages that show only
/// a big run's latest lines get only those.
/// </summary>
/// <remarks>
/// Publishing goes through one queue, in order: a message Redis does not take (a time-out while it is paused, a dropped
/// connection) is tried again, with back-off, for up to <see cref="LockLabOptions.RoomMessageRetrySeconds"/> before the
/// next is sent, so a short outage loses nothing and a run's <c>RunCompleted</c> still arrives after its events. A try
/// that timed out may still have reached Redis: a page can then get a message twice, which it takes in its stride
/// (events are kept by sequence number, run and room news replace what the page had).
/// </remarks>
public sealed class RedisRoomChannel(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    LocalRoomChannel local,
    IOptions<LockLabOptions> options,
    ILogger<RedisRoomChannel> logger) : IRoomChannel, IHostedService, IDisposable
{
    /// <summary>
    /// Messages waiting while Redis does not take them. Beyond this, further batches of events are not queued (pages
    /// catch up on them by sequence number when the run ends); news of runs and rooms always is.
    /// </summary>
    public const int MaxQueued = 5_000;

    private readonly Channel<RoomMessage> _queue = Channel.CreateUnbounded<RoomMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private ChannelMessageQueue? _subscription;
    private int _queued;
    private bool _droppingEvents;

    private RedisChannel RoomMessages => RedisChannel.Literal(keys.RoomMessages);

    public void Send(string room, string method, params object?[] args) => Enqueue(new RoomMessage(room, method, args, null));

    public void SendBigRun(string room, string method, object?[]? toEveryEvent, object?[]? toLatestOnly)
    {
        if (toEveryEvent is null && toLatestOnly is null) return;
        Enqueue(new RoomMessage(room, method, toEveryEvent, toLatestOnly));
    }

    private void Enqueue(RoomMessage message)
    {
        if (Interlocked.Increment(ref _queued) > MaxQueued && message.Method == nameof(ILabClient.RunEvents))
        {
            Interlocked.Decrement(ref _queued);
            if (!_droppingEvents) logger.LogWarning("Redis has not taken room messages for a while ({Count} waiting): batches of events are left out until it does; pages catch up on them", MaxQueued);
            _droppingEvents = true;
            return;
        }
        _queue.Writer.TryWrite(message);
    }

    public async Task StartAsync(CancellationToken ct)
    {
        _subscription = await redis.GetSubscriber().SubscribeAsync(RoomMessages);
        // One message after the other, in the order Redis delivers them: a room's messages keep their order.
        _subscription.OnMessage(message => Deliver(message.Message));
        _ = Task.Run(PublishAsync, CancellationToken.None);
    }

    /// <summary>
    /// Waits (within the time given) until what is queued is out. Publishing goes on after this: hosted services stop in
    /// reverse order, and the runs' wind-down, which stops later, still sends each room its runs' last news.
    /// </summary>
    public async Task StopAsync(CancellationToken ct)
    {
        while (Volatile.Read(ref _queued) > 0 && !ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(20, ct);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>At the container's end, after every hosted service has stopped.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _queue.Writer.TryComplete();
    }

    private async Task PublishAsync()
    {
        await foreach (var message in _queue.Reader.ReadAllAsync())
        {
            Interlocked.Decrement(ref _queued);
            byte[] payload;
            try
            {
                payload = Encode(message);
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException)
            {
                logger.LogError(ex, "Could not encode {Method} for room {Room}", message.Method, message.Room);
                continue;
            }
            var bound = TimeSpan.FromSeconds(options.Value.RoomMessageRetrySeconds);
            // Given up: pages catch up on what they missed when they next get a batch or reconnect.
            if (await RedisRetry.WriteAsync(() => redis.GetSubscriber().PublishAsync(RoomMessages, payload), bound, logger,
                    $"{message.Method} for room {message.Room}", _stopping.Token))
            {
                _droppingEvents = false;
            }
        }
    }

    private void Deliver(RedisValue payload)
    {
        RoomMessage message;
        try
        {
            message = Decode(payload);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or KeyNotFoundException or InvalidOperationException)
        {
            logger.LogWarning(ex, "Ignored a malformed message on the deployment's room channel");
            return;
        }
        if (message.ToLatestOnly is null && message.ToEveryEvent is { } args) local.Send(message.Room, message.Method, args);
        else local.SendBigRun(message.Room, message.Method, message.ToEveryEvent, message.ToLatestOnly);
    }

    /// <summary>A room's message: the method, and its arguments for every page or (a big run) for each kind of page.</summary>
    private sealed record RoomMessage(string Room, string Method, object?[]? ToEveryEvent, object?[]? ToLatestOnly);

    /// <summary><c>{"room":…,"method":…,"every":[…]|null,"latest":[…]|null}</c>, each argument in the contract's JSON.</summary>
    private static byte[] Encode(RoomMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("room", message.Room);
            json.WriteString("method", message.Method);
            WriteArguments(json, "every", message.ToEveryEvent);
            WriteArguments(json, "latest", message.ToLatestOnly);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteArguments(Utf8JsonWriter json, string name, object?[]? args)
    {
        if (args is null)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartArray(name);
        foreach (var arg in args)
        {
            if (arg is null) json.WriteNullValue();
            else JsonSerializer.Serialize(json, arg, arg.GetType(), ContractsJsonContext.Default);
        }
        json.WriteEndArray();
    }

    private static RoomMessage Decode(RedisValue payload)
    {
        using var document = JsonDocument.Parse((ReadOnlyMemory<byte>)payload);
        var root = document.RootElement;
        var method = root.GetProperty("method").GetString()!;
        return new RoomMessage(root.GetProperty("room").GetString()!, method,
            ReadArguments(method, root.GetProperty("every")), ReadArguments(method, root.GetProperty("latest")));
    }

    /// <summary>The arguments as the methods of <see cref="ILabClient"/> take them: the types the pages' feeds send.</summary>
    private static object?[]? ReadArguments(string method, JsonElement args)
    {
        if (args.ValueKind == JsonValueKind.Null) return null;
        var json = ContractsJsonContext.Default;
        return method switch
        {
            nameof(ILabClient.RunStarted) or nameof(ILabClient.RunCompleted) => [args[0].Deserialize(json.RunInfo)],
            nameof(ILabClient.RunEvents) => [args[0].GetString(), args[1].Deserialize(json.RunEventArray)],
            nameof(ILabClient.PageChanged) => [args[0].GetString(), args[1].GetString(), args[2].GetInt32()],
            nameof(ILabClient.ViewersChanged) => [args[0].GetString(), args[1].GetInt32()],
            _ => throw new InvalidDataException($"'{method}' is not a message the lab sends to rooms."),
        };
    }
}
