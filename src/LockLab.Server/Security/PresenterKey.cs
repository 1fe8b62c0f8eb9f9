using System.Security.Cryptography;
using System.Text;
using LockLab.Server.Configuration;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Security;

/// <summary>
/// The secret that lets someone start runs (and, later, drive a room). Taken from configuration, or generated
/// once per server start when none is configured (and shared by the instances of a deployment, see
/// <see cref="ISharedPresenterKey"/>).
/// </summary>
public sealed class PresenterKey
{
    private readonly byte[] _key;

    public PresenterKey(IOptions<LockLabOptions> options, ISharedPresenterKey? shared = null)
    {
        var configured = string.IsNullOrWhiteSpace(options.Value.PresenterKey) ? options.Value.Key : options.Value.PresenterKey;
        IsGenerated = string.IsNullOrWhiteSpace(configured);
        Value = IsGenerated ? Generate(shared) : configured!.Trim();
        _key = Encoding.UTF8.GetBytes(Value);
    }

    public string Value { get; }

    private static string Generate(ISharedPresenterKey? shared)
    {
        var proposal = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        return shared?.AgreeOn(proposal) ?? proposal;
    }

    public bool IsGenerated { get; }

    /// <summary>Constant-time comparison: the time taken says nothing about how much of a guess was right.</summary>
    public bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _key);
}

/// <summary>
/// When no presenter key is configured, each server generates one. Instances behind one load balancer must agree on
/// it — a presenter's next request may reach any of them — so the first to start stores its key and all use that one
/// (<see cref="ScaleOut.RedisSharedPresenterKey"/>). Never throws: when the store cannot be reached, the proposal stands.
/// </summary>
public interface ISharedPresenterKey
{
    /// <summary>The deployment's generated key: <paramref name="proposal"/> if this instance is the first, else the one already agreed.</summary>
    string AgreeOn(string proposal);
}
