using System.Globalization;
using Bunit;
using LockLab.Client.Components.Live;
using LockLab.Client.Services;
using LockLab.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace LockLab.Tests.Components;

/// <summary>
/// The pictures of a program's run: a band for each lock a process holds, the deadlock's cycle drawn and told (in English
/// and Chinese), one series and one row per shared integer, and step mode's "no process can move". The events are built
/// here as the worker reports them: with several locks, each event names its lock or integer in <c>target</c>.
/// </summary>
public class ProgramPictureTests
{
    private static RunEvent E(long seq, string p, EventKind kind, string target, double at, long value = 0) =>
        new(seq, p, p == "p1" ? 101 : 202, kind, value, at, Target: target);

    private static readonly RunParameters TwoProcesses = new(2, 1, [1, 3], DelayMs: 100, GapMs: 0, LockScope.None, StartMode.Simultaneous);

    /// <summary>The deadlock scenario started together: each takes its first lock, sleeps, and asks for the other's.</summary>
    private static readonly RunEvent[] DeadlockEvents =
    [
        E(1, "p1", EventKind.LockWait, "a", 0.1), E(2, "p1", EventKind.LockAcquired, "a", 0.2),
        E(3, "p2", EventKind.LockWait, "b", 0.3), E(4, "p2", EventKind.LockAcquired, "b", 0.4),
        E(5, "p1", EventKind.LockWait, "b", 100.2), E(6, "p2", EventKind.LockWait, "a", 100.6),
    ];

    private static readonly DeadlockReport Report = new(
        [new DeadlockLink("p1", ["a"], "b"), new DeadlockLink("p2", ["b"], "a")], FormedAtMs: 100.6, DetectedAtMs: 112);

    private static RunInfo Deadlocked(RunParameters parameters) =>
        RunFixtures.Info(parameters, RunStatus.Deadlocked,
            new RunSummary(4, 0, 0, 112, [], [new("p1", 101, null, 100, 0), new("p2", 202, null, 100, 0)], [], Deadlock: Report))
        with { Scenario = Scenarios.Deadlock };

    private static async Task InCulture(string culture, Func<Task> test)
    {
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try { await test(); }
        finally { CultureInfo.CurrentUICulture = before; }
    }

    private static BunitContext NewContext()
    {
        var ctx = LabComponents.NewContext();
        ctx.Services.AddSingleton<LabApi>();
        ctx.Services.AddSingleton<PresenterKeyStore>();
        ctx.Services.AddSingleton<StudentIdStore>();
        ctx.Services.AddSingleton<LabConnection>();
        return ctx;
    }

    [Fact]
    public async Task Lanes_show_a_band_for_each_lock_a_process_holds_labelled_with_its_name()
    {
        await using var ctx = LabComponents.NewContext();
        // Lock ordering: p1 holds a and then b too; p2 waits for a.
        RunEvent[] events =
        [
            E(1, "p1", EventKind.LockWait, "a", 0.1), E(2, "p1", EventKind.LockAcquired, "a", 0.2),
            E(3, "p2", EventKind.LockWait, "a", 0.3),
            E(4, "p1", EventKind.LockWait, "b", 100.2), E(5, "p1", EventKind.LockAcquired, "b", 100.3),
            E(6, "p1", EventKind.Read, "counter", 150), E(7, "p1", EventKind.Write, "counter", 200, 1),
        ];

        var lanes = ctx.Render<LanesView>(p => p.Add(c => c.Info, RunFixtures.Info(TwoProcesses)).Add(c => c.Events, events));

        var p1 = lanes.Find("g.lane[data-process=p1]");
        var bands = p1.QuerySelectorAll("[data-testid=bar-holding]");
        Assert.Equal(["a", "b"], bands.Select(b => b.GetAttribute("data-lock")));
        Assert.Equal(["a", "b"], bands.Select(b => b.QuerySelector("text.lock-name")!.TextContent));
        Assert.Equal("a b", p1.GetAttribute("data-held"));
        // Two locks: two rows in the lane, one above the other.
        var y = bands.Select(b => double.Parse(b.QuerySelector("rect")!.GetAttribute("y")!, CultureInfo.InvariantCulture)).ToList();
        Assert.True(y[1] > y[0]);
        var p2 = lanes.Find("g.lane[data-process=p2]");
        Assert.Equal("a", p2.QuerySelector("[data-testid=bar-waiting]")!.GetAttribute("data-lock"));
        Assert.Equal("", p2.GetAttribute("data-held"));
        Assert.Empty(lanes.FindAll("[data-testid=deadlock-cycle]")); // waiting, not deadlocked: p1 can still move

        // The table says which lock was held, when there is more than one.
        var holds = lanes.FindAll("[data-testid=lock-hold]");
        Assert.Equal(["a", "b"], holds.Select(h => h.QuerySelectorAll("td")[1].TextContent.Trim()));
    }

