using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LockLab.TestServices;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>A lab of its own: the guessing below locks the loopback address out of trying keys.</summary>
public sealed class LockoutBrowserFixture : BrowserFixture;

/// <summary>
/// Someone on the teacher's own address (a school behind one NAT address, a proxy) floods the lab with wrong keys.
/// The teacher signed in once on the page; the page and the phone remote keep working, the guesser stays throttled.
/// </summary>
[Collection(PublishedLab.Collection)]
public class PresenterLockoutTests(LockoutBrowserFixture lab) : IClassFixture<LockoutBrowserFixture>
{
    [SkippableFact]
    public async Task A_teacher_signed_in_on_the_page_keeps_running_the_lesson_while_wrong_keys_flood_in_from_the_same_address()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        using var presenterApi = lab.Server.CreateClient(presenter: true);
        var created = await presenterApi.PostAsync("/api/rooms", null);
        var code = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("room").GetString()!;
        (await presenterApi.PostAsync($"/api/rooms/{code}/page",
            JsonContent.Create(new { lesson = "process-locks", page = 2 }))).EnsureSuccessStatusCode();

        // The teacher opens the room's page without the key, is asked for it, mistypes it once, then signs in.
        var (page, errors) = await lab.NewPageAsync();
        await page.GotoAsync(new Uri(lab.Server.Address, $"/lessons/process-locks/3?room={code}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        await page.GetByTestId("run-experiment").ClickAsync();
        await page.GetByLabel("Presenter key").FillAsync("not-the-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByTestId("key-error")).ToContainTextAsync("not correct");
        await page.GetByLabel("Presenter key").FillAsync(ServerProcess.Key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByTestId("key-prompt")).ToHaveCountAsync(0);
        var stored = await page.EvaluateAsync<string?>("localStorage.getItem('locklab.presenterSession')");
        Assert.StartsWith("ps.", stored);
        Assert.DoesNotContain(ServerProcess.Key, stored!);

        // The flood, from the same (loopback) address: throttled after the first few.
        using var guesser = lab.Server.CreateClient();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            guesser.DefaultRequestHeaders.Authorization = new("Bearer", $"guess-{i}");
            answers.Add((await guesser.PostAsync("/api/rooms", null)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[^1]);
        Assert.Contains(HttpStatusCode.Unauthorized, answers);

        // The page runs the lesson's experiment: the lock's output, to the end.
        await page.GetByTestId("run-experiment").ClickAsync();
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=console-line]")).ToHaveCountAsync(10);

        // The phone remote in the same browser is signed in too: it moves the room on.
        var remote = await page.Context.NewPageAsync();
        await remote.GotoAsync(new Uri(lab.Server.Address, $"/rooms/{code}/remote").ToString());
        await BrowserFixture.WaitUntilInteractiveAsync(remote);
        await Expect(remote.GetByTestId("remote-next")).ToBeEnabledAsync();
        var before = await remote.GetByTestId("remote-title").TextContentAsync();
        await remote.GetByTestId("remote-next").ClickAsync();
        await Expect(remote.GetByTestId("remote-title")).Not.ToHaveTextAsync(before!);

        // And the guesser is still throttled.
        guesser.DefaultRequestHeaders.Authorization = new("Bearer", "one-more-guess");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await guesser.PostAsync("/api/rooms", null)).StatusCode);
        // Chromium reports the refused sign-in's 401 on the console; nothing else may go wrong.
        Assert.All(errors, e => Assert.Contains("401", e));
    }
}
