namespace MlAspire.ServiceDefaults.Resilience;

/// <summary>
/// Runs every request of an HttpClient through the standard pipeline of its target (the logical authority, such as
/// <c>inference</c>, before service discovery picks a replica), so one failing service does not open the circuit for
/// others.
/// </summary>
public sealed class ResilienceHandler(ResiliencePipelineCache pipelines) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var pipeline = pipelines.GetHttpPipeline(request.RequestUri?.Authority ?? "");
        return pipeline.ExecuteAsync(
            static (state, token) => new ValueTask<HttpResponseMessage>(state.Handler.SendCoreAsync(state.Request, token)),
            (Handler: this, Request: request),
            cancellationToken).AsTask();
    }

    private Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