    [Fact]
    public async Task A_classic_runs_lock_without_a_target_is_the_one_lock()
    {
        await using var ctx = LabComponents.NewContext();

        var lanes = ctx.Render<LanesView>(p => p
            .Add(c => c.Info, RunFixtures.Info(RunFixtures.WholeLoopLock))
            .Add(c => c.Events, RunFixtures.LockEvents));

        Assert.Equal("l", lanes.Find("g.lane[data-process=p2]").GetAttribute("data-held"));
        Assert.All(lanes.FindAll("[data-testid=bar-holding]"), b => Assert.Equal("l", b.GetAttribute("data-lock")));
    }

    [Theory]
    [InlineData("en", "waits for b (held by p2)", "waits for a (held by p1)")]
    [InlineData("zh-CN", "等待 b（由 p2 持有）", "等待 a（由 p1 持有）")]
    public async Task A_deadlocked_runs_lanes_draw_the_cycle(string culture, string p1Says, string p2Says) => await InCulture(culture, async () =>
    {
        await using var ctx = LabComponents.NewContext();

        var lanes = ctx.Render<LanesView>(p => p.Add(c => c.Info, Deadlocked(TwoProcesses)).Add(c => c.Events, DeadlockEvents));

        var waits = lanes.FindAll("[data-testid=deadlock-wait]");
        Assert.Equal([("p1", "b", "p2"), ("p2", "a", "p1")],
            waits.Select(w => (w.GetAttribute("data-process"), w.GetAttribute("data-waits-for"), w.GetAttribute("data-held-by"))));
        Assert.Equal([p1Says, p2Says], waits.Select(w => w.QuerySelector("text")!.TextContent));
        Assert.All(waits, w => Assert.NotNull(w.QuerySelector("line[marker-end]")));
        // Each still waits (its bar reaches the end) while holding its first lock.
        Assert.Equal("a", lanes.Find("g.lane[data-process=p1]").GetAttribute("data-held"));
        Assert.Equal("b", lanes.Find("g.lane[data-process=p2]").GetAttribute("data-held"));
    });

    [Theory]
    [InlineData("en", "Deadlock: p1 holds a, waits for b; p2 holds b, waits for a.", "deadlocked")]
    [InlineData("zh-CN", "死锁：p1 持有 a，等待 b；p2 持有 b，等待 a。", "死锁")]
    public async Task A_deadlocked_runs_summary_names_the_cycle_link_by_link(string culture, string alert, string status) =>
        await InCulture(culture, async () =>
        {
            await using var ctx = NewContext();

            var summary = ctx.Render<RunSummaryView>(p => p.Add(c => c.Info, Deadlocked(TwoProcesses)));
            var text = summary.Find("[data-testid=deadlock-alert]").TextContent;
            Assert.StartsWith(alert.TrimEnd('.', '。'), Squeeze(text));
            Assert.Contains(culture == "en" ? "the cycle closed at 101 ms, the lab saw it at 112 ms" : "在 101 毫秒时形成", text);
            // The run never finished: its value is where it stopped, not a wrong result measured against the expected one.
            var figures = summary.Find("[data-testid=summary]");
            Assert.Contains(culture == "en" ? "Value when the processes stopped for good" : "进程永久停下时的值", figures.TextContent);
            Assert.DoesNotContain(culture == "en" ? ", expected" : "，预期", figures.TextContent);
            Assert.Contains("mud-alert-text-info", figures.OuterHtml);

            // The deadlock program prints nothing before its cycle closes: the output says why, not that it waits.
            var output = ctx.Render<ConsoleOutput>(p => p.Add(c => c.Run, new LiveRun(Deadlocked(TwoProcesses))));
            Assert.Equal(culture == "en" ? "Deadlocked before any process printed." : "在任何进程打印之前就已死锁。",
                output.Find(".console-empty").TextContent.Trim());

            var header = ctx.Render<RunHeader>(p => p.Add(c => c.Run, new LiveRun(Deadlocked(TwoProcesses))));
            Assert.Equal("deadlocked", header.Find("[data-testid=run-status]").GetAttribute("data-status"));
            Assert.Contains(header.FindAll(".mud-chip"), chip => chip.TextContent.Trim() == status);
        });

