namespace MlAspire.Hosting;

public static class ExecutableResourceBuilderExtensions
{
    /// <summary>Adds a program started as a process; <paramref name="workingDirectory"/> is relative to the AppHost folder.</summary>
    public static IResourceBuilder<ExecutableResource> AddExecutable(
        this IDistributedApplicationBuilder builder, string name, string command, string workingDirectory, params string[] args)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(workingDirectory);
        var directory = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, workingDirectory));
        return builder.AddResource(new ExecutableResource(name, command, directory)).WithArgs(args);
    }
}
