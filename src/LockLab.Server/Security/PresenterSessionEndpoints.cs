using LockLab.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LockLab.Server.Security;

/// <summary>
/// <c>/api/presenter/session</c>: a device that shows the key gets a presenter session
/// token to send from then on (<see cref="PresenterSessions"/>); the lab's pages do this when the key is entered.
/// </summary>
public static class PresenterSessionEndpoints
{
    public static IEndpointRouteBuilder MapPresenterSessions(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/presenter/session", Issue)
            .RequireAuthorization(PresenterKeyAuthenticationHandler.Policy)
            .WithTags("Presenter")
            .WithName("SignInPresenter");
        return app;
    }

    /// <summary>Only the key itself opens a session: a session (stolen, say) cannot extend itself past its expiry.</summary>
    private static Results<Created<PresenterSession>, ProblemHttpResult> Issue(PresenterSessions sessions, System.Security.Claims.ClaimsPrincipal caller) =>
        caller.HasClaim(System.Security.Claims.ClaimTypes.AuthenticationMethod, PresenterKeyAuthenticationHandler.ByKey)
            ? TypedResults.Created((string?)null, sessions.Issue())
            : TypedResults.Problem("A presenter session is opened with the presenter key itself, not with another session.",
                statusCode: StatusCodes.Status403Forbidden, title: "Sign in with the key");
}
