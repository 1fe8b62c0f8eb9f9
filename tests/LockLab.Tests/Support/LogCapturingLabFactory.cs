using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace LockLab.Tests.Support;

/// <summary>
/// A lab whose log events are kept for the test to read (<see cref="LogCapture"/>, one of the server logger's own
/// sinks). Request lines are kept down to Debug, so that the level of probe and scrape lines can be seen.
/// </summary>
public sealed class LogCapturingLabFactory : LabServerFactory
{
    public LogCapture Logs { get; } = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Serilog:MinimumLevel:Override:Serilog.AspNetCore.RequestLoggingMiddleware"] = "Debug",
        ["LockLab:ServeMetrics"] = "true",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(Logs));
    }
}
