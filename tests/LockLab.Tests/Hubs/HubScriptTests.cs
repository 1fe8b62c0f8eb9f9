using LockLab.Contracts;
using LockLab.TestServices;

namespace LockLab.Tests.Hubs;

/// <summary>The page's SignalR connection (js/hub.js) passes on every message the server sends, by name.</summary>
public class HubScriptTests
{
    [Fact]
    public void Every_message_the_server_sends_a_page_is_handed_to_the_page()
    {
        var root = TestRun.RepositoryRoot ?? throw new DirectoryNotFoundException("LockLab.sln not found");
        var script = File.ReadAllText(Path.Combine(root, "src", "LockLab.Client", "wwwroot", "js", "hub.js"));

        var missing = typeof(ILabClient).GetMethods().Select(m => m.Name).Where(name => !script.Contains($"\"{name}\"")).ToList();

        Assert.True(missing.Count == 0, "js/hub.js does not pass these on to the page: " + string.Join(", ", missing));
    }
}
