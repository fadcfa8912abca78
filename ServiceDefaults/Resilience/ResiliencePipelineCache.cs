using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Polly;

namespace MlAspire.ServiceDefaults.Resilience;

/// <summary>
/// One HTTP pipeline per target, kept for the process's life, so a circuit breaker's state outlives the
/// HttpClientFactory's handler rotation.
/// </summary>
public sealed class ResiliencePipelineCache(IOptionsMonitor<StandardResilienceOptions> options, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> _http = new(StringComparer.Ordinal);

    public ResiliencePipeline<HttpResponseMessage> GetHttpPipeline(string target) =>
        _http.GetOrAdd(target, _ => StandardResilience.CreateHttp(options.CurrentValue, timeProvider));
}
