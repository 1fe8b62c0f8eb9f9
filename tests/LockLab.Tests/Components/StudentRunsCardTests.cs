using System.Globalization;
using Bunit;
using LockLab.Client.Pages.Rooms;
using LockLab.Contracts;

namespace LockLab.Tests.Components;

/// <summary>The presenter's card of students' runs: the switch, the list, and showing a run to the class.</summary>
public class StudentRunsCardTests
{
    private static RunInfo StudentRun(string id, string student, RunStatus status, DateTimeOffset? shownAt = null) =>
        RunFixtures.Info(RunFixtures.NoLockGap, status) with { Id = id, Student = student, ShownAt = shownAt };

    [Fact]
    public async Task The_switch_is_a_native_switch_that_says_what_the_presenter_chose()
    {
        await using var ctx = LabComponents.NewContext();
        bool? chosen = null;
        var card = ctx.Render<StudentRunsCard>(p => p
            .Add(c => c.StudentsMayRun, false)
            .Add(c => c.StudentsMayRunChanged, (bool on) => chosen = on));

        var input = card.Find("input[data-testid=students-may-run]");
        Assert.Equal("switch", input.GetAttribute("role"));
        Assert.False(input.HasAttribute("checked"));
        Assert.Contains("No student has run an experiment yet.", card.Markup);

        input.Change(true);
        Assert.True(chosen);
    }

    [Fact]
    public async Task Each_students_run_is_listed_with_its_student_and_status_and_can_be_shown_to_the_class_once()
    {
        await using var ctx = LabComponents.NewContext();
        string? shown = null;
        var card = ctx.Render<StudentRunsCard>(p => p
            .Add(c => c.StudentsMayRun, true)
            .Add(c => c.Runs, [StudentRun("r2", "Student 2", RunStatus.Queued), StudentRun("r1", "Student 1", RunStatus.Completed,
                DateTimeOffset.UnixEpoch)])
            .Add(c => c.OnShow, (string id) => shown = id));

        var rows = card.FindAll("[data-testid=student-run]");
        Assert.Equal(["r2", "r1"], rows.Select(r => r.GetAttribute("data-run")));
        Assert.Contains("Student 2", rows[0].TextContent);
        Assert.Contains("queued", rows[0].TextContent);
        Assert.Contains("Shown", rows[1].TextContent);
        Assert.Single(card.FindAll("[data-testid=show-to-class]")); // the run shown already has no button

        card.Find("[data-testid=show-to-class]").Click();
        Assert.Equal("r2", shown);
    }

    [Fact]
    public async Task A_waiting_run_shows_its_place_and_a_run_not_ended_can_be_stopped_by_the_presenter()
    {
        await using var ctx = LabComponents.NewContext();
        string? stopped = null;
        var card = ctx.Render<StudentRunsCard>(p => p
            .Add(c => c.Runs, [
                StudentRun("r3", "Student 3", RunStatus.Queued) with { QueuePosition = 2 },
                StudentRun("r2", "Student 2", RunStatus.Running),
                StudentRun("r1", "Student 1", RunStatus.Completed)])
            .Add(c => c.OnStop, (string id) => stopped = id));

        Assert.Equal("· number 2 in the queue", card.Find("[data-testid=student-run-place]").TextContent.Trim());
        var stops = card.FindAll("[data-testid=stop-student-run]");
        Assert.Equal(["Stop Student 3's run", "Stop Student 2's run"], stops.Select(b => b.GetAttribute("aria-label")));
        stops[1].Click();
        Assert.Equal("r2", stopped);
    }

    [Fact]
    public async Task A_Chinese_presenter_reads_the_card_in_Chinese()
    {
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("zh-CN");
        try
        {
            await using var ctx = LabComponents.NewContext();
            var card = ctx.Render<StudentRunsCard>(p => p.Add(c => c.Runs, [StudentRun("r3", "Student 3", RunStatus.Running)]));

            Assert.Contains("允许学生运行实验", card.Markup);
            Assert.Contains("学生 3", card.Find("[data-testid=student-run]").TextContent);
            Assert.Contains("展示给全班", card.Markup);
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }
}
