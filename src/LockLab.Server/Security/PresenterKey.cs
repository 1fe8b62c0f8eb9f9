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
        if (!IsGenerated && Value.StartsWith(PresenterSessions.TokenPrefix, StringComparison.Ordinal))
        {
            throw new OptionsValidationException(LockLabOptions.Section, typeof(LockLabOptions), [
                $"LockLab:PresenterKey may not start with '{PresenterSessions.TokenPrefix}' (that is how presenter sessions begin)."]);
        }
        if (!IsGenerated && EstimatedBits(Value) < MinimumBits)
        {
            throw new OptionsValidationException(LockLabOptions.Section, typeof(LockLabOptions), [
                $"LockLab:PresenterKey is too easy to guess (about {EstimatedBits(Value):0} bits; at least {MinimumBits} are needed): "
                + "use at least 22 random letters and digits (e.g. the output of `openssl rand -hex 16`), or leave it unset "
                + "and the lab generates one."]);
        }
        _key = Encoding.UTF8.GetBytes(Value);
    }

    /// <summary>The strength of a generated key (16 random bytes): a configured key must be as strong.</summary>
    public const int MinimumBits = 128;

    public string Value { get; }

    public ReadOnlySpan<byte> Bytes => _key;

    /// <summary>
    /// An upper estimate of a key's strength, as if each character were drawn at random from the classes it uses
    /// (lower case, upper case, digits, others). A key of fewer than 8 distinct characters is no key at all.
    /// </summary>
    public static double EstimatedBits(string key)
    {
        if (key.Distinct().Count() < 8) return 0;
        var pool = (key.Any(char.IsAsciiLetterLower) ? 26 : 0) + (key.Any(char.IsAsciiLetterUpper) ? 26 : 0)
            + (key.Any(char.IsAsciiDigit) ? 10 : 0) + (key.Any(c => !char.IsAsciiLetterOrDigit(c)) ? 32 : 0);
        return key.Length * Math.Log2(pool);
    }

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
    /// <summary>
    /// The deployment's generated key: <paramref name="proposal"/> if this instance is the first, else the one already
    /// agreed.
    /// </summary>
    string AgreeOn(string proposal);
}
