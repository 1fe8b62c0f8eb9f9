using System.Diagnostics;

namespace LockLab.TestServices;

/// <summary>
/// <c>dotnet publish</c> of a clone's server in Release: the trimmed, precompressed lab a deployment serves, and what
/// the README's run command builds before it starts.
/// </summary>
public static class LabPublish
{
    /// <summary>Publishes <c>src/LockLab.Server</c> of <paramref name="repositoryRoot"/> into <paramref name="output"/>.</summary>
    public static async Task RunAsync(string repositoryRoot, string output)
    {
        var info = new ProcessStartInfo(
            "dotnet",
            [
                "publish", Path.Combine(repositoryRoot, "src", "LockLab.Server"), "-c", "Release", "-o", output, "-nologo", "-v", "q",
                // No build servers left behind: nothing a test starts may outlive it (tests/check-leftovers.sh).
                "-nodeReuse:false", "-p:UseSharedCompilation=false",
            ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        AsInAUsersShell(info);
        using var publish = Process.Start(info)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0) throw new InvalidOperationException($"dotnet publish failed:\n{await stdout}\n{await stderr}");
    }

    /// <summary>
    /// A user's shell, not a test host's: whatever MSBuild or the test runner put in this process's environment (which
    /// SDK, which MSBuild, a presenter key) must not steer the user's <c>dotnet</c> command.
    /// </summary>
    public static void AsInAUsersShell(ProcessStartInfo info)
    {
        foreach (var name in info.Environment.Keys.Where(IsHostVariable).ToList()) info.Environment.Remove(name);
    }

    private static bool IsHostVariable(string name) =>
        name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("VSTEST", StringComparison.Ordinal) || name.StartsWith("TESTINGPLATFORM", StringComparison.Ordinal)
        || name.StartsWith("LockLab__", StringComparison.OrdinalIgnoreCase)
        || name is "DOTNET_HOST_PATH" or "DOTNET_CLI_TELEMETRY_SESSIONID" or "ASPNETCORE_ENVIRONMENT" or "DOTNET_ENVIRONMENT";
}
