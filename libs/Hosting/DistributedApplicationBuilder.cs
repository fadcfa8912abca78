using System.Reflection;
using Microsoft.Extensions.Configuration;
using MlAspire.Hosting.Publishing;

namespace MlAspire.Hosting;

internal sealed class DistributedApplicationBuilder : IDistributedApplicationBuilder
{
    internal const string ProjectPathMetadataKey = "AppHostProjectPath";

    private readonly List<Resource> _resources = [];
    private readonly bool _isProcessEntryPoint;
    private bool _built;

    public DistributedApplicationBuilder(DistributedApplicationOptions options, Assembly? appHostAssembly)
    {
        Options = options;
        _isProcessEntryPoint = appHostAssembly is not null && appHostAssembly == Assembly.GetEntryAssembly();
        Configuration = new ConfigurationManager();
        Configuration.AddEnvironmentVariables();
        // `publish ...` (the container/Kubernetes/compose verb) has its own options; what it does not know passes on.
        PublishOptions? publish = null;
        var configurationArgs = options.Args;
        if (options.Args is [PublishCommandLine.Verb, .. var verbArgs])
        {
            publish = PublishCommandLine.Parse(verbArgs, out configurationArgs);
        }

        Configuration.AddCommandLine(configurationArgs);

        AppHostDirectory = Path.GetFullPath(
            options.ProjectDirectory
            ?? Configuration["AppHost:ProjectDirectory"]
            ?? ReadProjectDirectory(appHostAssembly)
            ?? ReadProjectDirectory(Assembly.GetEntryAssembly())
            ?? Directory.GetCurrentDirectory());

        // appsettings.json of the AppHost sits below env and command line, as in a generic host.
        var settings = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppHostDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
            .Build();
        Configuration.Sources.Insert(0, new ChainedConfigurationSource { Configuration = settings, ShouldDisposeConfiguration = true });

        ApplyConfiguredOptions();
        ExecutionContext = publish is null
            ? new DistributedApplicationExecutionContext(Configuration["publisher"], Configuration["output-path"])
            : new DistributedApplicationExecutionContext(PublishCommandLine.Verb, publish.OutputPath, publish);
    }

    public ConfigurationManager Configuration { get; }

    public DistributedApplicationExecutionContext ExecutionContext { get; }

    public DistributedApplicationOptions Options { get; }

    public string AppHostDirectory { get; }

    public IReadOnlyList<Resource> Resources => _resources;

    public IResourceBuilder<T> AddResource<T>(T resource)
        where T : Resource
    {
        var existing = _resources.FirstOrDefault(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase));
        if (existing is not null)
        {
            throw new DistributedApplicationException(
                $"Cannot add {resource} because {existing} already has that name (resource names are case-insensitive).");
        }

        _resources.Add(resource);
        return CreateResourceBuilder(resource);
    }

    public IResourceBuilder<T> CreateResourceBuilder<T>(T resource)
        where T : Resource => new ResourceBuilder<T>(resource, this);

    public DistributedApplication Build()
    {
        if (_built)
        {
            throw new InvalidOperationException("Build() may be called only once.");
        }

        _built = true;
        foreach (var redis in _resources.OfType<RedisResource>().Where(r => r.PasswordParameter is null).ToList())
        {
            // Aspire 9 gives every Redis a generated password parameter named <name>-password.
            redis.PasswordParameter = this.AddParameter(
                $"{redis.Name}-password", secret: true, new GenerateParameterDefault { Special = false }).Resource;
        }

        try
        {
            TopologyValidator.ThrowIfInvalid(this);
        }
        catch (DistributedApplicationException ex) when (Options.ExitOnError && _isProcessEntryPoint)
        {
            // The AppHost's own entry point: a clear message and exit code 1, not a stack trace.
            Console.Error.WriteLine(ex.Message);
            Environment.Exit(1);
        }

        return new DistributedApplication(this);
    }

    private static string? ReadProjectDirectory(Assembly? assembly) =>
        assembly?.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == ProjectPathMetadataKey)?.Value is { Length: > 0 } path && Directory.Exists(path)
            ? path
            : null;

    private void ApplyConfiguredOptions()
    {
        Options.StateDirectory ??= Configuration["AppHost:StateDirectory"];
        if (TimeSpan.TryParse(Configuration["AppHost:StartupTimeout"], out var startup) && startup > TimeSpan.Zero)
        {
            Options.StartupTimeout = startup;
        }

        if (TimeSpan.TryParse(Configuration["AppHost:StopTimeout"], out var stop) && stop > TimeSpan.Zero)
        {
            Options.StopTimeout = stop;
        }

        if (bool.TryParse(Configuration["AppHost:BuildProjects"], out var buildProjects))
        {
            Options.BuildProjects = buildProjects;
        }

        var otlp = Configuration["AppHost:OtlpEndpointUrl"] ?? Configuration["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"];
        if (Options.OtlpEndpoint is null && !string.IsNullOrWhiteSpace(otlp))
        {
            Options.OtlpEndpoint = Uri.TryCreate(otlp, UriKind.Absolute, out var uri)
                ? uri
                : throw new DistributedApplicationException($"AppHost:OtlpEndpointUrl '{otlp}' is not an absolute URL.");
        }

        Options.OtlpProtocol = Configuration["AppHost:OtlpProtocol"] ?? Options.OtlpProtocol;
        if (bool.TryParse(Configuration["AppHost:Dashboard"], out var dashboard))
        {
            Options.EnableDashboard = dashboard;
        }

        Options.DashboardUrl ??= AbsoluteUrl("AppHost:DashboardUrl");
        Options.DashboardOtlpUrl ??= AbsoluteUrl("AppHost:DashboardOtlpUrl");
    }

    private Uri? AbsoluteUrl(string key)
    {
        var value = Configuration[key];
        return string.IsNullOrWhiteSpace(value) ? null
            : Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp ? uri
            : throw new DistributedApplicationException($"{key} '{value}' is not an absolute http:// URL.");
    }
}
