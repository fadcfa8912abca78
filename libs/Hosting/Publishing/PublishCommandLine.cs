namespace MlAspire.Hosting.Publishing;

/// <summary>Parses the arguments after the <c>publish</c> verb. Configuration overrides with a section path
/// (<c>--Parameters:name=value</c>, <c>--AppHost:Key value</c>) pass through to configuration as in run mode;
/// any other unknown option is an error, so a typo never publishes something unintended.</summary>
internal static class PublishCommandLine
{
    public const string Verb = "publish";

    public const string HelpText = """
        Usage: dotnet run --project AppHost -- publish --output-path <folder> [options]

        Writes, from the AppHost topology, into <folder>:
          docker/<resource>/Dockerfile      multi-stage image per project (plus Dockerfile.gpu for GPU resources)
          src/                              the build context: the projects and the files they build from
          kubernetes/base, overlays/dev, overlays/prod
                                            kustomize tree (kubectl apply -k kubernetes/overlays/dev)
          compose.yaml (+ compose.gpu.yaml) the same system for Docker Compose; secrets come from .env
          aspire-manifest.json              the Aspire 8/9 manifest (for aspirate)

        Options:
          --output-path <folder>   where to write (required)
          --tag <tag>              image tag (default: latest)
          --build                  build every image with the local Docker engine as <prefix>/<resource>:<tag>
          --push <registry>        build, tag as <registry>/<prefix>/<resource>:<tag> and push
          --build-arg <KEY=VALUE>  passed to every docker build (repeatable), e.g. BASE_IMAGE=..., SDK_IMAGE=...
          --image-prefix <name>    image name prefix (default: mlaspire)
          --docker <path>          the Docker CLI to use (default: docker)
          -h, --help               show this help

        Configuration overrides such as --Parameters:<name>=<value> are accepted as in run mode; publishing
        never writes parameter values.
        """;

    public static PublishOptions Parse(IReadOnlyList<string> args, out string[] configurationArgs)
    {
        var options = new PublishOptions();
        var configuration = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = Split(args[i]);
            switch (name)
            {
                case "-h" or "--help" or "-?":
                    options.ShowHelp = true;
                    break;
                case "--build":
                    options.Build = true;
                    break;
                case "--output-path":
                    options.OutputPath = Value(ref i) ?? "";
                    break;
                case "--tag":
                    options.Tag = Value(ref i) ?? options.Tag;
                    break;
                case "--push":
                    options.PushRegistry = Value(ref i)?.TrimEnd('/');
                    options.Build = true;
                    break;
                case "--image-prefix":
                    options.ImagePrefix = Value(ref i) ?? options.ImagePrefix;
                    break;
                case "--docker":
                    options.DockerCommand = Value(ref i) ?? options.DockerCommand;
                    break;
                case "--build-arg":
                    var pair = Value(ref i);
                    if (pair is not null)
                    {
                        var equals = pair.IndexOf('=', StringComparison.Ordinal);
                        if (equals <= 0)
                        {
                            Fail($"--build-arg expects KEY=VALUE, got '{pair}'.");
                        }
                        else
                        {
                            options.BuildArgs.Add(new(pair[..equals], pair[(equals + 1)..]));
                        }
                    }

                    break;
                default:
                    if (name.StartsWith("--", StringComparison.Ordinal) && (name.Contains(':', StringComparison.Ordinal) || name.Contains("__", StringComparison.Ordinal)))
                    {
                        configuration.Add(args[i]);
                        if (inlineValue is null && i + 1 < args.Count)
                        {
                            configuration.Add(args[++i]);
                        }
                    }
                    else
                    {
                        Fail($"Unknown argument '{args[i]}' for 'publish' (see --help).");
                    }

                    break;
            }

            string? Value(ref int index)
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (index + 1 < args.Count && !args[index + 1].StartsWith('-'))
                {
                    return args[++index];
                }

                Fail($"{name} needs a value.");
                return null;
            }
        }

        if (!options.ShowHelp && options.Error is null)
        {
            if (string.IsNullOrWhiteSpace(options.OutputPath))
            {
                Fail("--output-path <folder> is required.");
            }
            else if (!IsImageReferencePart(options.Tag, tag: true))
            {
                Fail($"--tag '{options.Tag}' is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}).");
            }
            else if (!IsImageReferencePart(options.ImagePrefix, tag: false))
            {
                Fail($"--image-prefix '{options.ImagePrefix}' is not a valid image name part (lower-case letters, digits, '.', '_', '-', '/').");
            }
            else if (options.PushRegistry is { } registry && (registry.Length == 0 || registry.Any(char.IsWhiteSpace)))
            {
                Fail($"--push '{registry}' is not a registry name such as registry.example.com:5000.");
            }
        }

        configurationArgs = [.. configuration];
        return options;

        void Fail(string message) => options.Error ??= message;
    }

    private static (string Name, string? Value) Split(string argument)
    {
        if (argument.StartsWith("--", StringComparison.Ordinal) && argument.IndexOf('=', StringComparison.Ordinal) is > 2 and var equals)
        {
            return (argument[..equals], argument[(equals + 1)..]);
        }

        return (argument, null);
    }

    private static bool IsImageReferencePart(string value, bool tag)
    {
        if (value.Length is 0 or > 128)
        {
            return false;
        }

        return tag
            ? (char.IsAsciiLetterOrDigit(value[0]) || value[0] == '_') && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')
            : char.IsAsciiLetterLower(value[0]) || char.IsAsciiDigit(value[0])
                ? value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '.' or '-' or '/') && !value.EndsWith('/')
                : false;
    }
}
