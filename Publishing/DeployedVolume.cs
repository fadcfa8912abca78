namespace MlAspire.Publishing;

/// <summary>A named data volume (a Kubernetes volume claim, a compose volume) mounted at <see cref="Target"/>.</summary>
internal sealed record DeployedVolume(string Name, string Target, bool IsReadOnly);