    [Theory]
    [InlineData("en", "Deadlock: no process can move.", "p1 holds a, waits for b; p2 holds b, waits for a")]
    [InlineData("zh-CN", "死锁：没有任何进程能够继续执行。", "p1 持有 a，等待 b；p2 持有 b，等待 a")]
    public async Task In_step_mode_the_controls_say_no_process_can_move_the_moment_the_cycle_closes(
        string culture, string says, string cycle) => await InCulture(culture, async () =>
    {
        await using var ctx = NewContext();
        var stepped = TwoProcesses with { Mode = RunMode.Step };
        var run = new LiveRun(RunFixtures.Info(stepped) with { Scenario = Scenarios.Deadlock });
        run.Add(DeadlockEvents.Take(5)); // p1 waits for b, which p2 holds; p2 can still move

        var header = ctx.Render<RunHeader>(p => p.Add(c => c.Run, run).Add(c => c.CanControl, true));
        Assert.Empty(header.FindAll("[data-testid=step-deadlock]"));
        // The page does not read the program: a process that can move offers its next step, a blocked one names its lock.
        var p1 = header.Find("[data-testid=step-p1]");
        Assert.Contains(culture == "en" ? "waits for b" : "等待 b", p1.TextContent);
        Assert.True(p1.HasAttribute("disabled"));
        Assert.Contains(culture == "en" ? "next step" : "下一步", header.Find("[data-testid=step-p2]").TextContent);
        // The header tells each lock's holder.
        Assert.Equal([("a", "p1"), ("b", "p2")],
            header.FindAll("[data-testid=named-lock]").Select(l => (l.GetAttribute("data-lock"), l.GetAttribute("data-holders"))));

        // The teacher moves p2 to ask for a: the cycle closes, before the lab's verdict arrives.
        run.Add(DeadlockEvents.Skip(5));
        header.Render(p => p.Add(c => c.Run, run).Add(c => c.CanControl, true));
        Assert.Equal(says, header.Find("[data-testid=step-deadlock] b").TextContent);
        Assert.Equal(cycle, header.Find("[data-testid=step-deadlock-cycle]").TextContent);
        Assert.Empty(header.FindAll("[data-testid^=step-p]"));

        // The lab's verdict: the run ends deadlocked, and the controls keep saying so (to a student's page too).
        run.Update(Deadlocked(stepped) with { Scenario = Scenarios.Deadlock });
        header.Render(p => p.Add(c => c.Run, run).Add(c => c.CanControl, false));
        Assert.Equal(says, header.Find("[data-testid=step-deadlock] b").TextContent);
    });

