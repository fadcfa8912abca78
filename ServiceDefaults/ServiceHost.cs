using Microsoft.AspNetCore.Builder;

namespace MlAspire.ServiceDefaults;

/// <summary>How every MlAspire service creates its <see cref="WebApplicationBuilder"/>.</summary>
public static class ServiceHost
{
    /// <summary>
    /// Options for <see cref="WebApplication.CreateBuilder(WebApplicationOptions)"/>. ASP.NET Core reads
    /// <c>appsettings.json</c> from the content root, which defaults to the current directory, so
    /// <c>dotnet path/to/Service.dll</c> started from anywhere else would silently run without the service's own
    /// settings (for example its log levels: every request logged at Information). When the current directory has no
    /// <c>appsettings.json</c> but the application's folder does, and no content root was given (<c>--contentRoot</c>,
    /// <c>ASPNETCORE_CONTENTROOT</c>, <c>DOTNET_CONTENTROOT</c>), the application's folder becomes the content root.
    /// </summary>
    public static WebApplicationOptions Options(string[] args) =>
        Options(args, Directory.GetCurrentDirectory(), AppContext.BaseDirectory, Environment.GetEnvironmentVariable);

    internal static WebApplicationOptions Options(string[] args, string currentDirectory, string appDirectory, Func<string, string?> environment)
    {
        var explicitRoot = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase)
                                         || a.StartsWith("/contentRoot", StringComparison.OrdinalIgnoreCase)
                                         || a.StartsWith("contentRoot=", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(environment("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(environment("DOTNET_CONTENTROOT"));
        var useAppDirectory = !explicitRoot
            && !File.Exists(Path.Combine(currentDirectory, "appsettings.json"))
            && File.Exists(Path.Combine(appDirectory, "appsettings.json"));
        return new WebApplicationOptions { Args = args, ContentRootPath = useAppDirectory ? appDirectory : null };
    }
}
