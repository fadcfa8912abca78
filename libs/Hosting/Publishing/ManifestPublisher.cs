using System.Text.Encodings.Web;
using System.Text.Json;

namespace MlAspire.Hosting.Publishing;

/// <summary>Writes the Aspire deployment manifest (schema <c>aspire-8.0.json</c>, the Aspire 8/9 shape that
/// <c>aspirate</c> reads). Replicas, WaitFor, health checks and GPU counts are run-mode/publisher concerns
/// and, as in Aspire, are not part of it. Output is deterministic: resource order is declaration order and
/// every path is relative to the manifest's folder.</summary>
internal static class ManifestPublisher
{
    public const string SchemaUrl = "https://json.schemastore.org/aspire-8.0.json";
    private const int FirstProjectTargetPort = 8080;

    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Resolves <c>--output-path</c>: a folder (existing, or ending in '/') gets <c>aspire-manifest.json</c> inside.</summary>
    public static string ResolveOutputPath(string? outputPath)
    {
        var path = Path.GetFullPath(string.IsNullOrWhiteSpace(outputPath) ? "aspire-manifest.json" : outputPath);
        return Directory.Exists(path) || outputPath!.EndsWith('/') ? Path.Combine(path, "aspire-manifest.json") : path;
    }

    public static void Write(IReadOnlyList<Resource> resources, string manifestPath)
    {
        var directory = Path.GetDirectoryName(manifestPath)!;
        Directory.CreateDirectory(directory);
        var bytes = Render(resources, directory);
        File.WriteAllBytes(manifestPath, bytes);
    }

