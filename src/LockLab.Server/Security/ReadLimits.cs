using System.Threading.RateLimiting;
using LockLab.Server.Configuration;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Security;

/// <summary>
/// Reading the API needs no key, so how much one address may read is bounded instead (ASP.NET Core's rate limiter):
/// <c>LockLab:Limits:ReadsPerMinutePerClient</c> GET requests under <c>/api</c> a minute (generous: a class behind one
/// NAT address loading pages, a script polling a run), and at most <c>LockLab:Limits:ExportsAtOncePerClient</c>
/// exports at a time (an export streams a whole run from the history). Beyond either: 429 with problem details.
/// Pages, static files and the hub are not counted here (the hub has its own bounds).
/// </summary>
public static class ReadLimits
{
    public static IServiceCollection AddReadLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                return new ValueTask(Problems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests,
                    "Too many requests", "This address asked the lab too often, or for too many exports at once; wait a moment."));
            };
            o.GlobalLimiter = Reads();
            o.AddPolicy(ExportsPolicy, http => RateLimitPartition.GetConcurrencyLimiter(ClientAddress.Of(http), _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = Limits(http).ExportsAtOncePerClient,
                QueueLimit = 0,
            }));
        });
        return services;
    }

    /// <summary>The policy an export endpoint names (<c>RequireRateLimiting</c>): exports one address runs at once.</summary>
    public const string ExportsPolicy = "exports";

    private static bool IsApiRead(HttpContext http) =>
        HttpMethods.IsGet(http.Request.Method) && http.Request.Path.StartsWithSegments("/api");

    private static RunLimits Limits(HttpContext http) =>
        http.RequestServices.GetRequiredService<IOptions<LockLabOptions>>().Value.Limits;

    private static PartitionedRateLimiter<HttpContext> Reads() => PartitionedRateLimiter.Create<HttpContext, string>(http =>
        !IsApiRead(http)
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.GetTokenBucketLimiter(ClientAddress.Of(http), _ =>
            {
                var perMinute = Limits(http).ReadsPerMinutePerClient;
                return new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, perMinute / 6), // ten seconds' worth at once
                    TokensPerPeriod = Math.Max(1, perMinute / 60),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                };
            }));
}
