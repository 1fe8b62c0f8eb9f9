using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Security;

/// <summary>
/// Authenticates a request as the presenter when it carries the presenter key: <c>Authorization: Bearer &lt;key&gt;</c>,
/// or, for the SignalR hub only (browsers cannot set headers on WebSockets), the <c>access_token</c> query parameter.
/// Requests without a key stay anonymous: viewing never needs one.
/// </summary>
public sealed class PresenterKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    PresenterKey key,
    KeyAttemptLimiter limiter,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "PresenterKey";
    public const string Policy = "Presenter";
    public const string Role = "presenter";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var candidate = ReadCandidate();
        if (candidate is null) return Task.FromResult(AuthenticateResult.NoResult());
        var address = Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (limiter.IsLockedOut(address)) return Task.FromResult(AuthenticateResult.Fail(LockedOut));
        if (!key.Matches(candidate))
        {
            limiter.RecordFailure(address);
            return Task.FromResult(AuthenticateResult.Fail("The presenter key is not correct."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, Role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

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

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        if (failure?.Message == LockedOut)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = ((int)KeyAttemptLimiter.Window.TotalSeconds).ToString();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = Context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Title = "Too many wrong keys",
                    Detail = $"{LockedOut} Wait a minute before trying again.",
                },
            });
            return;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var failed = failure is not null;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = failed ? "Wrong presenter key" : "Presenter key required",
                Detail = failed
                    ? "The presenter key in the Authorization header is not correct."
                    : "Send the presenter key as 'Authorization: Bearer <key>'. The server logs its key at start-up when none is configured.",
            },
        });
    }
}
