using LockLab.Contracts;

namespace LockLab.Tests.Contracts;

/// <summary>A hub error's code travels in front of its sentence and comes back as it left.</summary>
public class LabErrorTests
{
    [Fact]
    public void Every_code_comes_back_from_the_text_the_server_writes()
    {
        foreach (var code in Enum.GetValues<LabErrorCode>())
        {
            var sent = new LabError(code, "Room 'x' already has 1 run(s) queued or running [sic].");
            Assert.Equal(sent, LabError.FromHubMessage(sent.ToHubMessage()));
        }
    }

    [Theory]
    [InlineData("Invalid run request: processes: Must be between 1 and 8.")]
    [InlineData("[not-a-code] something")]
    [InlineData("text [room-full] later")]
    public void A_text_without_a_leading_known_code_is_other_and_kept_whole(string text) =>
        Assert.Equal(new LabError(LabErrorCode.Other, text), LabError.FromHubMessage(text));
}