    public static byte[] Render(IReadOnlyList<Resource> resources, string manifestDirectory)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, s_writerOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("$schema", SchemaUrl);
            writer.WriteStartObject("resources");
            foreach (var resource in resources)
            {
                writer.WriteStartObject(resource.Name);
                WriteResource(writer, resource, manifestDirectory);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>The target port each endpoint gets in the manifest: the declared one, else 8080, 8081, ... for
    /// projects (explicit so the Kestrel variables and <c>aspirate</c> agree), else none.</summary>
    internal static Dictionary<string, int?> TargetPorts(Resource resource)
    {
        var ports = resource.Endpoints.ToDictionary(e => e.Name, e => e.TargetPort);
        if (resource is ProjectResource)
        {
            var next = FirstProjectTargetPort;
            foreach (var endpoint in resource.Endpoints.Where(e => e.TargetPort is null))
            {
                while (ports.ContainsValue(next))
                {
                    next++;
                }

                ports[endpoint.Name] = next;
            }
        }

        return ports;
    }

    private static void WriteResource(Utf8JsonWriter writer, Resource resource, string manifestDirectory)
    {
        writer.WriteString("type", resource.ManifestType);
        switch (resource)
        {
            case ConnectionStringResource connection:
                writer.WriteString("connectionString", connection.ConnectionStringExpression.ManifestExpression);
                WriteParameter(writer, connection);
                break;
            case ParameterResource parameter:
                WriteParameter(writer, parameter);
                break;
            case ProjectResource project:
                writer.WriteString("path", RelativePath(manifestDirectory, project.ProjectPath));
                WriteArgs(writer, resource);
                WriteEnvironment(writer, resource, ProjectEnvironment(project));
                WriteBindings(writer, resource);
                break;
            case ExecutableResource executable:
                writer.WriteString("workingDirectory", RelativePath(manifestDirectory, executable.WorkingDirectory));
                writer.WriteString("command", executable.Command);
                WriteArgs(writer, resource);
                WriteEnvironment(writer, resource, []);
                WriteBindings(writer, resource);
                break;
            case ContainerResource container:
                WriteContainer(writer, container);
                break;
            default:
                throw new DistributedApplicationException($"{resource} cannot be written to the manifest.");
        }
    }

    private static void WriteContainer(Utf8JsonWriter writer, ContainerResource container)
    {
        var redis = container as RedisResource;
        if (container is IResourceWithConnectionString withConnectionString)
        {
            writer.WriteString("connectionString", withConnectionString.ConnectionStringExpression.ManifestExpression);
        }

        writer.WriteString("image", $"{container.Image}:{container.Tag}");
        var entrypoint = redis is null ? container.Entrypoint : RedisCommandLine.Entrypoint;
        if (entrypoint is not null)
        {
            writer.WriteString("entrypoint", entrypoint);
        }

        var args = (redis is null ? [] : RedisCommandLine.ContainerArgs(redis)).Concat(container.Args.Select(a => a.ManifestExpression)).ToList();
        if (args.Count > 0)
        {
            writer.WriteStartArray("args");
            args.ForEach(writer.WriteStringValue);
            writer.WriteEndArray();
        }

        if (container.Volumes.Count > 0)
        {
            writer.WriteStartArray("volumes");
            foreach (var volume in container.Volumes)
            {
                writer.WriteStartObject();
                writer.WriteString("name", volume.Name);
                writer.WriteString("target", volume.Target);
                writer.WriteBoolean("readOnly", volume.IsReadOnly);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        List<KeyValuePair<string, string>> defaults = redis?.PasswordParameter is { } password
            ? [new(RedisCommandLine.PasswordVariable, password.ValueReference.ManifestExpression)]
            : [];
        WriteEnvironment(writer, container, defaults);
        WriteBindings(writer, container);
    }

    private static void WriteParameter(Utf8JsonWriter writer, ParameterResource parameter)
    {
        writer.WriteString("value", $"{{{parameter.Name}.inputs.value}}");
        writer.WriteStartObject("inputs");
        writer.WriteStartObject("value");
        writer.WriteString("type", "string");
        if (parameter.Secret)
        {
            writer.WriteBoolean("secret", true);
        }

        if (parameter.GenerateDefault is { } generate)
        {
            writer.WriteStartObject("default");
            writer.WriteStartObject("generate");
            writer.WriteNumber("minLength", generate.MinLength);
            WriteFlag(writer, "lower", generate.Lower);
            WriteFlag(writer, "upper", generate.Upper);
            WriteFlag(writer, "numeric", generate.Numeric);
            WriteFlag(writer, "special", generate.Special);
            WriteMinimum(writer, "minLower", generate.MinLower);
            WriteMinimum(writer, "minUpper", generate.MinUpper);
            WriteMinimum(writer, "minNumeric", generate.MinNumeric);
            WriteMinimum(writer, "minSpecial", generate.MinSpecial);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();

        static void WriteFlag(Utf8JsonWriter writer, string name, bool allowed)
        {
            if (!allowed)
            {
                writer.WriteBoolean(name, false);
            }
        }

        static void WriteMinimum(Utf8JsonWriter writer, string name, int minimum)
        {
            if (minimum > 0)
            {
                writer.WriteNumber(name, minimum);
            }
        }
    }

    /// <summary>What Aspire adds to a project, plus how it binds: <c>HTTP_PORTS</c> as Aspire writes it, or, for a
    /// project with an HTTP/2-only endpoint (gRPC without TLS), one Kestrel endpoint per binding.</summary>
    private static List<KeyValuePair<string, string>> ProjectEnvironment(ProjectResource project)
    {
        var env = new List<KeyValuePair<string, string>>(EnvironmentExpander.OtelDefaults);
        var http = project.Endpoints.Where(e => e.IsHttp).ToList();
        if (http.Count == 0)
        {
            return env;
        }

        env.Add(new("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "true"));
        if (!EnvironmentExpander.UsesKestrelEndpoints(project))
        {
            env.Add(new("HTTP_PORTS", string.Join(';', http.Where(e => e.Scheme == "http").Select(e => TargetPortExpression(project, e)))));
            return env;
        }

        foreach (var endpoint in http)
        {
            env.Add(new($"Kestrel__Endpoints__{endpoint.Name}__Url", $"{endpoint.Scheme}://*:{TargetPortExpression(project, endpoint)}"));
            if (endpoint.Transport == "http2")
            {
                env.Add(new($"Kestrel__Endpoints__{endpoint.Name}__Protocols", "Http2"));
            }
        }

        return env;
    }

    private static string TargetPortExpression(Resource resource, EndpointAnnotation endpoint) =>
        resource.GetEndpoint(endpoint.Name).TargetPort.ManifestExpression;

    private static void WriteArgs(Utf8JsonWriter writer, Resource resource)
    {
        if (resource.Args.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("args");
        foreach (var argument in resource.Args)
        {
            writer.WriteStringValue(argument.ManifestExpression);
        }

        writer.WriteEndArray();
    }

    private static void WriteEnvironment(Utf8JsonWriter writer, Resource resource, List<KeyValuePair<string, string>> defaults)
    {
        var env = new List<KeyValuePair<string, string>>(defaults);
        foreach (var endpoint in resource.Endpoints.Where(e => e.EnvironmentVariable is not null))
        {
            env.Add(new(endpoint.EnvironmentVariable!, TargetPortExpression(resource, endpoint)));
        }

        env.AddRange(EnvironmentExpander.Expand(resource, allReplicas: false).Select(e => new KeyValuePair<string, string>(e.Key, e.Value.ManifestExpression)));
        if (env.Count == 0)
        {
            return;
        }

        // A later entry wins, keeping the position of the first (as a dictionary assignment would).
        var merged = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in env)
        {
            merged[key] = value;
        }

        writer.WriteStartObject("env");
        foreach (var (key, value) in merged)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteBindings(Utf8JsonWriter writer, Resource resource)
    {
        if (resource.Endpoints.Count == 0)
        {
            return;
        }

        var targetPorts = TargetPorts(resource);
        writer.WriteStartObject("bindings");
        foreach (var endpoint in resource.Endpoints)
        {
            writer.WriteStartObject(endpoint.Name);
            writer.WriteString("scheme", endpoint.Scheme);
            writer.WriteString("protocol", endpoint.Protocol);
            writer.WriteString("transport", endpoint.Transport);
            if (endpoint.IsExternal)
            {
                writer.WriteBoolean("external", true);
            }

            if (endpoint.Port is { } port)
            {
                writer.WriteNumber("port", port);
            }

            if (targetPorts[endpoint.Name] is { } targetPort)
            {
                writer.WriteNumber("targetPort", targetPort);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static string RelativePath(string from, string to) =>
        Path.GetRelativePath(from, to).Replace(Path.DirectorySeparatorChar, '/');
}
