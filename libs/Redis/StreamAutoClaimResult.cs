namespace MlAspire.Redis;

/// <summary>The reply of <c>XAUTOCLAIM</c>: where to continue, the claimed entries, and ids whose data was deleted.</summary>
public sealed record StreamAutoClaimResult(string NextStartId, IReadOnlyList<StreamEntry> Entries, IReadOnlyList<string> DeletedIds);
