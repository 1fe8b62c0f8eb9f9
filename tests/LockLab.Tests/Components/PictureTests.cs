using Bunit;
using LockLab.Client.Components.Live;
using LockLab.Client.Services;
using LockLab.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace LockLab.Tests.Components;

/// <summary>The console, lanes and summary components rendered with bunit from known events.</summary>
public class PictureTests
{

    [Fact]
    public async Task Console_shows_each_print_in_order_tagged_with_its_process()
    {
        await using var ctx = LabComponents.NewContext();
        var run = new LiveRun(RunFixtures.Info(RunFixtures.WholeLoopLock));
        run.Add(RunFixtures.LockEvents);

        var console = ctx.Render<ConsoleOutput>(p => p.Add(c => c.Run, run));

        var lines = console.FindAll("[data-testid=console-line]");
        var line = Assert.Single(lines);
        Assert.Equal(("p1", "1"), (line.GetAttribute("data-process"), line.GetAttribute("data-value")));
        Assert.Contains("●", line.TextContent); // p1's shape, not only its colour
        Assert.Contains("pid 101", line.TextContent);
    }

    [Fact]
    public async Task Console_keeps_the_page_responsive_by_showing_the_latest_lines()
    {
        await using var ctx = LabComponents.NewContext();
        var run = new LiveRun(RunFixtures.Info(RunFixtures.NoLockGap));
        run.Add(Enumerable.Range(1, ConsoleOutput.MaxLines + 50).Select(i => new RunEvent(i, "p1", 1, EventKind.Print, i, i)));

        var console = ctx.Render<ConsoleOutput>(p => p.Add(c => c.Run, run));

        Assert.Equal(ConsoleOutput.MaxLines, console.FindAll("[data-testid=console-line]").Count);
        Assert.Contains("50 earlier lines", console.Markup);
        Assert.Equal((ConsoleOutput.MaxLines + 50).ToString(),
            console.FindAll("[data-testid=console-line]")[^1].GetAttribute("data-value"));
    }

    [Fact]
    public async Task Lanes_mark_the_lost_write_where_it_happened()
    {
        await using var ctx = LabComponents.NewContext();

        var lanes = ctx.Render<LanesView>(p => p
            .Add(c => c.Info, RunFixtures.Info(RunFixtures.NoLockGap, RunStatus.Completed))
            .Add(c => c.Events, RunFixtures.LostUpdateEvents));

        Assert.Equal(2, lanes.FindAll("g.lane").Count);
        var lost = Assert.Single(lanes.FindAll("[data-testid=lost-write]"));
        Assert.Equal("3", lost.GetAttribute("data-seq"));
        Assert.Contains("lost 1", lost.TextContent);
        Assert.Equal(2, lanes.FindAll("rect.bar-stale").Count); // each process held a stale read for ~50 ms
    }

    [Fact]
    public async Task Lanes_show_who_holds_the_lock_and_who_waits_for_it()
    {
        await using var ctx = LabComponents.NewContext();

        var lanes = ctx.Render<LanesView>(p => p
            .Add(c => c.Info, RunFixtures.Info(RunFixtures.WholeLoopLock))
            .Add(c => c.Events, RunFixtures.LockEvents));

        var p1 = lanes.Find("g.lane[data-process=p1]");
        var p2 = lanes.Find("g.lane[data-process=p2]");
        Assert.NotEmpty(p1.QuerySelectorAll("[data-testid=bar-holding]"));
        Assert.NotEmpty(p2.QuerySelectorAll("[data-testid=bar-waiting]"));
        Assert.Equal("true", p2.GetAttribute("data-holds-lock")); // p2 took the lock last and has not released it
        Assert.Equal("false", p1.GetAttribute("data-holds-lock"));
    }

    [Fact]
    public async Task Lanes_tell_in_a_table_who_held_the_lock_when_and_which_writes_were_lost()
    {
        await using var ctx = LabComponents.NewContext();

        var locked = ctx.Render<LanesView>(p => p
            .Add(c => c.Info, RunFixtures.Info(RunFixtures.WholeLoopLock))
            .Add(c => c.Events, RunFixtures.LockEvents));

        var holds = locked.FindAll("[data-testid=lock-hold]");
        Assert.Equal(["p1", "p2"], holds.Select(h => h.GetAttribute("data-process")));
        Assert.Equal(["● p1", "0 ms", "0 ms", "100 ms"], holds[0].QuerySelectorAll("td").Select(c => c.TextContent.Trim()));
        Assert.Equal(["▲ p2", "90 ms", "100 ms", "still holding it"], holds[1].QuerySelectorAll("td").Select(c => c.TextContent.Trim()));
        Assert.NotNull(locked.Find("[data-testid=no-lost-writes]"));

        var lost = ctx.Render<LanesView>(p => p
            .Add(c => c.Info, RunFixtures.Info(RunFixtures.NoLockGap, RunStatus.Completed))
            .Add(c => c.Events, RunFixtures.LostUpdateEvents));

        Assert.NotNull(lost.Find("[data-testid=no-lock-holds]"));
        var row = Assert.Single(lost.FindAll("[data-testid=lost-write-row]"));
        Assert.Equal(["● p1", "1", "150 ms", "▲ p2 writing 3"], row.QuerySelectorAll("td").Select(c => c.TextContent.Trim()));
    }

