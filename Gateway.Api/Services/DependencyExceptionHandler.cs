using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace MlAspire.Gateway.Api.Services;

/// <summary>
/// Turns an unreachable dependency into a ProblemDetails answer: Redis down → 503 with Retry-After (nothing is accepted
/// that cannot be stored); inference errors by the googleapis table (UNAVAILABLE → 503, DEADLINE_EXCEEDED → 504, ...).
/// The detail never carries exception text.
/// </summary>
internal sealed class DependencyExceptionHandler(IProblemDetailsService problems, IOptions<GatewayOptions> options, ILogger<DependencyExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        int status;
        string title, detail;
        switch (exception)
        {
            // Not reachable (the multiplexer has no connection: with backlogPolicy FailFast a command fails at once),
            // no answer in time, or reachable but not serving yet: restarting and loading its data, busy with a script.
            case Exception when IsRedisUnavailable(exception):
                Log.RedisUnavailable(logger, exception);
                status = StatusCodes.Status503ServiceUnavailable;
                title = "Job store unavailable";
                detail = "The job store cannot be reached; nothing was accepted. Retry later.";
                break;
            case RpcException rpc:
                status = rpc.StatusCode switch
                {
                    StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
                    StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
                    StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
                    _ => StatusCodes.Status502BadGateway,
                };
                Log.InferenceFailed(logger, rpc.StatusCode.ToString(), status);
                title = "Inference service unavailable";
                detail = "The inference service could not answer. Retry later.";
                break;
            default:
                return false;
        }

        httpContext.Response.StatusCode = status;
        if (status is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests)
        {
            httpContext.Response.Headers.RetryAfter = options.Value.UnavailableRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).ConfigureAwait(false);
    }

    /// <summary>Redis cannot answer now: not reachable, no answer in time, or restarting (see <see cref="IsUnavailable"/>).</summary>
    internal static bool IsRedisUnavailable(Exception exception) =>
        exception is RedisConnectionException or RedisTimeoutException
        || (exception is RedisServerException && IsUnavailable(exception.Message));

    /// <summary>Server errors that say "not now" (the error's first word), not "never".</summary>
    private static bool IsUnavailable(string message) =>
        message.StartsWith("LOADING ", StringComparison.Ordinal) || message.StartsWith("BUSY ", StringComparison.Ordinal) ||
        message.StartsWith("MASTERDOWN ", StringComparison.Ordinal) || message.StartsWith("TRYAGAIN ", StringComparison.Ordinal);
}
