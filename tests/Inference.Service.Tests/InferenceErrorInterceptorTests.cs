using Grpc.Core;
using MlAspire.Inference.Service.Model;
using MlAspire.Inference.Service.Services;

namespace MlAspire.Inference.Service.Tests;

public sealed class InferenceErrorInterceptorTests
{
    [Theory]
    [InlineData("InvalidArgument", StatusCode.InvalidArgument)]
    [InlineData("NotFound", StatusCode.NotFound)]
    [InlineData("Unavailable", StatusCode.Unavailable)]
    [InlineData("ResourceExhausted", StatusCode.ResourceExhausted)]
    [InlineData("DeadlineExceeded", StatusCode.DeadlineExceeded)]
    [InlineData("Cancelled", StatusCode.Cancelled)]
    [InlineData("Internal", StatusCode.Internal)]
    public async Task EachInferenceErrorBecomesItsStatusWithTheMessageAsDetail(string error, StatusCode expected)
    {
        var interceptor = new InferenceErrorInterceptor();
        var failure = new InferenceException(Enum.Parse<InferenceError>(error), "Input 'input' is at fault.");

        var ex = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>(
            "request", new TestServerCallContext(DateTime.MaxValue), (_, _) => throw failure));

        Assert.Equal(expected, ex.StatusCode);
        Assert.Equal("Input 'input' is at fault.", ex.Status.Detail);
    }

    [Fact]
    public async Task OtherExceptionsAreLeftToGrpcAspNetCore()
    {
        var interceptor = new InferenceErrorInterceptor();

        await Assert.ThrowsAsync<InvalidOperationException>(() => interceptor.UnaryServerHandler<string, string>(
            "request", new TestServerCallContext(DateTime.MaxValue), (_, _) => throw new InvalidOperationException("bug")));
    }
}
