namespace MlAspire.Tests.Shared;

/// <summary>Paths inside the repository, for tests that use its model repository or reference files.</summary>
internal static class RepoRoot
{
    /// <summary>The folder holding MlAspire.sln, found by walking up from the test assembly.</summary>
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MlAspire.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"MlAspire.sln not found above {AppContext.BaseDirectory}.");
    }

    /// <summary>The repository's default model repository, <c>models/</c>.</summary>
    public static string Models => Path.Combine(Find(), "models");
}
