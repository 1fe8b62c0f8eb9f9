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
/// Several instances, one delivery path, the same as one server's: a room's messages are added to the deployment's
/// room message log in Redis (a stream); every instance (the sender too) reads them in order and hands them to its own
/// pages in the room through <see cref="LocalRoomChannel"/> — each page's bounded feed, so a slow page holds up no
/// other, and pages that show only a big run's latest lines get only those.
/// </summary>
/// <remarks>
/// Why a stream and not plain publish/subscribe: what is published while an instance's subscription is down (a dropped
/// connection, a Redis fail-over) is gone for it, and a page there would miss a run's end. An instance reads the log from
/// where it left off: at once when the bell channel rings after a message, when its connection comes back, and once a
/// second in any case, so a missed ring costs a second, not a message. The log keeps its last
/// <see cref="LogLength"/> messages (seconds of the busiest run): an instance cut off from Redis for longer than that
/// skips what was trimmed meanwhile, and its pages catch up by sequence number on their next batch or reconnect.
/// Adding goes through one queue, in order: a message Redis does not take (a time-out while it is paused, a dropped
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

    /// <summary>Messages the log keeps (about: Redis trims whole blocks); a busy run adds at most ~200 a second.</summary>
    public const int LogLength = 1_000;

    /// <summary>How long an instance goes without reading the log when it hears no bell.</summary>
    public static readonly TimeSpan ReadAtLeastEvery = TimeSpan.FromSeconds(1);

    /// <summary>Messages read from the log at once.</summary>
    private const int ReadBatch = 200;

    private readonly Channel<RoomMessage> _queue =
        Channel.CreateUnbounded<RoomMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _bell = new(0);
    private RedisValue _readThrough = "0-0";
    private int _queued;
    private bool _droppingEvents;

    private RedisChannel Bell => RedisChannel.Literal(keys.RoomMessageBell);

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
            if (!_droppingEvents)
                logger.LogWarning(
                    "Redis has not taken room messages for a while ({Count} waiting): "
                    + "batches of events are left out until it does; pages catch up on them",
                    MaxQueued);
            _droppingEvents = true;
            return;
        }
        _queue.Writer.TryWrite(message);
    }

    public async Task StartAsync(CancellationToken ct)
    {
        // From the log's end: what was said before this instance started is no news to its pages.
        var last = await redis.GetDatabase().StreamRangeAsync(keys.RoomMessageLog, count: 1, messageOrder: Order.Descending);
        if (last.Length > 0) _readThrough = last[0].Id;
        await redis.GetSubscriber().SubscribeAsync(Bell, (_, _) => Ring());
        redis.ConnectionRestored += OnConnectionRestored;
        _ = Task.Run(PublishAsync, CancellationToken.None);
        _ = Task.Run(ReadAsync, CancellationToken.None);
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => Ring();

    /// <summary>Wakes the reader; rings while it is reading collapse into one more read.</summary>
    private void Ring()
    {
        if (_bell.CurrentCount == 0) _bell.Release();
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
        redis.ConnectionRestored -= OnConnectionRestored;
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
            if (await RedisRetry.WriteAsync(() => AddAsync(payload), bound, logger, message.Method, _stopping.Token))
            {
                _droppingEvents = false;
                // A lost ring is made up by the readers' next regular read.
                await redis.GetSubscriber().PublishAsync(Bell, RedisValue.EmptyString, CommandFlags.FireAndForget);
            }
        }
    }

    private Task AddAsync(byte[] payload) => redis.GetDatabase()
        .StreamAddAsync(keys.RoomMessageLog, "m", payload, maxLength: LogLength, useApproximateMaxLength: true);

    /// <summary>Reads the log from where it left off whenever the bell rings, and at least every second.</summary>
    private async Task ReadAsync()
    {
        var failing = false;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await _bell.WaitAsync(ReadAtLeastEvery, _stopping.Token);
                await ReadNewAsync();
                if (failing) logger.LogInformation("Reading the room message log from Redis again");
                failing = false;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Read again on the next ring or second, from the same place: nothing is skipped.
                if (!failing) logger.LogWarning(ex, "Could not read the room message log from Redis; trying again");
                failing = true;
            }
        }
    }

    private async Task ReadNewAsync()
    {
        while (true)
        {
            var entries = await redis.GetDatabase().StreamReadAsync(keys.RoomMessageLog, _readThrough, ReadBatch);
            foreach (var entry in entries)
            {
                _readThrough = entry.Id;
                Deliver(entry["m"]);
            }
            if (entries.Length < ReadBatch) return;
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
            nameof(ILabClient.RoomSettingsChanged) => [args[0].GetString(), args[1].Deserialize(json.RoomSettings)],
            nameof(ILabClient.StudentRunChanged) => [args[0].Deserialize(json.RunInfo)],
            _ => throw new InvalidDataException($"'{method}' is not a message the lab sends to rooms."),
        };
    }
}
