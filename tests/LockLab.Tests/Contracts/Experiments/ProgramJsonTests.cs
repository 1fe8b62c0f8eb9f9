using System.Text.Json;
using LockLab.Contracts;
using LockLab.Contracts.Experiments;

namespace LockLab.Tests.Contracts.Experiments;

/// <summary>A program through its source-generated JSON (ProgramsJsonContext): as a model with an "op" per step, or as its text in a string.</summary>
public class ProgramJsonTests
{
    private static readonly JsonSerializerOptions Json = ProgramsJsonContext.Default.Options;

    [Fact]
    public void Every_built_in_goes_through_json_and_back_unchanged()
    {
        foreach (var program in ProgramTextTests.AllBuiltIns())
        {
            var json = JsonSerializer.Serialize(program, ProgramsJsonContext.Default.ExperimentProgram);
            var back = JsonSerializer.Deserialize(json, ProgramsJsonContext.Default.ExperimentProgram)!;
            Assert.Equal(ProgramText.Format(program), ProgramText.Format(back));
            Assert.Equal(json, JsonSerializer.Serialize(back, ProgramsJsonContext.Default.ExperimentProgram));
        }
    }

    [Fact]
    public void A_step_is_written_with_its_op_and_camel_case_fields()
    {
        var program = new ExperimentProgram
        {
            Shared = [new SharedInteger("counter")],
            Locks = ["l"],
            Semaphores = [new SemaphoreDeclaration("pool", 2)],
            Processes = [new ProcessProgram("p1",
                [new AcquireStep("l"), new RepeatStep(2, [new SleepStep(100), new AddStep("counter", 1)]), new ReleaseStep("l")])],
        };
        Assert.Equal(
            """{"shared":[{"name":"counter","initial":0}],"locks":["l"],"semaphores":[{"name":"pool","permits":2}],"processes":""" +
            """[{"name":"p1","steps":[{"op":"acquire","lock":"l"},{"op":"repeat","count":2,"steps":""" +
            """[{"op":"sleep","ms":100},{"op":"add","shared":"counter","amount":1}]},{"op":"release","lock":"l"}]}]}""",
            JsonSerializer.Serialize(program, ProgramsJsonContext.Default.ExperimentProgram));
    }

    [Fact]
    public void A_hand_written_program_may_put_op_anywhere_and_leave_out_what_has_a_default()
    {
        var program = JsonSerializer.Deserialize("""
            {"shared": [{"name": "x"}],
             "processes": [{"name": "p1", "steps": [{"shared": "x", "op": "read"}, {"op": "write", "shared": "x"}, {"op": "print", "shared": "x"}]}]}
            """, ProgramsJsonContext.Default.ExperimentProgram)!;
        Assert.Empty(program.Locks);
        Assert.Empty(program.Semaphores);
        Assert.Equal<ProgramStep>([new ReadStep("x"), new WriteStep("x", 0), new PrintStep("x")], program.Processes[0].Steps);
        Assert.True(ProgramReader.Check(program, ProgramLimits.Default).IsValid);
    }

    [Theory]
    [InlineData("""{"op": "sleep"}""")]
    [InlineData("""{"op": "add", "shared": "x"}""")]
    [InlineData("""{"op": "acquire"}""")]
    [InlineData("""{"op": "repeat", "count": 2}""")]
    [InlineData("""{"op": "jump", "shared": "x"}""")]
    [InlineData("""{"shared": "x"}""")]
    public void A_step_missing_its_op_or_a_required_field_is_bad_json_as_any_other(string step)
    {
        // As a request's "program" (a ProgramSource): a JsonException, which the server answers with a 400.
        var json = $$"""{"processes": [{"name": "p1", "steps": [{{step}}]}]}""";
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<ProgramSource>(json, Json));
    }

    [Fact]
    public void A_program_source_is_read_from_a_string_or_an_object_and_written_back_as_it_came()
    {
        var text = ProgramText.Format(BuiltInPrograms.Deadlock());
        var fromText = JsonSerializer.Deserialize<ProgramSource>(JsonSerializer.Serialize(text), Json)!;
        Assert.Equal(text, fromText.Text);
        Assert.Null(fromText.Program);
        Assert.Equal(JsonSerializer.Serialize(text), JsonSerializer.Serialize(fromText, Json));

        var model = JsonSerializer.Serialize(BuiltInPrograms.Deadlock(), ProgramsJsonContext.Default.ExperimentProgram);
        var fromObject = JsonSerializer.Deserialize<ProgramSource>(model, Json)!;
        Assert.Null(fromObject.Text);
        Assert.Equal(text, ProgramText.Format(fromObject.Program!));
        Assert.Equal(model, JsonSerializer.Serialize(fromObject, Json));

        Assert.True(ProgramReader.Read(fromText, ProgramLimits.Default).IsValid);
        Assert.True(ProgramReader.Read(fromObject, ProgramLimits.Default).IsValid);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ProgramSource>("42", Json));
    }

    [Fact]
    public void A_program_given_as_json_is_validated_with_its_errors_named_by_process_and_step()
    {
        var program = JsonSerializer.Deserialize("""
            {"shared": [{"name": "x"}], "locks": ["l"],
             "processes": [{"name": "p1", "steps": [{"op": "repeat", "count": 3, "steps": [{"op": "release", "lock": "l"}]}]}]}
            """, ProgramsJsonContext.Default.ExperimentProgram)!;
        var result = ProgramReader.Check(program, ProgramLimits.Default);
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal("process p1, step 1.1 (release l): " + TextTemplates.Fill(ProgramMessages.ReleaseNotHeld, "l"), error.ToString());
        Assert.Null(error.Line);
    }

    [Fact]
    public void Nesting_deeper_than_json_allows_is_refused_by_the_reader()
    {
        var json = """{"processes": [{"name": "p1", "steps": [""" +
            string.Concat(Enumerable.Repeat("""{"op": "repeat", "count": 1, "steps": [""", 100)) +
            string.Concat(Enumerable.Repeat("]}", 100)) + "]}]}";
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, ProgramsJsonContext.Default.ExperimentProgram));
    }
}
