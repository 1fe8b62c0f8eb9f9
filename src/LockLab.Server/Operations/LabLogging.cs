using LockLab.Server.Configuration;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Formatting.Compact;

namespace LockLab.Server.Operations;

public static class LabLogging
{
    /// <summary>
    /// Serilog for everything the host logs. Levels come from the <c>Serilog</c> configuration section. On the console:
    /// readable lines by default; with <c>LockLab:LogFormat</c> = <c>json</c>, one JSON object per line carrying every
    /// property (<c>RunId</c>, <c>Room</c>, <c>RequestPath</c>, …), for a log collector to index. The text format shows
    /// the message only, so the properties are there for structured sinks and the JSON format.
    /// <para>
    /// Each host keeps its own logger (<c>preserveStaticLogger</c>): otherwise Serilog makes the last host built the
    /// process-wide <c>Log.Logger</c> and every host's loggers write through it, so of two labs in one process (the
    /// test suite runs several side by side) one logged into the other's sinks, request properties and all.
    /// </para>
    /// </summary>
    public static IServiceCollection AddLabLogging(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSerilog((provider, log) =>
        {
            log.ReadFrom.Configuration(configuration)
                .ReadFrom.Services(provider)
                .Enrich.FromLogContext()
                // The data-protection keys (antiforgery tokens) are kept as the platform keeps them on Linux: unencrypted
                // in the user's profile, or in Redis with scale-out. That is the expected set-up here, yet every new
                // key (a fresh machine, every 90 days) logged a warning a teacher can do nothing about.
                .MinimumLevel.Override(
                    "Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", Serilog.Events.LogEventLevel.Error);
            if (string.Equals(provider.GetRequiredService<IOptions<LockLabOptions>>().Value.LogFormat, "json",
                StringComparison.OrdinalIgnoreCase))
            {
                log.WriteTo.Console(new RenderedCompactJsonFormatter());
            }
            else
            {
                log.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
            }
        }, preserveStaticLogger: true);
}
