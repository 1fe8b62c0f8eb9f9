using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LockLab.Contracts;
using LockLab.Tests.Support;

namespace LockLab.Tests.Security;

/// <summary>Speaker notes are the presenter's: not in the API's answer to anyone else, not in any prerendered page.</summary>
public partial class SpeakerNotesTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    private const string ANote = "Ask the class what they expect";

    [Fact]
    public async Task The_lesson_api_gives_notes_to_the_presenter_only()
    {
        var anyone = await lab.CreateClient().GetFromJsonAsync("/api/lessons/process-locks", ContractsJsonContext.Default.LessonDocument);
        Assert.All(anyone!.Pages, p => Assert.Null(p.NotesHtml));

        var presenter = await lab.CreatePresenterClient()
            .GetFromJsonAsync("/api/lessons/process-locks", ContractsJsonContext.Default.LessonDocument);
        Assert.Contains(presenter!.Pages, p => p.NotesHtml?.Contains(ANote) == true);
    }

    [Theory]
    [InlineData("/lessons/process-locks/1")]
    [InlineData("/lessons/process-locks/2")]
    public async Task No_prerendered_page_carries_the_notes(string path)
    {
        var html = await lab.CreateClient().GetStringAsync(path);
        Assert.DoesNotContain(ANote, Readable(html));
    }

    [Fact]
    public async Task The_presenter_view_of_a_room_is_prerendered_without_its_notes()
    {
        using var presenter = lab.CreatePresenterClient();
        var created = await presenter.PostAsync("/api/rooms", null);
        var room = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.RoomState))!.Room;
        (await presenter.PostAsJsonAsync($"/api/rooms/{room}/page",
            new PageRequest("process-locks", 1), ContractsJsonContext.Default.PageRequest)).EnsureSuccessStatusCode();

        var html = await lab.CreateClient().GetStringAsync($"/rooms/{room}/present");
        Assert.Contains("Speaker notes", html);
        Assert.Contains("\"slug\":\"process-locks\"", Readable(html)); // the lesson is carried to the page...
        Assert.DoesNotContain(ANote, Readable(html)); // ...without its notes
    }

    /// <summary>
    /// The page as anyone who opens it can read it: its HTML, and the state carried to the interactive page (base64 of a
    /// JSON object whose values are base64 of each component's JSON).
    /// </summary>
    private static string Readable(string html)
    {
        var text = new StringBuilder(html);
        foreach (Match state in PersistedState().Matches(html))
        {
            using var entries = JsonDocument.Parse(Convert.FromBase64String(state.Groups["state"].Value));
            foreach (var entry in entries.RootElement.EnumerateObject())
            {
                text.Append('\n').Append(Encoding.UTF8.GetString(Convert.FromBase64String(entry.Value.GetString()!)));
            }
        }
        return text.ToString();
    }

    [GeneratedRegex("<!--Blazor-WebAssembly-Component-State:(?<state>[A-Za-z0-9+/=]+)-->")]
    private static partial Regex PersistedState();
}
