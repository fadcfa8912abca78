using System.Security;
using System.Text;

namespace MlAspire.Hosting.Orchestration;

/// <summary>Builds every project resource once, in one MSBuild invocation (a generated traversal project builds
/// them in parallel and reports each output assembly), so replicas start with <c>dotnet &lt;dll&gt;</c> instead
/// of rebuilding through <c>dotnet run</c>.</summary>
internal static class ProjectBuilder
{
    private const int ErrorLinesShown = 40;
    private const string OutputMarker = "MLASPIRE_TARGET_PATH|";

    /// <summary>Returns the output assembly of each project. With <paramref name="build"/> false only the paths are
    /// computed (the projects must have been built already).</summary>
    public static async Task<Dictionary<ProjectResource, string>> BuildAsync(
        IReadOnlyList<ProjectResource> projects, string workDirectory, bool build, CancellationToken cancellationToken)
    {
        if (projects.Count == 0)
        {
            return [];
        }

        Directory.CreateDirectory(workDirectory);
        var traversal = Path.Combine(workDirectory, "build-projects.proj");
        await File.WriteAllTextAsync(traversal, TraversalProject(projects), cancellationToken).ConfigureAwait(false);

        string[] arguments = build
            ? ["msbuild", traversal, "-restore", "-nologo", "-v:m", "-clp:NoSummary", "-m", "-t:Build"]
            : ["msbuild", traversal, "-nologo", "-v:m", "-t:GetPaths"];
        var (exitCode, output) = await DotNetHost.RunAsync(arguments, workDirectory, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            var errors = output.Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Distinct().ToList();
            throw new DistributedApplicationException(
                $"Building {string.Join(", ", projects.Select(p => $"'{p.Name}'"))} failed (dotnet msbuild exit code {exitCode}):\n"
                + string.Join('\n', (errors.Count > 0 ? errors : output).TakeLast(ErrorLinesShown)));
        }

        var reported = output
            .Select(l => l.Trim())
            .Where(l => l.StartsWith(OutputMarker, StringComparison.Ordinal))
            .Select(l => l[OutputMarker.Length..].Split('|'))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => Path.GetFullPath(parts[0]), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);

        var result = new Dictionary<ProjectResource, string>();
        foreach (var project in projects)
        {
            if (!reported.TryGetValue(project.ProjectPath, out var targetPath))
            {
                throw new DistributedApplicationException($"MSBuild did not report the output assembly of {project}:\n{string.Join('\n', output.TakeLast(ErrorLinesShown))}");
            }

            if (!File.Exists(targetPath))
            {
                throw new DistributedApplicationException(
                    $"{project} has not been built: '{targetPath}' does not exist (AppHost:BuildProjects is false).");
            }

            result[project] = targetPath;
        }

        return result;
    }

    private static string TraversalProject(IReadOnlyList<ProjectResource> projects)
    {
        var items = new StringBuilder();
        foreach (var project in projects.DistinctBy(p => p.ProjectPath))
        {
            items.Append("    <MlAspireProject Include=\"").Append(SecurityElement.Escape(project.ProjectPath)).Append("\" />\n");
        }

        // Restore and Build fan out to the projects; each project's Build target returns its TargetPath.
        return $$"""
            <Project>
              <ItemGroup>
            {{items}}  </ItemGroup>
              <Target Name="Restore">
                <MSBuild Projects="@(MlAspireProject)" Targets="Restore" BuildInParallel="true" />
              </Target>
              <Target Name="Build">
                <MSBuild Projects="@(MlAspireProject)" Targets="Build" BuildInParallel="true">
                  <Output TaskParameter="TargetOutputs" ItemName="MlAspireBuilt" />
                </MSBuild>
                <Message Importance="high" Text="{{OutputMarker}}%(MlAspireBuilt.MSBuildSourceProjectFile)|%(MlAspireBuilt.Identity)" />
              </Target>
              <Target Name="GetPaths">
                <MSBuild Projects="@(MlAspireProject)" Targets="GetTargetPath" BuildInParallel="true">
                  <Output TaskParameter="TargetOutputs" ItemName="MlAspireBuilt" />
                </MSBuild>
                <Message Importance="high" Text="{{OutputMarker}}%(MlAspireBuilt.MSBuildSourceProjectFile)|%(MlAspireBuilt.Identity)" />
              </Target>
            </Project>
            """;
    }
}
