namespace MlAspire.OnnxRuntime.Tests;

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
}
