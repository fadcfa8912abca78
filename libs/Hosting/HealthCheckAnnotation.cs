namespace MlAspire.Hosting;

/// <summary>An HTTP health check: run mode GETs <see cref="Path"/> on <see cref="EndpointName"/> of every
/// replica and calls the replica healthy on 200 OK. Not written to the manifest (as in Aspire).</summary>
public sealed record HealthCheckAnnotation(string Path, string EndpointName);