    [Fact]
    public async Task The_announcer_says_each_print_once_and_nothing_of_a_stress_run()
    {
        await using var ctx = LabComponents.NewContext();
        var run = new LiveRun(RunFixtures.Info(RunFixtures.NoLockGap));
        var announcer = ctx.Render<PrintAnnouncer>(p => p.Add(c => c.Run, run));

        run.Add(RunFixtures.LostUpdateEvents.Take(4)); // p1's print among them
        announcer.Render(p => p.Add(c => c.Run, run));
        announcer.Render(p => p.Add(c => c.Run, run)); // a redraw with nothing new says nothing new
        run.Add(RunFixtures.LostUpdateEvents.Skip(4));
        announcer.Render(p => p.Add(c => c.Run, run));

        Assert.Equal(["p1 printed 1", "p2 printed 3"],
            announcer.FindAll("p[data-kind=print]").Select(p => p.TextContent));

        var stress = new LiveRun(RunFixtures.Info(RunFixtures.NoLockGap with { ReportsSteps = false }) with { Id = "run2" });
        announcer.Render(p => p.Add(c => c.Run, stress));
        stress.Add(Enumerable.Range(1, 50).Select(i => new RunEvent(i, "p1", 1, EventKind.Print, i, i)));
        announcer.Render(p => p.Add(c => c.Run, stress));
        Assert.Empty(announcer.FindAll("p"));
    }

    [Fact]
    public async Task A_run_seen_starting_is_read_from_its_first_print_even_when_the_page_draws_it_late()
    {
        // A busy machine: the run's first prints arrive before the page first draws the run. They were printed after
        // the run started in front of the listener, so they are news: all of them are read out.
        await using var ctx = LabComponents.NewContext();
        var seenStarting = new LiveRun(RunFixtures.Info(RunFixtures.NoLockGap)) { MetAtStart = true };
        seenStarting.Add(RunFixtures.LostUpdateEvents);
        var announcer = ctx.Render<PrintAnnouncer>(p => p.Add(c => c.Run, seenStarting));
        Assert.Equal(["p1 printed 1", "p2 printed 3"], announcer.FindAll("p[data-kind=print]").Select(p => p.TextContent));

        // A run met under way (a page opened mid-run, from the room's state) is read from the next print only.
        var metMidRun = new LiveRun(RunFixtures.Info(RunFixtures.NoLockGap) with { Id = "run2" });
        metMidRun.Add(RunFixtures.LostUpdateEvents);
        announcer.Render(p => p.Add(c => c.Run, metMidRun));
        Assert.Empty(announcer.FindAll("p"));

        // Shown again later, the first run is not read out a second time.
        announcer.Render(p => p.Add(c => c.Run, seenStarting));
        Assert.Empty(announcer.FindAll("p"));
    }

    [Fact]
    public async Task Summary_says_what_was_expected_what_came_out_and_which_write_was_lost()
    {
        await using var ctx = LabComponents.NewContext();
        var summary = RunSummaryBuilder.Build(RunFixtures.NoLockGap, RunFixtures.LostUpdateEvents, 3, 161,
            new Dictionary<string, (int, int?)> { ["p1"] = (101, 0), ["p2"] = (202, 0) });

        var view = ctx.Render<RunSummaryView>(p =>
            p.Add(c => c.Info, RunFixtures.Info(RunFixtures.NoLockGap, RunStatus.Completed, summary)));

        Assert.Equal("3", view.Find("[data-testid=final-value]").TextContent);
        Assert.Contains("expected 4", view.Find("[data-testid=summary]").TextContent);
        Assert.Contains("1 lost update", view.Markup);
        var lost = view.Find("[data-testid=lost-writes]").TextContent;
        Assert.Contains("+1 is lost: it wrote 1", lost);
        Assert.Contains("wrote 3 over it", lost);
        Assert.Contains("202", view.Markup); // p2's pid
        Assert.Empty(view.FindAll("[data-testid=summary-discrepancy]"));
    }

    [Fact]
    public async Task Summary_shows_a_run_its_events_do_not_account_for_as_an_error()
    {
        await using var ctx = LabComponents.NewContext();
        // The final value says 4, but the events show only a 3: the lab must say so, not present the figures as true.
        var summary = RunSummaryBuilder.Build(RunFixtures.NoLockGap, RunFixtures.LostUpdateEvents, 4, 161,
            new Dictionary<string, (int, int?)> { ["p1"] = (101, 0), ["p2"] = (202, 0) });

        var view = ctx.Render<RunSummaryView>(p =>
            p.Add(c => c.Info, RunFixtures.Info(RunFixtures.NoLockGap, RunStatus.Completed, summary)));

        Assert.Contains("The last write left 3; the shared value is 4.", view.Find("[data-testid=summary-discrepancy]").TextContent);
    }
}
