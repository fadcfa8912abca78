namespace MlAspire.Redis;

/// <summary>One group of <c>XINFO GROUPS key</c>. <see cref="Lag"/> is null when Redis cannot tell.</summary>
public sealed record StreamGroupInfo(string Name, long Consumers, long Pending, string LastDeliveredId, long? EntriesRead, long? Lag);
