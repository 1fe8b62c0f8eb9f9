using LockLab.Contracts;
using LockLab.Contracts.Experiments;
using LockLab.Server.Lessons;
using LockLab.TestServices;

namespace LockLab.Tests.Lessons;

/// <summary>A lesson's <c>lab:</c> entries that name the new scenarios or carry a program of their own.</summary>
public class LessonProgramTests
{
    private static readonly LessonParser Parser = new(new LessonHtml(), LessonLibrary.LessonScenarios);

    private static LessonDocument Parse(string text) => Parser.Parse("programs", text, "programs.md", _ => null);

    [Fact]
    public void A_block_program_in_front_matter_becomes_the_pages_experiment_as_written()
    {
        var lesson = Parse("""
            ---
            title: Programs
            post-headings: [Race]
            lab:
              1:
                startMode: simultaneous
                program: |
                  # the lesson's race
                  shared counter
                  process p1:
                    repeat 5 {
                      add counter 1
                      print counter
                    }
                  process p2:
                    repeat 5 {
                      add counter 3
                      print counter
                    }
            ---
            {% include assign-heading.html %}
            The race.
            """);

        Assert.Empty(lesson.Summary.Warnings);
        var experiment = lesson.Pages.Single(p => p.Title == "Race").Experiment!;
        Assert.Null(experiment.Scenario);
        Assert.Equal(StartMode.Simultaneous, experiment.StartMode);
        Assert.StartsWith("# the lesson's race\nshared counter\nprocess p1:", experiment.Program!.Text);
        // What the page carries is what the server will accept.
        Assert.True(ProgramReader.Read(experiment.Program, ProgramLimits.Default).IsValid);
    }

    [Fact]
    public void A_program_written_as_a_mapping_in_the_models_shape_is_read_and_carried_as_text()
    {
        var lesson = Parse("""
            ---
            title: Programs
            lab:
              intro:
                program:
                  shared: [{ name: counter, initial: 10 }]
                  locks: [a, b]
                  processes:
                    - name: p1
                      steps:
                        - { op: acquire, lock: a }
                        - { op: sleep, ms: 100 }
                        - { op: acquire, lock: b }
                        - { op: add, shared: counter, amount: -1 }
                        - { op: release, lock: b }
                        - { op: release, lock: a }
            ---
            Text.
            """);

        Assert.Empty(lesson.Summary.Warnings);
        var program = lesson.Pages[0].Experiment!.Program!;
        var read = ProgramReader.Read(program, ProgramLimits.Default);
        Assert.True(read.IsValid);
        Assert.Equal(["a", "b"], read.Program.Locks);
        Assert.Equal(10, read.Program.Shared.Single().Initial);
        Assert.Equal(6, read.Program.Processes.Single().Steps.Count);
        Assert.Contains(read.Program.Processes[0].Steps, s => s is AddStep { Amount: -1 });
    }

    [Fact]
    public void A_program_with_an_error_is_a_warning_naming_the_files_line_and_the_page_runs_nothing()
    {
        var lesson = Parse("""
            ---
            title: Programs
            post-headings: [Broken]
            lab:
              1:
                program: |
                  shared counter
                  lock l
                  process p1:
                    release l
            ---
            {% include assign-heading.html %}
            Broken.
            """);

        // Line 10 of the file: '---' is line 1, 'release l' the tenth.
        var warning = Assert.Single(lesson.Summary.Warnings);
        Assert.StartsWith("'lab' entry '1': the program has an error on line 10: process p1, step 1 (release l):", warning);
        Assert.EndsWith("The page runs no experiment.", warning);
        Assert.Null(lesson.Pages.Single(p => p.Title == "Broken").Experiment);
        // The warning is a server text: each page shows it in its own language.
        Assert.Equal(LessonWarnings.LabEntryProgramErrorAt, ServerTexts.Match(warning)?.Template);
    }

