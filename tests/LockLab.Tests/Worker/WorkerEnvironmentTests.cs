using LockLab.Server.Configuration;
using LockLab.Server.Runs;
using Microsoft.Extensions.Options;

namespace LockLab.Tests.Worker;

/// <summary>A worker does not inherit the server's secrets: its environment is what a .NET program needs, no more.</summary>
public class WorkerEnvironmentTests
{
    [Fact]
    public void The_servers_secrets_stay_out_of_a_workers_environment()
    {
        // Names no other test reads, set for this process (whose environment a started process would inherit).
        Environment.SetEnvironmentVariable("LockLab__TestOnlySecret", "hunter2");
        Environment.SetEnvironmentVariable("ConnectionStrings__TestOnly", "Password=hunter2");
        try
        {
            var info = new WorkerExecutable(Options.Create(new LockLabOptions())).CreateStartInfo();

            Assert.DoesNotContain(info.Environment, e => e.Value?.Contains("hunter2") == true);
            Assert.All(info.Environment.Keys, name =>
                Assert.True(WorkerExecutable.InheritedVariables.Contains(name) || name.StartsWith("DOTNET_", StringComparison.Ordinal), name));
            Assert.Equal(Environment.GetEnvironmentVariable("PATH"), info.Environment["PATH"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("LockLab__TestOnlySecret", null);
            Environment.SetEnvironmentVariable("ConnectionStrings__TestOnly", null);
        }
    }
}
