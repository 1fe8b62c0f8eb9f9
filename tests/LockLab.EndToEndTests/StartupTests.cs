using System.Net.Http.Json;
using LockLab.Contracts;

namespace LockLab.EndToEndTests;

/// <summary>How the real server executable starts when its settings cannot work.</summary>
[Collection(PublishedLab.Collection)]
public class StartupTests
{
    [Fact]
    public async Task A_data_folder_that_cannot_be_created_stops_the_start_with_one_line_naming_it_and_why()
    {
        var scratch = Directory.CreateTempSubdirectory("locklab-e2e-blocked-").FullName;
        try
        {
            var inTheWay = Path.Combine(scratch, "a-file");
            await File.WriteAllTextAsync(inTheWay, "a file where a folder should be");
            var dataPath = Path.Combine(inTheWay, "data");

            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(dataPath: dataPath));

            var output = refused.Message;
            var complaint = Assert.Single(output.Split('\n'), l => l.Contains(" FTL]") || l.Contains(" ERR]"));
            Assert.Contains(dataPath, complaint);
            Assert.Contains("LockLab:DataPath", complaint);
            Assert.DoesNotContain("   at ", output); // a sentence, not a stack trace
            Assert.DoesNotContain("Now listening", output);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public async Task A_configured_presenter_key_that_is_easy_to_guess_stops_the_start_with_one_line_saying_so()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServerProcess.StartAsync(settings: new Dictionary<string, string> { ["LockLab__PresenterKey"] = "classroom" }));

        var complaint = Assert.Single(refused.Message.Split('\n'), l => l.Contains(" FTL]") || l.Contains(" ERR]"));
        Assert.Contains("LockLab:PresenterKey is too easy to guess", complaint);
        Assert.DoesNotContain("   at ", refused.Message);
        Assert.DoesNotContain("Now listening", refused.Message);
    }

    [Fact]
    public async Task A_presenter_signed_in_before_a_restart_stays_signed_in_after_it_and_the_signing_keys_are_the_owners_only()
    {
        var dataPath = Directory.CreateTempSubdirectory("locklab-e2e-restart-").FullName;
        try
        {
            string token;
            await using (var before = await ServerProcess.StartAsync(dataPath: dataPath))
            {
                using var signIn = before.CreateClient(presenter: true);
                var answer = await signIn.PostAsync("/api/presenter/session", null);
                Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
                token = (await answer.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PresenterSession))!.Token;
                // No complaint about where, or how, the signing keys are kept.
                Assert.DoesNotContain(before.Output.Split('\n'), l => l.Contains(" WRN]") && l.Contains("DataProtection"));
            }

            // The same lab started again on its data folder (a restart, a container recreated on its volume).
            await using var after = await ServerProcess.StartAsync(dataPath: dataPath);
            using var teacher = after.CreateClient();
            teacher.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var opened = await teacher.PutAsync("/api/rooms/after-restart", null);
            Assert.True(opened.IsSuccessStatusCode, $"{(int)opened.StatusCode}: {await opened.Content.ReadAsStringAsync()}");

            var keys = Path.Combine(dataPath, "data-protection-keys");
            Assert.NotEmpty(Directory.GetFiles(keys, "*.xml"));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
            }
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }
}
