using LockLab.Contracts;
using LockLab.Contracts.Experiments;

namespace LockLab.Tests.Contracts.Experiments;

/// <summary>The text form a lesson author writes: what it reads, and how it says what is wrong and where.</summary>
public class ProgramTextTests
{
    private const string LessonWithLock = """
        # The lesson's second experiment
        shared counter = 0
        lock l

        process p1:
          acquire l
          repeat 5 {
            sleep 100
            add counter 1   # v.value += 1
            print counter
          }
          release l
        process p2:
          acquire l
          repeat 5 {
            sleep 100
            add counter 3
            print counter
          }
          release l
        """;

    private static ProgramReadResult Read(string text) => ProgramReader.Read(text, ProgramLimits.Default);

    private static ProgramError SingleError(string text)
    {
        var result = Read(text);
        Assert.False(result.IsValid);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void The_lessons_second_experiment_reads_as_the_built_in_lock_scenario()
    {
        var result = Read(LessonWithLock);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var builtIn = BuiltInPrograms.For(Scenarios.Lock, LessonParameters(LockScope.WholeLoop));
        Assert.Equal(ProgramText.Format(builtIn), ProgramText.Format(result.Program));
    }

    [Fact]
    public void A_program_reads_every_kind_of_step_and_declaration()
    {
        var result = Read("""
            shared x
            shared y = -5
            lock l
            semaphore pool permits 2
            process p1:
              sleep 0
              acquire pool
              read x
              write x
              write x -2
              add y +4
              print y
              release pool
            """);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var p = result.Program;
        Assert.Equal([new SharedInteger("x", 0), new SharedInteger("y", -5)], p.Shared);
        Assert.Equal(["l"], p.Locks);
        Assert.Equal([new SemaphoreDeclaration("pool", 2)], p.Semaphores);
        var process = Assert.Single(p.Processes);
        Assert.Equal("p1", process.Name);
        Assert.Equal<ProgramStep>(
        [
            new SleepStep(0), new AcquireStep("pool"), new ReadStep("x"), new WriteStep("x", 0), new WriteStep("x", -2),
            new AddStep("y", 4), new PrintStep("y"), new ReleaseStep("pool"),
        ], process.Steps);
    }

    [Fact]
    public void Indentation_spacing_and_comments_mean_nothing_and_a_brace_may_stand_on_the_next_line()
    {
        var result = Read("shared   counter=0#start at zero\r\n\tlock l\r\nprocess p1 :\r\nrepeat 2\r\n{\r\n" +
            "      add counter 1\r\n}   # done\r\n   # a comment line\r\n\r\n");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("shared counter = 0\nlock l\nprocess p1:\n  repeat 2 {\n    add counter 1\n  }\n", ProgramText.Format(result.Program));
    }

    [Fact]
    public void Nested_repeats_read_to_the_depth_allowed()
    {
        var result = Read("""
            shared c
            process p1:
              repeat 2 {
                repeat 3 {
                  repeat 4 {
                    add c 1
                  }
                }
                print c
              }
            """);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(24, SequentialRun.Of(result.Program).FinalValues["c"]);
    }

    [Fact]
    public void Format_and_parse_are_each_others_inverse_for_every_built_in()
    {
        foreach (var program in AllBuiltIns())
        {
            var text = ProgramText.Format(program);
            var read = ProgramText.Parse(text, ProgramLimits.Default);
            Assert.True(read.IsValid, string.Join("\n", read.Errors));
            Assert.Equal(text, ProgramText.Format(read.Program));
        }
    }

    // Every error of the text form names its line, and the process and step it is in.

    [Theory]
    [InlineData("incr counter", "'incr' is not a step")]
    [InlineData("sleep", "'sleep' is written like this: sleep 100")]
    [InlineData("sleep soon", "'soon' is not a whole number")]
    [InlineData("sleep 99999999999", "'99999999999' is not a whole number")]
    [InlineData("add counter", "'add' is written like this: add counter 1")]
    [InlineData("add counter one", "'one' is not a whole number")]
    [InlineData("acquire", "'acquire' is written like this: acquire l")]
    [InlineData("release l now", "'release' is written like this: release l")]
    [InlineData("write counter 1 2", "'write' is written like this: write counter 1")]
    [InlineData("print {", "'print' is written like this: print counter")]
    [InlineData("repeat {", "'repeat' is written like this: repeat 5 {")]
    public void A_wrong_step_is_named_by_line_process_and_step(string wrongStep, string expected)
    {
        var error = SingleError($"shared counter\nlock l\nprocess p1:\n  print counter\n  {wrongStep}\n  print counter\n");
        Assert.StartsWith(expected, error.Message);
        Assert.Equal(5, error.Line);
        Assert.Equal("p1", error.Process);
        Assert.Equal("2", error.Step);
        Assert.StartsWith("line 5, process p1, step 2: ", error.ToString());
    }

    [Fact]
    public void A_wrong_step_inside_a_repeat_is_named_by_its_place_in_the_repeat()
    {
        var error = SingleError("shared c\nprocess p1:\n  print c\n  repeat 2 {\n    add c 1\n    jump c\n  }\n");
        Assert.Equal((6, "p1", "2.2"), (error.Line, error.Process, error.Step));
    }

    [Fact]
    public void A_step_before_any_process_is_an_error_on_its_line()
    {
        var error = SingleError("shared c\nadd c 1\nprocess p1:\n  print c\n");
        Assert.Equal(ProgramMessages.StepOutsideProcess.Replace("{0}", "add"), error.Message);
        Assert.Equal(2, error.Line);
        Assert.Null(error.Process);
    }

    [Fact]
    public void A_word_that_is_neither_declaration_nor_process_is_an_error()
    {
        var error = SingleError("shared c\nint x = 3\nprocess p1:\n  print c\n");
        Assert.StartsWith("'int' is not a declaration", error.Message);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void A_declaration_after_the_first_process_is_an_error()
    {
        var error = SingleError("shared c\nprocess p1:\n  print c\nlock l\n");
        Assert.Equal(ProgramMessages.DeclarationAfterProcess, error.Message);
        Assert.Equal((4, "p1"), (error.Line, error.Process));
    }

    [Theory]
    [InlineData("shared", "shared counter = 0")]
    [InlineData("shared c 0", "shared counter = 0")]
    [InlineData("lock", "lock l")]
    [InlineData("lock a b", "lock l")]
    [InlineData("semaphore s 3", "semaphore pool permits 2")]
    public void A_declaration_written_wrong_shows_how_it_is_written(string declaration, string usage)
    {
        var error = SingleError($"{declaration}\nshared x\nprocess p1:\n  print x\n");
        Assert.Equal(TextTemplates.Fill(ProgramMessages.Usage, declaration.Split(' ')[0], usage), error.Message);
        Assert.Equal(1, error.Line);
    }

    [Theory]
    [InlineData("shared c = big", "'big' is not a whole number")]
    [InlineData("semaphore s permits many", "'many' is not a whole number")]
    public void A_declaration_with_a_wrong_number_names_it(string declaration, string expected)
    {
        var error = SingleError($"{declaration}\nshared x\nprocess p1:\n  print x\n");
        Assert.StartsWith(expected, error.Message);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void A_process_header_without_its_colon_is_an_error_and_its_steps_are_still_read()
    {
        var errors = Read("shared c\nprocess p1\n  print c\n  jump\n").Errors;
        Assert.Equal(2, errors.Count);
        Assert.Equal((2, "p1"), (errors[0].Line, errors[0].Process));
        Assert.StartsWith("'process' is written like this: process p1:", errors[0].Message);
        Assert.Equal((4, "p1", "2"), (errors[1].Line, errors[1].Process, errors[1].Step));
    }

    [Fact]
    public void A_close_brace_without_a_repeat_is_an_error()
    {
        var error = SingleError("shared c\nprocess p1:\n  print c\n}\n");
        Assert.Equal(ProgramMessages.UnmatchedClose, error.Message);
        Assert.Equal((4, "p1"), (error.Line, error.Process));
    }

    [Fact]
    public void An_open_brace_without_a_repeat_is_an_error()
    {
        var error = SingleError("shared c\nprocess p1:\n  print c\n{\n");
        Assert.Equal(ProgramMessages.UnexpectedOpen, error.Message);
        Assert.Equal(4, error.Line);
    }

    [Fact]
    public void A_repeat_without_its_brace_on_the_next_line_is_an_error_on_the_repeats_line()
    {
        var error = SingleError("shared c\nprocess p1:\n  repeat 3\n  add c 1\n");
        Assert.StartsWith("'repeat' is written like this", error.Message);
        Assert.Equal((3, "p1", "1"), (error.Line, error.Process, error.Step));
    }

    [Fact]
    public void A_repeat_never_closed_is_an_error_on_its_own_line_whether_the_process_or_the_text_ends()
    {
        var errors = Read("shared c\nprocess p1:\n  repeat 3 {\n    add c 1\nprocess p2:\n  print c\n  repeat 2 {\n    print c\n").Errors;
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal(ProgramMessages.UnclosedRepeat, e.Message));
        Assert.Equal((3, "p1", "1", "repeat 3 {"), (errors[0].Line, errors[0].Process, errors[0].Step, errors[0].StepText));
        Assert.Equal((7, "p2", "2"), (errors[1].Line, errors[1].Process, errors[1].Step));
    }

    [Fact]
    public void A_one_line_repeat_is_an_error_each_step_has_its_line()
    {
        var errors = Read("shared c\nprocess p1:\n  repeat 5 { add c 1 }\n").Errors;
        Assert.StartsWith("'repeat' is written like this", Assert.Single(errors).Message);
    }

    [Fact]
    public void Every_error_of_a_text_is_listed_not_only_the_first()
    {
        var errors = Read("shared c\nprocess p1:\n  jump\n  sleep x\nprocess p2:\n  fly\n").Errors;
        Assert.Equal([3, 4, 6], errors.Select(e => e.Line!.Value));
    }

    [Fact]
    public void A_hostile_text_gets_a_bounded_list_of_errors()
    {
        var text = "shared c\nprocess p1:\n" + string.Concat(Enumerable.Repeat("  nonsense\n", 1000));
        var errors = Read(text).Errors;
        Assert.Equal(ProgramLimits.Default.MaxErrors + 1, errors.Count);
        Assert.Equal(TextTemplates.Fill(ProgramMessages.TooManyErrors, ProgramLimits.Default.MaxErrors), errors[^1].Message);
    }

    [Fact]
    public void A_text_longer_than_the_limit_is_refused_before_it_is_read()
    {
        var limits = ProgramLimits.Default;
        var atLimit = "shared c\nprocess p1:\n  print c\n";
        atLimit += new string('#', limits.MaxTextChars - atLimit.Length);
        Assert.True(Read(atLimit).IsValid);
        var error = SingleError(atLimit + "#");
        Assert.Equal(TextTemplates.Fill(ProgramMessages.TextTooLong, limits.MaxTextChars + 1, limits.MaxTextChars), error.Message);
        Assert.Null(error.Line);
    }

    [Fact]
    public void A_deep_nesting_in_text_is_refused_without_recursing_into_it()
    {
        // Within the text limit, a thousand and more nested repeats: read on an explicit stack, refused at the depth limit.
        var depth = 1500;
        var text = "shared c\nprocess p1:\n" + string.Concat(Enumerable.Repeat("repeat 1 {\n", depth)) + "add c 1\n" +
            string.Concat(Enumerable.Repeat("}\n", depth));
        var error = Assert.Single(Read(text).Errors);
        Assert.Equal(TextTemplates.Fill(ProgramMessages.RepeatTooDeep, ProgramLimits.Default.MaxRepeatDepth), error.Message);
        Assert.Equal("1.1.1.1", error.Step);
        Assert.Equal(6, error.Line);
    }

    // Errors the validator finds in a text are placed on their lines too.

    [Fact]
    public void A_validation_error_in_a_text_names_its_line_process_and_step()
    {
        var error = SingleError("""
            shared counter
            lock l
            process p1:
              acquire l
              add counter 1
              release l
            process p2:
              repeat 2 {
                add counter 3
                release l
              }
            """);
        Assert.Equal(TextTemplates.Fill(ProgramMessages.ReleaseNotHeld, "l"), error.Message);
        Assert.Equal((10, "p2", "1.2", "release l"), (error.Line, error.Process, error.Step, error.StepText));
        Assert.Equal("line 10, process p2, step 1.2 (release l): " + error.Message, error.ToString());
    }

    [Fact]
    public void A_validation_error_in_a_declaration_names_its_line()
    {
        var errors = Read("shared c = 5000000\nlock c\nsemaphore s permits 9\nprocess p1:\n  print c\n").Errors;
        Assert.Equal([1, 2, 3], errors.Select(e => e.Line!.Value));
    }

    internal static RunParameters LessonParameters(LockScope lockScope, int gapMs = 0) =>
        new(2, 5, [1, 3], DelayMs: 100, GapMs: gapMs, lockScope, StartMode.Lesson);

    internal static IEnumerable<ExperimentProgram> AllBuiltIns() =>
    [
        BuiltInPrograms.For(Scenarios.NoLock, LessonParameters(LockScope.None)),
        BuiltInPrograms.For(Scenarios.Lock, LessonParameters(LockScope.WholeLoop)),
        BuiltInPrograms.For(Scenarios.LockPerStep, LessonParameters(LockScope.PerStep)),
        BuiltInPrograms.For(Scenarios.LostUpdate, LessonParameters(LockScope.None, gapMs: 50)),
        BuiltInPrograms.For(Scenarios.Stress, new RunParameters(2, 1000, [1, 1], 0, 0, LockScope.None, StartMode.Simultaneous)),
        BuiltInPrograms.Deadlock(),
        BuiltInPrograms.LockOrdering(),
        BuiltInPrograms.Semaphore(permits: 2, processes: 5),
    ];
}
