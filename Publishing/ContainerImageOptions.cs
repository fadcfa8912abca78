using System.ComponentModel.DataAnnotations;

namespace MlAspire.Publishing;

/// <summary>Image names, tag and the optional build/push, from configuration section <c>ContainerImages</c>:
/// <c>--ContainerImages:Build=true</c> on the AppHost's command line, or <c>ContainerImages__Build=true</c> in the
/// environment of <c>aspire publish</c>.</summary>
public sealed class ContainerImageOptions
{
    public const string SectionName = "ContainerImages";

    /// <summary>Image tag written into the manifests and used by the build (default <c>latest</c>).</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", ErrorMessage = "ContainerImages:Tag must be a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}).")]
    public string Tag { get; set; } = "latest";

    /// <summary>Project images are named <c>&lt;prefix&gt;/&lt;resource&gt;</c>.</summary>
    [Required]
    [RegularExpression("^[a-z0-9]([a-z0-9._/-]{0,126}[a-z0-9])?$", ErrorMessage = "ContainerImages:Prefix must be lower-case letters, digits, '.', '_', '-' and '/', starting and ending with a letter or digit.")]
    public string Prefix { get; set; } = "mlaspire";

    /// <summary>Build every project image with the local Docker engine after writing the Dockerfiles.</summary>
    public bool Build { get; set; }

    /// <summary>Registry (<c>registry.example.com:5000</c>) to tag and push the built images to; implies <see cref="Build"/>.</summary>
    [RegularExpression(@"^[^\s/]+(/[^\s]+)*$", ErrorMessage = "ContainerImages:PushRegistry must be a registry name such as registry.example.com:5000 (no spaces).")]
    public string? PushRegistry { get; set; }

    /// <summary><c>--build-arg KEY=VALUE</c> pairs for every <c>docker build</c> (<c>ContainerImages:BuildArgs:BASE_IMAGE=...</c>).</summary>
    public IDictionary<string, string> BuildArgs { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The Docker CLI (default <c>docker</c> on PATH).</summary>
    [Required]
    public string DockerCommand { get; set; } = "docker";

    public bool BuildsImages => Build || !string.IsNullOrEmpty(PushRegistry);

    public string ImageName(string resourceName) => $"{Prefix}/{resourceName}";
}
