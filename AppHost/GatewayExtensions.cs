using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlAspire.AppHost;

/// <summary>What the dashboard and the console offer for Gateway.Api beyond Aspire's defaults.</summary>
internal static class GatewayExtensions
{
    private static readonly HttpRequestOptionsKey<string> s_sampleFile = new("mlaspire.sample-file");
    private static int s_nextSample = -1;

    /// <summary>A link to the gateway's OpenAPI document (<c>/openapi/v1.json</c>) beside its endpoints.</summary>
    public static IResourceBuilder<ProjectResource> WithOpenApiLink(this IResourceBuilder<ProjectResource> builder) =>
        builder.WithUrl($"{builder.GetEndpoint("http")}/openapi/v1.json", "OpenAPI document");

    /// <summary>A dashboard command "Classify a sample digit": posts the next held-out digit of
    /// <c>models/digits/testdata</c> (file names <c>NNN_label.png</c>) to <c>/v1/models/digits:classify</c> and reports
    /// the label the system answered beside the true one.</summary>
    public static IResourceBuilder<ProjectResource> WithClassifySampleCommand(this IResourceBuilder<ProjectResource> builder)
    {
        var samples = Path.GetFullPath(Path.Combine(builder.ApplicationBuilder.AppHostDirectory, "..", "models", "digits", "testdata"));
        return builder.WithHttpCommand("/v1/models/digits:classify", "Classify a sample digit", endpointName: "http", commandName: "classify-sample", new HttpCommandOptions
        {
            Description = "Sends one held-out digit image from models/digits/testdata through the gateway and shows the label it answers.",
            IconName = "ImageSearch",
            Method = HttpMethod.Post,
            PrepareRequest = async context =>
            {
                var files = Directory.Exists(samples) ? Directory.GetFiles(samples, "*.png").Order(StringComparer.Ordinal).ToArray() : [];
                if (files.Length == 0)
                {
                    throw new DistributedApplicationException($"No sample digits in {samples}.");
                }

                var file = files[(int)((uint)Interlocked.Increment(ref s_nextSample) % (uint)files.Length)];
                var content = new ByteArrayContent(await File.ReadAllBytesAsync(file, context.CancellationToken).ConfigureAwait(false));
                content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                context.Request.Content = content;
                context.Request.Options.Set(s_sampleFile, file);
            },
            GetCommandResult = async context =>
            {
                var file = context.Response.RequestMessage?.Options.TryGetValue(s_sampleFile, out var f) == true ? f : "?";
                var expected = Path.GetFileNameWithoutExtension(file).Split('_').Last();
                var body = await context.Response.Content.ReadAsStringAsync(context.CancellationToken).ConfigureAwait(false);
                if (!context.Response.IsSuccessStatusCode)
                {
                    return CommandResults.Failure($"The gateway answered {(int)context.Response.StatusCode}: {body}");
                }

                using var json = JsonDocument.Parse(body);
                var label = json.RootElement.GetProperty("predictions")[0].GetProperty("label").GetString() ?? "?";
                var logger = context.Services.GetRequiredService<ResourceLoggerService>().GetLogger(context.ResourceName);
                var name = Path.GetFileName(file);
                Log.SampleClassified(logger, name, expected, label);
                return CommandResults.Success($"{name} (a {expected}) classified as {label}");
            },
        });
    }

    /// <summary>Writes the resource's HTTP URL to the AppHost's console once the resource is healthy (Aspire itself
    /// prints only the dashboard's login link), so a newcomer knows where to send an image.</summary>
    public static IResourceBuilder<ProjectResource> WithUrlLoggedWhenHealthy(this IResourceBuilder<ProjectResource> builder) =>
        builder.OnResourceReady((resource, ready, _) =>
        {
            var logger = ready.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MlAspire.AppHost");
            var url = resource.GetEndpoint("http").Url;
            Log.ResourceHealthy(logger, resource.Name, url);
            return Task.CompletedTask;
        });
}