    [Fact]
    public async Task The_chart_draws_each_shared_integer_and_the_summary_tells_each_ones_lost_updates()
    {
        await using var ctx = LabComponents.NewContext();
        // Two integers: x raced (p2's write over p1's), y under a lock.
        RunEvent[] events =
        [
            E(1, "p1", EventKind.Read, "x", 10) with { ReadFrom = 0 }, E(2, "p2", EventKind.Read, "x", 11) with { ReadFrom = 0 },
            E(3, "p1", EventKind.Write, "x", 20, 1) with { WriteId = 0x01000001, ReadFrom = 0, Replaced = 0 },
            E(4, "p2", EventKind.Write, "x", 21, 3) with { WriteId = 0x02000001, ReadFrom = 0, Replaced = 0x01000001 },
            E(5, "p1", EventKind.Read, "y", 30) with { ReadFrom = 0 },
            E(6, "p1", EventKind.Write, "y", 31, 5) with { WriteId = 0x01000002, ReadFrom = 0, Replaced = 0 },
        ];
        var info = RunFixtures.Info(TwoProcesses, RunStatus.Completed,
            new RunSummary(4, 3, 1, 40, [], [new("p1", 101, 0, 0, 2), new("p2", 202, 0, 0, 1)], [],
                SharedValues: [new("x", 4, 3, 1), new("y", 5, 5, 0)])) with { Scenario = Scenarios.Program };

        var chart = ctx.Render<CounterChart>(p => p.Add(c => c.Info, info).Add(c => c.Events, events));
        Assert.Equal(["x", "y"], chart.FindAll("[data-testid=shared-series]").Select(s => s.GetAttribute("data-name")));
        Assert.Equal(["x", "y"], chart.FindAll("[data-testid=expected-line]").Select(s => s.GetAttribute("data-name")));
        Assert.Contains("x expected 4", chart.Markup);
        Assert.Contains("Shared integers over time: x is 3, y is 5", chart.Markup);

        var summary = ctx.Render<RunSummaryView>(p => p.Add(c => c.Info, info));
        var rows = summary.FindAll("[data-testid=shared-value]");
        Assert.Equal([["x", "3", "4", "1"], ["y", "5", "5", "0"]],
            rows.Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray()));

        // The lanes count a lost write per integer: x's first write was lost, y's stands.
        var lanes = ctx.Render<LanesView>(p => p.Add(c => c.Info, info).Add(c => c.Events, events));
        Assert.Equal("3", Assert.Single(lanes.FindAll("[data-testid=lost-write]")).GetAttribute("data-seq"));
    }

    [Fact]
    public async Task A_classic_runs_chart_keeps_its_one_counter()
    {
        await using var ctx = LabComponents.NewContext();

        var chart = ctx.Render<CounterChart>(p => p
            .Add(c => c.Info, RunFixtures.Info(RunFixtures.NoLockGap, RunStatus.Completed))
            .Add(c => c.Events, RunFixtures.LostUpdateEvents));

        Assert.Equal([""], chart.FindAll("[data-testid=shared-series]").Select(s => s.GetAttribute("data-name")));
        Assert.Contains("expected 4", chart.Markup);
        Assert.Contains("Counter over time: 3 now, 4 expected", chart.Markup);
    }

    [Fact]
    public async Task A_page_whose_experiment_is_a_program_offers_to_run_it_and_sends_it_as_written()
    {
        await using var ctx = NewContext();
        var experiment = new RunRequest { Program = LockLab.Contracts.Experiments.ProgramSource.FromText("shared x\nprocess p1:\n  add x 1\n") };
        var settings = new ExperimentSettings { StepMode = true, Processes = 5, Amounts = "7" };
        RunLauncher.Start? started = null;

        var launcher = ctx.Render<RunLauncher>(p => p
            .Add(c => c.Experiment, experiment)
            .Add(c => c.Settings, settings)
            .Add(c => c.CanStart, true)
            .Add(c => c.OnStart, (RunLauncher.Start s) => started = s));

        Assert.Contains("The lesson's program", launcher.Markup);
        var button = launcher.Find("[data-testid=run-experiment]");
        Assert.Equal("Run the program", button.TextContent.Trim());
        await button.ClickAsync(new());
        // What is sent: the program, with step mode, and none of the scenario's knobs (the program says what each does).
        var sent = settings.Apply(started!.Request, null);
        Assert.Equal((null, RunMode.Step, null, null), (sent.Scenario, sent.Mode, sent.Processes, sent.Amounts));
        Assert.Equal("shared x\nprocess p1:\n  add x 1\n", sent.Program!.Text);
    }

    private static string Squeeze(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();
}
