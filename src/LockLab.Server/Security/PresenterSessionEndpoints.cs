using LockLab.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LockLab.Server.Security;

/// <summary>
/// <c>/api/presenter/session</c>: a device that shows the key (or a session still valid) gets a presenter session
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

    private static Created<PresenterSession> Issue(PresenterSessions sessions) =>
        TypedResults.Created((string?)null, sessions.Issue());
}
