using System.Security.Cryptography;
using System.Text;
using LockLab.Server.Configuration;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Security;

/// <summary>
/// The secret that lets someone start runs (and, later, drive a room). Taken from configuration, or generated
/// once per server start when none is configured (and shared by the instances of a deployment, see
/// <see cref="ScaleOut.ISharedPresenterKey"/>).
/// </summary>
public sealed class PresenterKey
{
    private readonly byte[] _key;

    public PresenterKey(IOptions<LockLabOptions> options, ScaleOut.ISharedPresenterKey? shared = null)
    {
        var configured = string.IsNullOrWhiteSpace(options.Value.PresenterKey) ? options.Value.Key : options.Value.PresenterKey;
        IsGenerated = string.IsNullOrWhiteSpace(configured);
        Value = IsGenerated ? Generate(shared) : configured!.Trim();
        _key = Encoding.UTF8.GetBytes(Value);
    }

    public string Value { get; }

    private static string Generate(ScaleOut.ISharedPresenterKey? shared)
    {
        var proposal = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        try
        {
            return shared?.AgreeOn(proposal) ?? proposal;
        }
        catch (StackExchange.Redis.RedisException)
        {
            return proposal; // Redis is down: /readyz says so; this instance's own key (logged at start) still works here
        }
    }

    public bool IsGenerated { get; }

    /// <summary>Constant-time comparison: the time taken says nothing about how much of a guess was right.</summary>
    public bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _key);
}
