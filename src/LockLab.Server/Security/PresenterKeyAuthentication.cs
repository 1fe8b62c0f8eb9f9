using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Security;

/// <summary>
/// Authenticates a request as the presenter when it carries the presenter key: <c>Authorization: Bearer &lt;key&gt;</c>,
/// or, for the SignalR hub only (browsers cannot set headers on WebSockets), the <c>access_token</c> query parameter.
/// A signed-in device sends its presenter session token the same way (<see cref="PresenterSessions"/>): checked before
/// the per-address lock-out, so others' wrong keys never lock it out. Requests without either stay anonymous: viewing
/// never needs one.
/// </summary>
public sealed class PresenterKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    PresenterKey key,
    KeyAttemptLimiter limiter,
    PresenterSessions sessions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "PresenterKey";
    public const string Policy = "Presenter";
    public const string Role = "presenter";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var candidate = ReadCandidate();
        if (candidate is null) return Task.FromResult(AuthenticateResult.NoResult());
        if (candidate.StartsWith(PresenterSessions.TokenPrefix, StringComparison.Ordinal))
        {
            return Task.FromResult(sessions.IsValid(candidate) ? Presenter(BySession) : AuthenticateResult.Fail(SessionEnded));
        }
        var address = ClientAddress.Of(Context);
        if (limiter.IsLockedOut(address)) return Task.FromResult(AuthenticateResult.Fail(LockedOut));
        if (!key.Matches(candidate))
        {
            limiter.RecordFailure(address);
            return Task.FromResult(AuthenticateResult.Fail("The presenter key is not correct."));
        }
        return Task.FromResult(Presenter(ByKey));
    }

    /// <summary>How the presenter proved it (claim <see cref="ClaimTypes.AuthenticationMethod"/>): a session is not renewed by itself.</summary>
    public const string ByKey = "key";
    public const string BySession = "session";

    private static AuthenticateResult Presenter(string method) => AuthenticateResult.Success(new AuthenticationTicket(
        new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Role, Role), new Claim(ClaimTypes.AuthenticationMethod, method)], SchemeName)),
        SchemeName));

    private string? ReadCandidate()
    {
        string? header = Request.Headers.Authorization;
        if (header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }
        if (Request.Path.StartsWithSegments("/hubs") && Request.Query.TryGetValue("access_token", out var token))
        {
            return token.ToString();
        }
        return null;
    }

    private const string LockedOut = "Too many wrong presenter keys from this address.";
    private const string SessionEnded = "This device's presenter sign-in has expired or is no longer valid.";

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        if (failure?.Message == LockedOut)
        {
            Response.Headers.RetryAfter = ((int)KeyAttemptLimiter.Window.TotalSeconds).ToString();
            await Problems.WriteAsync(Context, StatusCodes.Status429TooManyRequests, "Too many wrong keys",
                $"{LockedOut} Wait a minute before trying again.");
            return;
        }
        Response.Headers.WWWAuthenticate = "Bearer";
        await (failure?.Message switch
        {
            null => Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Presenter key required",
                "Send the presenter key as 'Authorization: Bearer <key>'. When none is configured, the server prints the one it "
                    + "generated on its console and keeps it in its data folder (presenter-key)."),
            SessionEnded => Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Presenter sign-in expired",
                $"{SessionEnded} Send the presenter key again."),
            _ => Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Wrong presenter key",
                "The presenter key in the Authorization header is not correct."),
        });
    }
}
