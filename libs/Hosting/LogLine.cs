namespace MlAspire.Hosting;

/// <summary>One line a replica wrote to stdout or stderr.</summary>
public sealed record LogLine(string ResourceName, string ReplicaId, long LineNumber, DateTimeOffset Timestamp, string Text, bool IsError);
