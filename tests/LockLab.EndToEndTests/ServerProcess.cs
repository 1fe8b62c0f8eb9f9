using LockLab.TestServices;

namespace LockLab.EndToEndTests;

/// <summary>
/// The lab as a user runs it (<see cref="LabProcess"/>): the server the README's run command published
/// (<see cref="PublishedLab"/>), in Production, with the tests' presenter key.
/// </summary>
public static class ServerProcess
{
    public const string Key = "e2e-presenter-key-5Hn8Wd3Kq6Ty";

    /// <param name="dataPath">The run history's folder; a fresh one when null. Pass the same one to restart "the same" lab.</param>
    /// <param name="port">The loopback port; a free one when null. Pass the same one to restart "the same" lab for open pages.</param>
    /// <param name="settings">Extra configuration, e.g. <c>["LockLab__Redis"] = …</c> (environment variable spelling).</param>
    /// <param name="onEveryInterface">Listen on every network interface, as the README's command does, not on loopback only.</param>
    /// <param name="tls">Serve HTTPS with this certificate (and plain HTTP beside it).</param>
    public static Task<LabProcess> StartAsync(
        string? dataPath = null,
        int? port = null,
        IReadOnlyDictionary<string, string>? settings = null,
        bool onEveryInterface = false,
        TestCertificate? tls = null) =>
        LabProcess.StartAsync(new LabProcessOptions(
            PublishedLab.ServerFolder, Key, Production: true, DataPath: dataPath, Port: port,
            OnEveryInterface: onEveryInterface, Settings: settings, Tls: tls));
}
