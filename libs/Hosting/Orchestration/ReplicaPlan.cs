namespace MlAspire.Hosting.Orchestration;

/// <summary>Everything run mode decided for one replica before it starts.</summary>
internal sealed record ReplicaPlan(
    Resource Resource,
    int Index,
    string ReplicaId,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> Args,
    IReadOnlyList<string> Urls,
    string? HealthUrl);
