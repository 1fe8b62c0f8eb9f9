using System.Text.Json;
using LockLab.Contracts;

namespace LockLab.Tests.Contracts;

/// <summary>The names statuses and event kinds go by are the ones their JSON uses, both ways.</summary>
public class WireNamesTests
{
    [Fact]
    public void Every_status_is_named_as_its_json_names_it_and_parses_back()
    {
        foreach (var status in Enum.GetValues<RunStatus>())
        {
            Assert.Equal(JsonSerializer.Serialize(status, ContractsJsonContext.Default.Options), $"\"{WireNames.Name(status)}\"");
            Assert.Equal(status, WireNames.ParseStatus(WireNames.Name(status).ToUpperInvariant()));
        }
        Assert.Null(WireNames.ParseStatus("finished"));
        Assert.Null(WireNames.ParseStatus(null));
    }

    [Fact]
    public void Every_event_kind_is_named_as_its_json_names_it_and_parses_back()
    {
        foreach (var kind in Enum.GetValues<EventKind>())
        {
            Assert.Equal(JsonSerializer.Serialize(kind, ContractsJsonContext.Default.Options), $"\"{WireNames.Name(kind)}\"");
            Assert.Equal(kind, WireNames.ParseKind(WireNames.Name(kind)));
        }
        Assert.Null(WireNames.ParseKind("LockWait"));
    }
}
