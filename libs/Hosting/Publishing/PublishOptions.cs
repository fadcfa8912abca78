namespace MlAspire.Hosting.Publishing;

/// <summary>The <c>publish</c> verb's settings (<c>dotnet run --project AppHost -- publish --help</c>).</summary>
public sealed class PublishOptions
{
    /// <summary>The folder that receives the Dockerfiles, Kubernetes manifests, compose file and Aspire manifest.</summary>
    public string OutputPath { get; set; } = "";

    /// <summary>Image tag (<c>--tag</c>, default <c>latest</c>).</summary>
    public string Tag { get; set; } = "latest";

    /// <summary>Image names are <c>&lt;prefix&gt;/&lt;resource&gt;</c>.</summary>
    public string ImagePrefix { get; set; } = "mlaspire";

    /// <summary>Build every project image with the local Docker engine (<c>--build</c>).</summary>
    public bool Build { get; set; }

    /// <summary>Registry to tag and push the built images to (<c>--push</c>; implies <see cref="Build"/>).</summary>
    public string? PushRegistry { get; set; }

    /// <summary><c>--build-arg KEY=VALUE</c> pairs passed to every <c>docker build</c> (e.g. <c>BASE_IMAGE</c>).</summary>
    public IList<KeyValuePair<string, string>> BuildArgs { get; } = [];

    /// <summary>The Docker CLI (<c>--docker</c>, default <c>docker</c> on PATH).</summary>
    public string DockerCommand { get; set; } = "docker";

    public bool ShowHelp { get; set; }

    /// <summary>Why the command line could not be parsed; reported (exit code 1) instead of publishing.</summary>
    public string? Error { get; set; }

    public string ImageName(string resourceName) => $"{ImagePrefix}/{resourceName}";
}
