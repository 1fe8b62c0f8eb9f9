using LockLab.TestServices;

namespace LockLab.EndToEndTests;

/// <summary>The clone these tests run from: where the server, the benchmark program and the shipped deployment files are.</summary>
public static class Repository
{
    /// <summary>The folder holding LockLab.sln, found above the test assembly (tests/…/bin/&lt;Configuration&gt;/net10.0/).</summary>
    public static string Root => TestRun.RepositoryRoot
        ?? throw new DirectoryNotFoundException("LockLab.sln not found above " + AppContext.BaseDirectory);

    /// <summary>Debug or Release: whichever these tests were built in, so that they run the server built alongside.</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    /// <summary>The target framework folder of the build output (net10.0).</summary>
    public static string TargetFramework => new DirectoryInfo(AppContext.BaseDirectory).Name;
}
