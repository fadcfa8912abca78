namespace MlAspire.Redis;

/// <summary>One row of the extended form of <c>XPENDING</c>.</summary>
public sealed record StreamPendingEntry(string Id, string Consumer, TimeSpan Idle, long DeliveryCount);
