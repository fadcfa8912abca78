namespace MlAspire.Hosting;

/// <summary>Any program started as a process (<c>executable.v0</c>).</summary>
public sealed class ExecutableResource : Resource
{
    internal ExecutableResource(string name, string command, string workingDirectory)
        : base(name)
    {
        Command = command;
        WorkingDirectory = workingDirectory;
    }

    /// <summary>A path, or a name looked up on <c>PATH</c>.</summary>
    public string Command { get; }

    /// <summary>Absolute working directory.</summary>
    public string WorkingDirectory { get; }

    public override string ManifestType => "executable.v0";
}
