using System.Reflection;
using NetArchTest.Rules;

namespace LockLab.Tests;

/// <summary>
/// The server's folders are layers: each may use only the folders below it, so that none is tangled with another and a
/// newcomer can read the run path from the bottom up. Checked on the compiled server (every type reference, method
/// bodies included), not on <c>using</c> lines.
/// </summary>
public class ArchitectureTests
{
    private const string Root = "LockLab.Server";
    private static readonly Assembly Server = typeof(LockLab.Server.Runs.RunOrchestrator).Assembly;

    /// <summary>
    /// What each folder (namespace <c>LockLab.Server.&lt;folder&gt;</c>) may use besides itself, lowest first. The run
    /// path itself (<c>Runs</c>) knows nothing of rooms' feeds, the hub, the history or metrics: those follow runs
    /// through <c>IRunObserver</c> and <c>IRunMetrics</c>, and the history is read through <c>IStoredRuns</c>.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> MayUse = new Dictionary<string, string[]>
    {
        ["Configuration"] = [],
        ["Diagnostics"] = ["Configuration"],
        ["Security"] = ["Configuration", "Diagnostics"],
        ["Lessons"] = ["Configuration", "Diagnostics", "Security"],
        ["Runs"] = ["Configuration", "Diagnostics", "Security"],
        ["Rooms"] = ["Configuration", "Diagnostics", "Security", "Lessons", "Runs"],
        ["History"] = ["Configuration", "Diagnostics", "Security", "Runs"],
        ["Broadcasting"] = ["Configuration", "Diagnostics", "Runs", "Rooms"],
        // Students' runs wait in a queue of their own and are carried out by the run path; their news goes out as runs' does.
        ["Students"] = ["Configuration", "Diagnostics", "Security", "Lessons", "Runs", "Rooms", "Broadcasting"],
        // Localization translates the runs' refusals too, naming a run's status where they do (RunRefusals).
        ["Localization"] = ["Configuration", "Diagnostics", "Lessons", "Runs", "Rooms"],
        ["Hubs"] = ["Configuration", "Diagnostics", "Security", "Lessons", "Localization", "Runs", "Rooms", "Broadcasting", "Students"],
        ["Operations"] = ["Configuration", "Diagnostics", "Runs", "Rooms"],
        ["ScaleOut"] = ["Configuration", "Diagnostics", "Security", "Runs", "Rooms", "History", "Broadcasting"],
        ["Components"] = ["Configuration", "Diagnostics", "Security", "Lessons"],
    };

    public static TheoryData<string> Folders => [.. MayUse.Keys];

    [Fact]
    public void Every_folder_of_the_server_has_its_place_in_the_layers()
    {
        var folders = Server.GetTypes()
            .Select(t => t.Namespace)
            .Where(ns => ns is not null && ns.StartsWith(Root + ".", StringComparison.Ordinal))
            .Select(ns => ns![(Root.Length + 1)..].Split('.')[0])
            .Distinct()
            .Where(f => f != "Properties");
        Assert.All(folders, f => Assert.True(MayUse.ContainsKey(f),
            $"The server's folder '{f}' is not in {nameof(MayUse)}: say which folders it may use."));
    }

    [Fact]
    public void The_layers_have_no_cycle()
    {
        // Each folder may use only folders listed before it: then no chain of uses can come back to where it began.
        var order = MayUse.Keys.ToList();
        foreach (var (folder, uses) in MayUse)
        {
            foreach (var used in uses)
            {
                Assert.True(MayUse.ContainsKey(used), $"{folder} may use '{used}', which is not a folder");
                Assert.True(order.IndexOf(used) < order.IndexOf(folder), $"{folder} may use {used}, which is not below it");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void A_folder_uses_only_the_folders_below_it(string folder)
    {
        var forbidden = MayUse.Keys.Except(MayUse[folder]).Where(f => f != folder).Select(f => $"{Root}.{f}").ToArray();
        var result = Types.InAssembly(Server).That().ResideInNamespace($"{Root}.{folder}")
            .ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
        Assert.True(result.IsSuccessful,
            $"{folder} may use only {string.Join(", ", MayUse[folder].DefaultIfEmpty("nothing"))}; these types use more: " +
            string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void The_server_uses_no_type_of_the_worker_program()
    {
        // The segment and the lock they share live in LockLab.SharedMemory; the worker program is only started.
        var result = Types.InAssembly(Server).ShouldNot().HaveDependencyOn("LockLab.Worker").GetResult();
        Assert.True(result.IsSuccessful,
            "these server types use the worker program's: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void The_rule_sees_a_forbidden_use()
    {
        // The check itself must be able to fail: the hub (Hubs) does use the room feeds (Broadcasting).
        var result = Types.InAssembly(Server).That().ResideInNamespace($"{Root}.Hubs")
            .ShouldNot().HaveDependencyOnAny($"{Root}.Broadcasting").GetResult();
        Assert.False(result.IsSuccessful);
    }
}
