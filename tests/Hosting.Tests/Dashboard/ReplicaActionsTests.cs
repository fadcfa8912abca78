using System.Net;

namespace MlAspire.Hosting.Tests.Dashboard;

public sealed class ReplicaActionsTests
{
    [Fact]
    public async Task StopStartAndRestartFromTheDashboardDriveARealExecutable()
    {
        using var timeout = TestApp.Timeout(90);
        await using var dashboard = await DashboardTestApp.StartAsync(
            b => b.AddExecutable("ticker", "sh", ".", "-c", "echo started; exec sleep 300"), timeout.Token);
        await dashboard.LoginAsync(timeout.Token);
        var notifications = dashboard.App.ResourceNotifications;
        var firstPid = notifications.GetSnapshot("ticker-0")!.ProcessId!.Value;

        using (var stop = await dashboard.PostActionAsync("ticker-0", "stop", timeout.Token))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }

        var stopped = await notifications.WaitForAsync("ticker-0", s => s.State == ResourceState.Finished, timeout.Token);
        Assert.False(ProcFs.IsRunning(firstPid));
        await Task.Delay(500, timeout.Token);
        Assert.Equal(ResourceState.Finished, notifications.GetSnapshot("ticker-0")!.State); // not restarted as a crash

        using (var start = await dashboard.PostActionAsync("ticker-0", "start", timeout.Token))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        var started = await notifications.WaitForAsync("ticker-0", s => s.State == ResourceState.Running && s.ProcessId is { } p && p != firstPid, timeout.Token);
        Assert.True(ProcFs.IsRunning(started.ProcessId!.Value));
        Assert.Equal(stopped.RestartCount + 1, started.RestartCount);
        using (var again = await dashboard.PostActionAsync("ticker-0", "start", timeout.Token))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        using (var restart = await dashboard.PostActionAsync("ticker-0", "restart", timeout.Token))
        {
            Assert.Equal(HttpStatusCode.OK, restart.StatusCode);
        }

        var restarted = await notifications.WaitForAsync("ticker-0", s => s.State == ResourceState.Running && s.ProcessId is { } p && p != started.ProcessId, timeout.Token);
        Assert.False(ProcFs.IsRunning(started.ProcessId!.Value));
        Assert.Equal(started.RestartCount + 1, restarted.RestartCount);
        var json = await dashboard.GetResourcesAsync(timeout.Token);
        Assert.Equal(restarted.RestartCount, json[0].GetProperty("restarts").GetInt32());

        using var unknown = await dashboard.PostActionAsync("nope-0", "stop", timeout.Token);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var badAction = await dashboard.PostActionAsync("ticker-0", "explode", timeout.Token);
        Assert.Equal(HttpStatusCode.BadRequest, badAction.StatusCode);
    }
}
