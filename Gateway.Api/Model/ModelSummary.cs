namespace MlAspire.Gateway.Api.Model;

/// <summary>A model in the inference service's repository.</summary>
internal sealed record ModelSummary(string Name, string Version, string State, bool Ready, string? Reason);
