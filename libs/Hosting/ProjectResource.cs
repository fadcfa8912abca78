namespace MlAspire.Hosting;

/// <summary>A .NET project: built once, each replica runs as <c>dotnet &lt;built dll&gt;</c>.</summary>
public sealed class ProjectResource : Resource
{
    internal ProjectResource(string name, string projectPath)
        : base(name) => ProjectPath = projectPath;

    /// <summary>Absolute path of the <c>.csproj</c>.</summary>
    public string ProjectPath { get; }

    public override string ManifestType => "project.v0";

    /// <summary>Image additions for the container publisher (<c>WithDockerfileOptions</c>).</summary>
    public DockerfileOptions DockerfileOptions { get; } = new();
}
