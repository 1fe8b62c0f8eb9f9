using System.Collections.Concurrent;
using System.Diagnostics;
using LockLab.Contracts;

namespace LockLab.Server.Security;

/// <summary>
/// Slows guessing room codes, per client address, wherever an anonymous caller learns whether a room exists (joining it,
/// <c>GET /api/rooms/{code}</c> and its QR code, the room pages, runs listed by room). Each address may name
/// <see cref="Burst"/> codes that turn out not to exist, then one more every <see cref="Every"/>; past that it may only
/// name codes it has named before. A class behind one NAT address is not held up by a guesser among it: the codes its
/// pages joined, and the ones they wait for (a page asks again every few seconds until the presenter opens the room),
/// cost nothing to name again. Presenters are not counted.
/// </summary>
/// <remarks>
/// A code is 4 of 31 characters (923,521 codes). At one new code per 10 s, an address names 8,640 a day: with ten
/// rooms open, a one-in-ten chance of finding one — and what it finds is a lesson to watch (acting needs the key).
/// The per-connection join allowance (LabHub) and the read limit per address (Security/ReadLimits) bound the rest.
/// </remarks>
public sealed class RoomCodeGuesses
{
    public const int Burst = 20;
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(10);

    /// <summary>Codes remembered per address, found and missed: more than a school's rooms, and a typo or two each.</summary>
    private const int Remembered = 32;

    /// <summary>Addresses remembered before those that are owed nothing are forgotten.</summary>
    private const int Addresses = 10_000;

    private sealed class Caller
    {
        public double Credit = Burst;
        public long At = Stopwatch.GetTimestamp();
        public readonly List<string> Named = [];

        /// <summary>Earns back credit for the time since it was last asked; answers whether it is whole.</summary>
        public bool Refill(long now)
        {
            Credit = Math.Min(Burst, Credit + Stopwatch.GetElapsedTime(At, now) / Every);
            At = now;
            return Credit >= Burst;
        }
    }

    /// <summary>What a caller refused is told.</summary>
    public const string Refusal =
        "Too many room codes that do not exist were tried from this address. "
        + "Check the code the presenter shows and try again in a few seconds.";

    private readonly ConcurrentDictionary<string, Caller> _callers = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="address"/> may be told whether <paramref name="room"/> exists now.</summary>
    public bool MayAsk(string address, string room)
    {
        if (room == RoomNames.Main || !_callers.TryGetValue(address, out var caller)) return true;
        lock (caller)
        {
            caller.Refill(Stopwatch.GetTimestamp());
            return caller.Credit >= 1 || caller.Named.Contains(room);
        }
    }

    /// <summary><paramref name="address"/> was told whether <paramref name="room"/> exists: a new code that does not costs credit.</summary>
    public void Answered(string address, string room, bool exists)
    {
        if (room == RoomNames.Main) return;
        var caller = _callers.GetOrAdd(address, _ => new Caller());
        lock (caller)
        {
            var namedBefore = caller.Named.Remove(room);
            caller.Named.Add(room); // most recent last
            if (caller.Named.Count > Remembered) caller.Named.RemoveAt(0);
            if (exists || namedBefore) return;
            caller.Refill(Stopwatch.GetTimestamp());
            caller.Credit -= 1;
        }
        if (_callers.Count > Addresses) ForgetSettled();
    }

    /// <summary>
    /// Looks <paramref name="room"/> up for <paramref name="address"/> with <paramref name="find"/> (null: it does not
    /// exist), counting the answer. <see cref="Asked{T}.Refused"/> when the address may not ask now.
    /// </summary>
    public async Task<Asked<T>> AskAsync<T>(string address, string room, Func<Task<T?>> find) where T : class
    {
        if (!MayAsk(address, room)) return new Asked<T>(null, Refused: true);
        var found = await find();
        Answered(address, room, found is not null);
        return new Asked<T>(found, Refused: false);
    }

    /// <summary>The HTTP answer to a refused caller: 429, and when to ask again.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult TooMany(HttpContext http)
    {
        http.Response.Headers.RetryAfter = ((int)Every.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(Refusal, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many unknown room codes");
    }

    /// <summary>The answer of <see cref="AskAsync{T}"/>: what was found, or that the caller was refused.</summary>
    public readonly record struct Asked<T>(T? Found, bool Refused) where T : class;

    private void ForgetSettled()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var (address, caller) in _callers)
        {
            bool settled;
            lock (caller) settled = caller.Refill(now);
            if (settled) _callers.TryRemove(address, out _);
        }
    }
}
