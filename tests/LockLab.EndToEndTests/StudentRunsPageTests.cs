using LockLab.TestServices;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>
/// Students running the page's experiment themselves, in real browsers: the presenter's switch, a student's own run seen
/// by that student alone (and stopped by them), the presenter's list, one run shown to the whole class, and the history.
/// </summary>
[Collection(PublishedLab.Collection)]
public class StudentRunsPageTests(BrowserFixture lab) : IClassFixture<BrowserFixture>
{
    [SkippableFact]
    public async Task A_student_runs_the_experiment_as_their_own_and_the_presenter_shows_it_to_the_class()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var code = await lab.Server.CreateClassroomAsync("process-locks", page: 2);

        var (presenter, presenterErrors) = await lab.NewPageAsync();
        await presenter.GotoAsync(new Uri(lab.Server.Address, $"/rooms/{code}/present?key={ServerProcess.Key}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(presenter);
        // Two students, each in a browser of their own (their own stored id), on phones.
        var (ann, annErrors) = await lab.NewPageAsync(390, 844);
        var (ben, benErrors) = await lab.NewPageAsync(390, 844);
        foreach (var student in new[] { ann, ben })
        {
            await student.GotoAsync(new Uri(lab.Server.Address, $"/rooms/{code}").ToString());
            await BrowserFixture.WaitUntilLiveAsync(student);
            await Expect(student.GetByTestId("page-title")).ToHaveTextAsync("Without a lock");
            await Expect(student.GetByTestId("run-experiment")).ToHaveCountAsync(0); // not until the presenter lets them
        }

        await presenter.GetByTestId("students-may-run").CheckAsync();
        await Expect(ann.GetByTestId("run-experiment")).ToBeEnabledAsync();
        await Expect(ben.GetByTestId("run-experiment")).ToBeEnabledAsync();

        // Ann's run is hers: she watches it to the end, Ben sees nothing of it.
        await ann.GetByTestId("run-experiment").ClickAsync();
        await Expect(ann.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(ann.Locator("[data-testid=console-line]")).ToHaveCountAsync(10);
        var annsRun = await ann.GetByTestId("run-status").GetAttributeAsync("data-run");
        // Her label, as her page shows it on her run (the room's history names her by it).
        await Expect(ann.GetByTestId("run-student")).ToBeVisibleAsync();
        var annsLabel = await ann.GetByTestId("run-student").InnerTextAsync();
        await Expect(ben.GetByTestId("run-status")).ToHaveCountAsync(0);

        // The presenter lists it as a student's, and shows it to the class: Ben's page (and the presenter's) turn to it.
        var listed = presenter.Locator($"[data-testid=student-run][data-run='{annsRun}']");
        await Expect(listed).ToBeVisibleAsync();
        await listed.GetByTestId("show-to-class").ClickAsync();
        await Expect(ben.Locator($"[data-testid=run-status][data-run='{annsRun}']")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(ben.Locator("[data-testid=console-line]")).ToHaveCountAsync(10);
        await Expect(ben.GetByTestId("run-student")).ToBeVisibleAsync();
        await Expect(ben.GetByTestId("stop-run")).ToHaveCountAsync(0); // not his run (and ended)

        // Ben's own run is his to stop: a slow one (a second before each step), stopped midway. Step mode is not offered
        // to a student.
        await Expect(ben.GetByTestId("step-mode")).ToHaveCountAsync(0);
        await ben.GetByTestId("settings").GetByText("Change the experiment").ClickAsync();
        var delay = ben.GetByRole(AriaRole.Spinbutton, new() { Name = "Sleep before each step (ms)" });
        await delay.FillAsync("1000");
        await delay.PressAsync("Tab");
        await ben.GetByTestId("run-experiment").ClickAsync();
        var bensRun = ben.Locator("[data-testid=run-status][data-status=running]");
        await Expect(bensRun).ToBeVisibleAsync();
        var bensRunId = await bensRun.GetAttributeAsync("data-run");
        await ben.GetByTestId("stop-run").ClickAsync();
        await Expect(ben.Locator($"[data-testid=run-status][data-run='{bensRunId}']")).ToHaveAttributeAsync("data-status", "cancelled");
        await Expect(presenter.Locator($"[data-testid=student-run][data-run='{bensRunId}']")).ToBeVisibleAsync();

        // Shown to the class, a run is the presenter's to stop: Ben's next one, shown while it goes, offers Stop on no
        // student's page, and the presenter stops it from the list of students' runs.
        await ben.GetByTestId("run-experiment").ClickAsync();
        var shownRun = ben.Locator("[data-testid=run-status][data-status=running]");
        await Expect(shownRun).ToBeVisibleAsync();
        var shownId = await shownRun.GetAttributeAsync("data-run");
        var listedShown = presenter.Locator($"[data-testid=student-run][data-run='{shownId}']");
        await listedShown.GetByTestId("show-to-class").ClickAsync();
        await Expect(ann.Locator($"[data-testid=run-status][data-run='{shownId}']")).ToHaveAttributeAsync("data-status", "running");
        await Expect(ann.GetByTestId("stop-run")).ToHaveCountAsync(0);
        await Expect(ben.GetByTestId("stop-run")).ToHaveCountAsync(0);
        await listedShown.GetByTestId("stop-student-run").ClickAsync();
        await Expect(ann.Locator($"[data-testid=run-status][data-run='{shownId}']")).ToHaveAttributeAsync("data-status", "cancelled");
        await Expect(ben.Locator($"[data-testid=run-status][data-run='{shownId}']")).ToHaveAttributeAsync("data-status", "cancelled");

        // Switched off, the students' run buttons go.
        await presenter.GetByTestId("students-may-run").UncheckAsync();
        await Expect(ann.GetByTestId("run-experiment")).ToHaveCountAsync(0);
        await Expect(ben.GetByTestId("run-experiment")).ToHaveCountAsync(0);

        // The room's history says whose each student's run was, by the label the room gave them.
        await presenter.GotoAsync(new Uri(lab.Server.Address, $"/history?room={code}").ToString());
        await Expect(presenter.Locator($"[data-testid=history-row][data-run='{annsRun}'] [data-testid=history-student]"))
            .ToHaveTextAsync(annsLabel);
        await Expect(presenter.Locator($"[data-testid=history-row][data-run='{bensRunId}']")).ToHaveAttributeAsync("data-status", "cancelled");
        Assert.Empty(presenterErrors);
        Assert.Empty(annErrors);
        Assert.Empty(benErrors);
    }
}
