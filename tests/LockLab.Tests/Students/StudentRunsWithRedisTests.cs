using LockLab.Contracts;
using LockLab.TestServices;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Students;

/// <summary>
/// A lab keeping its rooms in Redis (<c>LockLab:Redis</c>), as each instance of a scaled-out deployment does: the room's
/// setting, the students' numbers and the students' runs' news go through Redis. Starts the Redis server only if it is
/// installed; the lab itself only once a test asks for it.
/// </summary>
public sealed class RedisStudentLabFactory : LabServerFactory, IAsyncLifetime
{
    private RedisServer? _redis;

    public async Task InitializeAsync()
    {
        if (Prerequisites.Redis.IsInstalled) _redis = await RedisServer.StartAsync();
    }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LockLab:Redis"] = _redis?.Configuration,
        ["LockLab:RedisChannelPrefix"] = "students-" + Guid.NewGuid().ToString("N")[..8],
    };

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
    }
}

public class StudentRunsWithRedisTests(RedisStudentLabFactory lab) : IClassFixture<RedisStudentLabFactory>
{
    [SkippableFact]
    public async Task With_rooms_in_Redis_a_students_run_is_theirs_until_shown_and_the_setting_holds()
    {
        Prerequisites.Require(Prerequisites.Redis);
        await using var room = new Classroom(lab, "stu-redis");
        var presenter = await room.OpenAsync();
        var follower = await room.JoinAsync();
        var gina = await room.StudentAsync("gina-0000000010");
        var hugo = await room.StudentAsync("hugo-0000000011");
        Assert.Equal(("Student 1", "Student 2"), (gina.Seat!.Label, hugo.Seat!.Label));
        var ginasTablet = await room.StudentAsync("gina-0000000010"); // her second page: the same student
        Assert.Equal("Student 1", ginasTablet.Seat!.Label);

        var run = await gina.StartAsync(ShortRuns.NoLock());
        Assert.Equal(RunStatus.Completed, (await gina.Recorder.CompletedAsync(run.Id)).Status);
        Assert.Equal(RunStatus.Completed, (await ginasTablet.Recorder.CompletedAsync(run.Id)).Status);
        Assert.True(await presenter.ToldAsync(run.Id, r => r.IsFinished));
        Assert.False(follower.HeardOf(run.Id) || hugo.HeardOf(run.Id));

        await presenter.Hub.InvokeAsync<RunInfo>(nameof(ILabHub.ShowRunToRoom), run.Id);
        Assert.Equal("Student 1", (await follower.Recorder.CompletedAsync(run.Id)).Student);
        Assert.Equal(run.Id, (await follower.Hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room.Room)).CurrentRun?.Id);

        Assert.False((await room.AllowAsync(false)).StudentsMayRun);
        Assert.Equal(new RoomSettings(false), await follower.SettingsSayAsync(false));
    }
}
