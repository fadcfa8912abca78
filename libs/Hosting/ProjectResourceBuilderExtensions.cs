namespace MlAspire.Hosting;

public static class ProjectResourceBuilderExtensions
{
    /// <summary>Adds a .NET project; <paramref name="projectPath"/> is relative to the AppHost project folder.
    /// Validation at <c>Build</c> reports a path that does not exist.</summary>
    public static IResourceBuilder<ProjectResource> AddProject(this IDistributedApplicationBuilder builder, string name, string projectPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projectPath);
        var fullPath = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, projectPath));
        return builder.AddResource(new ProjectResource(name, fullPath));
    }
}
