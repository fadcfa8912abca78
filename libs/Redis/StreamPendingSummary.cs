namespace MlAspire.Redis;

/// <summary>The summary form of <c>XPENDING key group</c>.</summary>
public sealed record StreamPendingSummary(
    long Count, string? LowestId, string? HighestId, IReadOnlyList<KeyValuePair<string, long>> Consumers);
