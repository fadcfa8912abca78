namespace MlAspire.Hosting.Orchestration;

/// <summary>Builds each project once with <c>dotnet build</c> and finds its output assembly, so replicas start
/// with <c>dotnet &lt;dll&gt;</c> instead of rebuilding through <c>dotnet run</c>.</summary>
internal static class ProjectBuilder
{
    private const int ErrorLinesShown = 40;

    public static async Task<string> BuildAsync(ProjectResource project, bool build, CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(project.ProjectPath)!;
        if (build)
        {
            var (exitCode, output) = await DotNetHost.RunAsync(
                ["build", project.ProjectPath, "--nologo", "-v", "q", "-clp:NoSummary;ErrorsOnly"], directory, cancellationToken).ConfigureAwait(false);
            if (exitCode != 0)
            {
                var errors = output.Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).ToList();
                var shown = (errors.Count > 0 ? errors : output).TakeLast(ErrorLinesShown);
                throw new DistributedApplicationException(
                    $"Building {project} ({project.ProjectPath}) failed with exit code {exitCode}:\n{string.Join('\n', shown)}");
            }
        }

        var (propertyExit, property) = await DotNetHost.RunAsync(
            ["msbuild", project.ProjectPath, "-nologo", "-getProperty:TargetPath"], directory, cancellationToken).ConfigureAwait(false);
        var targetPath = property.LastOrDefault(l => l.Trim().EndsWith(".dll", StringComparison.OrdinalIgnoreCase))?.Trim();
        if (propertyExit != 0 || targetPath is null)
        {
            throw new DistributedApplicationException(
                $"Cannot find the output assembly of {project}: {string.Join('\n', property.TakeLast(ErrorLinesShown))}");
        }

        if (!File.Exists(targetPath))
        {
            throw new DistributedApplicationException(
                $"{project} has not been built: '{targetPath}' does not exist (AppHost:BuildProjects is false).");
        }

        return targetPath;
    }
}
