namespace MlAspire.Hosting.Orchestration;

/// <summary>How to start one replica's process. <see cref="DisplayCommand"/> never contains secrets.</summary>
internal sealed record LaunchSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    string DisplayCommand);