    [Fact]
    public void A_syntax_error_points_at_its_line_and_a_mapping_error_names_its_process_and_step()
    {
        var syntax = Parse("""
            ---
            title: Programs
            lab:
              intro:
                program: |
                  shared counter
                  process p1:
                    jump counter
            ---
            Text.
            """);
        var warning = Assert.Single(syntax.Summary.Warnings);
        Assert.Contains("on line 8:", warning);
        Assert.Contains("'jump' is not a step", warning);

        var mapping = Parse("""
            ---
            title: Programs
            lab:
              intro:
                program:
                  shared: [{ name: counter }]
                  processes:
                    - { name: p1, steps: [{ op: add, shared: nothing, amount: 1 }] }
            ---
            Text.
            """);
        var error = Assert.Single(mapping.Summary.Warnings);
        Assert.StartsWith("'lab' entry 'intro': the program has an error: process p1, step 1", error);
        Assert.Null(mapping.Pages[0].Experiment);

        var notAProgram = Parse("""
            ---
            title: Programs
            lab:
              intro: { program: [1, 2] }
            ---
            Text.
            """);
        Assert.Equal(["'lab' entry 'intro': 'program' should be the program's text ('program: |' and the lines below) or a mapping " +
            "with 'shared', 'locks' and 'processes'; the page runs no experiment."], notAProgram.Summary.Warnings);
    }

    [Fact]
    public void The_deadlock_lock_ordering_and_semaphore_scenarios_are_named_as_the_others_are()
    {
        var lesson = Parse("""
            ---
            title: Locks
            post-headings: [One, Two, Three]
            lab:
              1: deadlock
              2: { scenario: lock-ordering, startMode: simultaneous }
              3: { scenario: semaphore, permits: 2, processes: 4 }
            ---
            {% include assign-heading.html %}
            One.
            {% include assign-heading.html %}
            Two.
            {% include assign-heading.html %}
            Three.
            """);

        Assert.Empty(lesson.Summary.Warnings);
        Assert.Equal([Scenarios.Deadlock, Scenarios.LockOrdering, Scenarios.Semaphore],
            lesson.Pages.Select(p => p.Experiment!.Scenario));
        Assert.Equal(StartMode.Simultaneous, lesson.Pages[1].Experiment!.StartMode);
        Assert.Equal((2, 4), (lesson.Pages[2].Experiment!.Permits, lesson.Pages[2].Experiment!.Processes));
        Assert.All(lesson.Pages, p => Assert.Null(p.Experiment!.Program));
    }

    [Fact]
    public void An_entry_without_a_scenario_or_a_program_is_still_a_warning()
    {
        var lesson = Parse("""
            ---
            title: Locks
            lab:
              intro: { processes: 3 }
            ---
            Text.
            """);

        Assert.Equal(["'lab' entry 'intro' needs a scenario or a program; it was ignored."], lesson.Summary.Warnings);
    }

    /// <summary>The README's examples of <c>program:</c> are lessons' front matter that loads as it is written there.</summary>
    [Fact]
    public void The_readmes_program_examples_load_without_warnings()
    {
        var readme = File.ReadAllText(Path.Combine(TestRun.RepositoryRoot ?? throw new DirectoryNotFoundException("LockLab.sln not found"), "README.md"));
        var examples = System.Text.RegularExpressions.Regex.Matches(readme, @"```yaml\n(lab:\n(?:(?!```).)*?program: \|(?:(?!```).)*)```",
                System.Text.RegularExpressions.RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(2, examples.Count);
        foreach (var example in examples)
        {
            var lesson = Parse($"---\ntitle: Example\npost-headings: [One, Two]\n{example}---\n" +
                "{% include assign-heading.html %}\nOne.\n{% include assign-heading.html %}\nTwo.\n");
            Assert.Empty(lesson.Summary.Warnings);
            var experiment = Assert.Single(lesson.Pages, p => p.Experiment is not null).Experiment!;
            Assert.True(ProgramReader.Read(experiment.Program!, ProgramLimits.Default).IsValid);
        }
    }

    [Theory]
    [InlineData("en", "deadlocks.md")]
    [InlineData("zh", "deadlocks-zh.md")]
    public void The_shipped_deadlock_lesson_loads_without_warnings(string language, string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Lessons", "Library", file);
        var lesson = Parser.Parse(Path.GetFileNameWithoutExtension(file), File.ReadAllText(path), file, _ => null);

        Assert.Null(lesson.Summary.Error);
        Assert.Empty(lesson.Summary.Warnings);
        Assert.Equal(language == "zh" ? LabCultures.Chinese : LabCultures.English, lesson.Summary.Language);
        var experiments = lesson.Pages.Select(p => p.Experiment).Where(e => e is not null).ToList();
        Assert.Equal([Scenarios.Deadlock, Scenarios.LockOrdering, Scenarios.Semaphore, null], experiments.Select(e => e!.Scenario));
        Assert.Equal(2, experiments[2]!.Permits);
        Assert.Equal(4, experiments[2]!.Processes);
        Assert.True(ProgramReader.Read(experiments[3]!.Program!, ProgramLimits.Default).IsValid);
    }
}
