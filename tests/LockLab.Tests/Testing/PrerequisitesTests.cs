using LockLab.TestServices;

namespace LockLab.Tests.Testing;

/// <summary>
/// The rule for a test whose program is missing: skipped, saying what to install; failed instead when
/// LOCKLAB_TESTS_REQUIRE_ALL is set (CI), so that a run cannot pass by skipping. Decided on made-up programs, whatever
/// this machine has installed.
/// </summary>
public class PrerequisitesTests
{
    private static readonly Prerequisite Present = new("present-tool", "present-package", () => "/usr/bin/present-tool");
    private static readonly Prerequisite Missing = new("missing-tool", "missing-package", () => null);
    private static readonly Prerequisite AlsoMissing = new("other-tool", "other-package extra-fonts", () => null);

    [Fact]
    public void A_missing_program_skips_the_test_naming_the_package_to_install()
    {
        var verdict = Prerequisites.Verdict(Prerequisites.Missing([Present, Missing]), strict: false);

        var skip = Assert.IsType<SkipException>(verdict);
        Assert.Equal("needs missing-tool: apt-get install missing-package", skip.Message);
    }

    [Fact]
    public void In_strict_mode_a_missing_program_fails_the_test_instead_naming_the_package_and_the_variable()
    {
        var verdict = Prerequisites.Verdict(Prerequisites.Missing([Present, Missing]), strict: true);

        Assert.NotNull(verdict);
        Assert.IsNotType<SkipException>(verdict);
        Assert.Contains("needs missing-tool: apt-get install missing-package", verdict.Message);
        Assert.Contains("LOCKLAB_TESTS_REQUIRE_ALL is set", verdict.Message);
    }

    [Fact]
    public void Require_reads_the_strict_variable_and_fails_a_test_whose_program_is_missing()
    {
        var before = Environment.GetEnvironmentVariable(Prerequisites.StrictVariable);
        Environment.SetEnvironmentVariable(Prerequisites.StrictVariable, "1");
        try
        {
            // Strict: nothing is recorded as skipped, the test fails.
            var failure = Assert.Throws<MissingProgramException>(() => Prerequisites.Require(Present, Missing));
            Assert.Contains("apt-get install missing-package", failure.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Prerequisites.StrictVariable, before);
        }
    }

    [Fact]
    public void Installed_programs_let_the_test_run_strict_or_not()
    {
        Assert.Empty(Prerequisites.Missing([Present]));
        Assert.Null(Prerequisites.Verdict(Prerequisites.Missing([Present]), strict: false));
        Assert.Null(Prerequisites.Verdict(Prerequisites.Missing([Present]), strict: true));
        Prerequisites.Require(Present);
    }

    [Fact]
    public void Every_missing_program_is_named_with_its_own_packages()
    {
        var verdict = Prerequisites.Verdict(Prerequisites.Missing([Missing, Present, AlsoMissing]), strict: false);

        Assert.Equal("needs missing-tool: apt-get install missing-package; needs other-tool: apt-get install " +
            "other-package extra-fonts", verdict?.Message);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    public void The_strict_variable_is_on_for_1_or_true(string? value, bool strict) =>
        Assert.Equal(strict, Prerequisites.IsStrict(value));

    [Fact]
    public void Each_skipped_test_is_one_line_of_its_missing_programs_for_the_runs_closing_line()
    {
        var folder = Directory.CreateTempSubdirectory("locklab-skips-").FullName;
        try
        {
            var record = Path.Combine(folder, "TestResults", "skipped-prerequisites.txt");
            SkipRecord.Append(record, [Missing]);
            SkipRecord.Append(record, [Missing, AlsoMissing]);

            Assert.Equal(
                ["missing-tool (apt-get install missing-package)",
                    "missing-tool (apt-get install missing-package)\tother-tool (apt-get install other-package extra-fonts)"],
                File.ReadAllLines(record));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
