using System.Diagnostics;
using System.Xml.Linq;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace MlAspire.Publishing;

/// <summary>Makes the publish output folder a complete, offline Docker build context: <c>src/</c> holds each
/// published project with its <c>ProjectReference</c> closure and the build files around them
/// (<c>Directory.*.props</c>, <c>global.json</c>, <c>nuget.config</c>, <c>.editorconfig</c>), without bin/obj;
/// <c>docker/&lt;resource&gt;/files/</c> holds the files <see cref="DockerfileOptions.Files"/> names, laid out
/// at their image paths. Copies are made in sorted order, so the output is the same on every run.</summary>
internal static class BuildContextWriter
{
    private static readonly string[] s_buildFiles =
        ["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json", "nuget.config", "NuGet.Config", ".editorconfig", ".globalconfig"];

    private static readonly HashSet<string> s_skippedFolders = new(StringComparer.Ordinal) { "bin", "obj", ".git", ".vs", "node_modules", "TestResults" };

    /// <summary>The folder the sources are copied from: the nearest folder at or above the AppHost holding
    /// <c>global.json</c> or a solution file, else the AppHost's parent.</summary>
    public static string FindSourceRoot(string appHostDirectory)
    {
        for (var directory = new DirectoryInfo(appHostDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "global.json")) || directory.EnumerateFiles("*.sln").Any() || directory.EnumerateFiles("*.slnx").Any())
            {
                return directory.FullName;
            }
        }

        return Path.GetDirectoryName(Path.GetFullPath(appHostDirectory).TrimEnd(Path.DirectorySeparatorChar)) ?? appHostDirectory;
    }

    /// <summary>Copies the sources every project needs to <c>&lt;output&gt;/src</c>; returns each project's path there.</summary>
    public static Dictionary<string, string> WriteSources(IEnumerable<DeployedResource> projects, string sourceRoot, string outputDirectory)
    {
        var closure = new SortedSet<string>(StringComparer.Ordinal);
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var project in projects)
        {
            paths[project.Name] = RelativeToRoot(sourceRoot, project.ProjectPath!, project.Name);
            AddClosure(project.ProjectPath!, closure, sourceRoot, project.Name);
        }

        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var projectFile in closure)
        {
            var folder = Path.GetDirectoryName(projectFile)!;
            foreach (var file in EnumerateFiles(folder))
            {
                files.Add(file);
            }

            for (var directory = folder; directory.Length >= sourceRoot.Length; directory = Path.GetDirectoryName(directory)!)
            {
                foreach (var name in s_buildFiles)
                {
                    var candidate = Path.Combine(directory, name);
                    if (File.Exists(candidate))
                    {
                        files.Add(candidate);
                    }
                }

                if (string.Equals(directory, sourceRoot, StringComparison.Ordinal))
                {
                    break;
                }
            }
        }

        var target = Path.Combine(outputDirectory, "src");
        foreach (var file in files)
        {
            var destination = Path.Combine(target, Path.GetRelativePath(sourceRoot, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }

        return paths;
    }

    /// <summary>Stages <see cref="DockerfileOptions.Files"/> under <c>docker/&lt;resource&gt;/files/&lt;image path&gt;</c>
    /// and, for GPU resources, <see cref="DockerfileOptions.GpuFiles"/> under <c>docker/&lt;resource&gt;/files-gpu/</c>.</summary>
    public static void WriteFiles(DeployedResource project, string outputDirectory)
    {
        if (project.DockerfileOptions is not { } options)
        {
            return;
        }

        Stage(project, options.Files, "files", outputDirectory);
        if (project.GpuCount > 0)
        {
            Stage(project, options.GpuFiles, "files-gpu", outputDirectory);
        }
    }

    private static void Stage(DeployedResource project, IEnumerable<DockerfileFile> files, string folder, string outputDirectory)
    {
        foreach (var file in files)
        {
            var source = file.Source;
            var destination = Path.Combine(outputDirectory, "docker", project.Name, folder, file.Target.TrimStart('/'));
            if (File.Exists(source))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(source, destination, overwrite: true);
            }
            else if (Directory.Exists(source))
            {
                foreach (var child in EnumerateFiles(source))
                {
                    var childDestination = Path.Combine(destination, Path.GetRelativePath(source, child));
                    Directory.CreateDirectory(Path.GetDirectoryName(childDestination)!);
                    File.Copy(child, childDestination, overwrite: true);
                }
            }
            else
            {
                throw new DistributedApplicationException(
                    $"{project} copies '{source}' into its image ({file.Target}), but it does not exist on this machine"
                    + " (native libraries are fetched by eng/setup.sh).");
            }
        }
    }

    /// <summary>The project's assembly name as MSBuild evaluates it (<c>dotnet msbuild -getProperty:AssemblyName</c>),
    /// which names the entry point dll.</summary>
    public static async Task<string> EvaluateAssemblyNameAsync(string projectPath, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "msbuild", projectPath, "-getProperty:AssemblyName", "-nologo" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)
            ?? throw new DistributedApplicationException($"Could not start 'dotnet msbuild' to evaluate {projectPath}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var name = (await stdout.ConfigureAwait(false)).Trim();
        if (process.ExitCode != 0 || name.Length == 0 || name.Contains('\n', StringComparison.Ordinal))
        {
            throw new DistributedApplicationException(
                $"Could not evaluate the assembly name of {projectPath} (dotnet msbuild exit code {process.ExitCode}): {name} {await stderr.ConfigureAwait(false)}".Trim());
        }

        return name;
    }

    private static void AddClosure(string projectPath, SortedSet<string> closure, string sourceRoot, string resourceName)
    {
        if (!closure.Add(projectPath))
        {
            return;
        }

        RelativeToRoot(sourceRoot, projectPath, resourceName);
        XDocument document;
        try
        {
            document = XDocument.Load(projectPath);
        }
        catch (Exception ex) when (ex is System.Xml.XmlException or IOException)
        {
            throw new DistributedApplicationException($"Could not read project file '{projectPath}': {ex.Message}", ex);
        }

        foreach (var reference in document.Descendants().Where(e => e.Name.LocalName == "ProjectReference"))
        {
            var include = reference.Attribute("Include")?.Value;
            if (string.IsNullOrWhiteSpace(include) || include.Contains("$(", StringComparison.Ordinal))
            {
                continue;
            }

            var referenced = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(projectPath)!, include.Replace('\\', '/')));
            if (!File.Exists(referenced))
            {
                throw new DistributedApplicationException($"'{projectPath}' references '{referenced}', which does not exist.");
            }

            AddClosure(referenced, closure, sourceRoot, resourceName);
        }
    }

    private static string RelativeToRoot(string sourceRoot, string path, string resourceName)
    {
        var relative = Path.GetRelativePath(sourceRoot, path);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new DistributedApplicationException(
                $"'{path}' (needed by resource '{resourceName}') lies outside the source root '{sourceRoot}' that is copied into the build context.");
        }

        return relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    private static List<string> EnumerateFiles(string folder)
    {
        var result = new List<string>();
        var pending = new Stack<string>();
        pending.Push(folder);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            result.AddRange(Directory.EnumerateFiles(current));
            foreach (var child in Directory.EnumerateDirectories(current))
            {
                if (!s_skippedFolders.Contains(Path.GetFileName(child)))
                {
                    pending.Push(child);
                }
            }
        }

        result.Sort(StringComparer.Ordinal);
        return result;
    }
}
