using Microsoft.AspNetCore.Mvc;

namespace LockLab.Server.Security;

/// <summary>An error answered from middleware (outside an endpoint's typed results), as RFC 7807 problem details.</summary>
public static class Problems
{
    public static Task WriteAsync(HttpContext http, int status, string title, string detail)
    {
        http.Response.StatusCode = status;
        return http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}
