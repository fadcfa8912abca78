namespace MlAspire.Gateway.Api.Model;

/// <summary>The answer to GET /v1/models.</summary>
internal sealed record ModelList(IReadOnlyList<ModelSummary> Models);
