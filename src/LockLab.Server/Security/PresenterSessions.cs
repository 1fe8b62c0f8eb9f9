using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Security;

/// <summary>
/// A presenter's signed-in device: once a browser has shown the key, it gets a signed, expiring session token
/// (ASP.NET Core data protection) and sends that instead of the key. A session is checked before the per-address key
/// lock-out (<see cref="KeyAttemptLimiter"/>), so others guessing keys from the teacher's address (a school behind one
/// NAT address, a proxy) never lock out a teacher who has signed in once. A token names the key it was issued for: a
/// new key ends every session.
/// </summary>
public sealed class PresenterSessions(
    IDataProtectionProvider protection,
    PresenterKey key,
    IOptions<LockLabOptions> options,
    TimeProvider clock)
{
    /// <summary>What a session token starts with, so it is never mistaken for a key (and never counted as a wrong one).</summary>
    public const string TokenPrefix = "ps.";

    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("LockLab.PresenterSession.v1").ToTimeLimitedDataProtector();

    public TimeSpan Lifetime => TimeSpan.FromHours(options.Value.PresenterSessionHours);

    public PresenterSession Issue()
    {
        var expires = clock.GetUtcNow() + Lifetime;
        return new PresenterSession(TokenPrefix + _protector.Protect(KeyFingerprint(), expires), expires);
    }

    /// <summary>True for a token this deployment issued for the current key that has not expired.</summary>
    public bool IsValid(string token)
    {
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal)) return false;
        try
        {
            var fingerprint = _protector.Unprotect(token[TokenPrefix.Length..], out var expires);
            return expires > clock.GetUtcNow() && CryptographicOperations.FixedTimeEquals(
                Convert.FromBase64String(fingerprint), Convert.FromBase64String(KeyFingerprint()));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return false;
        }
    }

    private string KeyFingerprint() => Convert.ToBase64String(SHA256.HashData(key.Bytes));
}
