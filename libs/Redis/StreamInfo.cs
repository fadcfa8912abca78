namespace MlAspire.Redis;

/// <summary>Selected fields of <c>XINFO STREAM key</c>.</summary>
public sealed record StreamInfo(
    long Length, long RadixTreeKeys, long RadixTreeNodes, long Groups, string LastGeneratedId, StreamEntry? FirstEntry, StreamEntry? LastEntry);
