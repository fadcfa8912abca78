namespace MlAspire.Publishing;

/// <summary>An HTTP probe from Aspire's <c>EndpointProbeAnnotation</c>, on a deployed port.</summary>
internal sealed record DeployedProbe(string Path, DeployedPort Port, int InitialDelaySeconds, int PeriodSeconds, int TimeoutSeconds, int FailureThreshold);
