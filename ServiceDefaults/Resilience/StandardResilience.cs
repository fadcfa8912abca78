using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace MlAspire.ServiceDefaults.Resilience;

/// <summary>Builds the standard pipeline for any call whose failures the caller can classify.</summary>
public static class StandardResilience
{
    /// <summary>
    /// Total timeout, then retry with exponential jittered backoff, then a circuit breaker, then a per-attempt timeout.
    /// </summary>
    /// <param name="isTransient">Which outcomes are worth retrying and count as breaker failures.</param>
    public static ResiliencePipeline<T> Create<T>(
        StandardResilienceOptions options,
        Func<Outcome<T>, bool> isTransient,
        TimeProvider? timeProvider = null)
    {
        var builder = new ResiliencePipelineBuilder<T>();
        if (timeProvider is not null)
        {
            builder.TimeProvider = timeProvider;
        }

        ValueTask<bool> ShouldHandle(Outcome<T> outcome) =>
            ValueTask.FromResult(outcome.Exception is TimeoutRejectedException or BrokenCircuitException || isTransient(outcome));

        return builder
            .AddTimeout(options.TotalTimeout)
            .AddRetry(new RetryStrategyOptions<T>
            {
                MaxRetryAttempts = Math.Max(options.MaxRetryAttempts, 1),
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => options.MaxRetryAttempts == 0 ? ValueTask.FromResult(false) : ShouldHandle(args.Outcome),
                OnRetry = args =>
                {
                    // A failed response that is retried is never seen by the caller: release its connection.
                    (args.Outcome.Result as IDisposable)?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<T>
            {
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is TimeoutRejectedException || isTransient(args.Outcome)),
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    /// <summary>The HTTP pipeline: connection failures, 408, 429 and 5xx are transient.</summary>
    public static ResiliencePipeline<HttpResponseMessage> CreateHttp(
        StandardResilienceOptions options,
        TimeProvider? timeProvider = null) =>
        Create<HttpResponseMessage>(options, IsTransientHttpOutcome, timeProvider);

    public static bool IsTransientHttpOutcome(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is HttpRequestException ||
        outcome.Result is { } response && IsTransientStatus(response.StatusCode);

    public static bool IsTransientStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
}
