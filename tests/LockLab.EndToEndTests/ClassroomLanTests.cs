using System.Net;
using LockLab.TestServices;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>A lab that listens on every interface, as the README's command starts it.</summary>
public sealed class LanBrowserFixture : BrowserFixture
{
    protected override Task<LabProcess> StartServerAsync() => ServerProcess.StartAsync(onEveryInterface: true);
}

/// <summary>
/// A classroom on a LAN: the teacher opens the lab as http://127.0.0.1 on their own machine, and what the presenter's
/// view, the projector and the QR code tell students must be an address another device can open.
/// </summary>
[Collection(PublishedLab.Collection)]
public class ClassroomLanTests(LanBrowserFixture lab) : IClassFixture<LanBrowserFixture>
{
    [SkippableFact]
    public async Task A_student_opening_the_shown_join_link_reaches_the_room_and_follows_a_page_change_and_a_run()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        using var presenterApi = lab.Server.CreateClient(presenter: true);
        var code = await lab.Server.CreateClassroomAsync();

        var (presenter, presenterErrors) = await lab.NewPageAsync();
        await presenter.GotoAsync(new Uri(lab.Server.Address, $"/rooms/{code}/present?key={ServerProcess.Key}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(presenter);
        var joinLink = (await presenter.GetByTestId("join-link").TextContentAsync())!.Trim();
        var joinUri = new Uri(joinLink);
        Assert.False(joinUri.IsLoopback || joinUri.Host == "localhost", $"The join link names this machine's loopback: {joinLink}");
        Assert.True(IPAddress.TryParse(joinUri.Host, out _), $"Expected one of the machine's addresses: {joinLink}");
        Assert.Equal(lab.Server.Address.Port, joinUri.Port);
        Assert.Equal($"/rooms/{code}", joinUri.AbsolutePath);

        // The QR code encodes that same address (the lab refuses one it does not offer).
        var qr = await presenter.GetByTestId("join-qr").GetAttributeAsync("src");
        Assert.Contains(Uri.EscapeDataString($"{joinUri.Scheme}://{joinUri.Authority}"), qr);
        Assert.Equal(HttpStatusCode.OK, (await presenterApi.GetAsync(qr)).StatusCode);

        // The projector, opened on the teacher's machine too, says the same address.
        var (projector, projectorErrors) = await lab.NewPageAsync(1920, 1080);
        await projector.GotoAsync(new Uri(lab.Server.Address, $"/rooms/{code}/project").ToString());
        await BrowserFixture.WaitUntilLiveAsync(projector);
        await Expect(projector.GetByTestId("projection-join")).ToContainTextAsync($"{joinUri.Authority}/join");

        // A student's device: another browser context that knows nothing but the link.
        var (student, studentErrors) = await lab.NewPageAsync(390, 844);
        await student.GotoAsync(joinLink);
        await BrowserFixture.WaitUntilLiveAsync(student);
        await Expect(student.GetByTestId("page-title")).ToHaveTextAsync("Process locks");
        await Expect(presenter.GetByTestId("viewers")).ToContainTextAsync("3 connected");

        await Expect(presenter.GetByTestId("presenter-page")).ToHaveAttributeAsync("data-keys", "on"); // its keys attached
        await presenter.Keyboard.PressAsync("ArrowRight");
        await Expect(student.GetByTestId("page-title")).ToHaveTextAsync("Without a lock");

        var started = await presenterApi.PostAsync($"/api/rooms/{code}/runs", new StringContent("""{"scenario":"no-lock"}"""));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        await Expect(student.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(student.Locator("[data-testid=console-line]")).ToHaveCountAsync(10);

        Assert.Empty(presenterErrors);
        Assert.Empty(projectorErrors);
        Assert.Empty(studentErrors);
    }
}
