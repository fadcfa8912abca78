using Grpc.Core;
using MlAspire.Inference.Service.Services;

namespace MlAspire.Inference.Service.Tests;

public sealed class DeadlineInterceptorTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ACallPastItsDeadlineIsRefusedWithoutReachingTheMethod()
    {
        var interceptor = new DeadlineInterceptor(new FixedTimeProvider(s_now));
        var reached = false;

        var ex = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>(
            "request", new TestServerCallContext(s_now.UtcDateTime.AddTicks(-1)), (_, _) => { reached = true; return Task.FromResult("response"); }));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.False(reached);
    }

    [Fact]
    public async Task ACallWithTimeLeftReachesTheMethod()
    {
        var interceptor = new DeadlineInterceptor(new FixedTimeProvider(s_now));

        var response = await interceptor.UnaryServerHandler<string, string>(
            "request", new TestServerCallContext(s_now.UtcDateTime.AddMilliseconds(1)), (request, _) => Task.FromResult(request + " handled"));

        Assert.Equal("request handled", response);
    }
}
