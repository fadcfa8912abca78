using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using MlAspire.Gateway.Api.Model;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace MlAspire.Gateway.Api.Services;

/// <summary>
/// Writes a job's <see cref="JobStreamEvent"/>s as Server-Sent Events: <c>event: status</c> with the job as JSON for
/// each change, <c>event: error</c> with a problem object when the stream must end without the job's final state, and
/// a comment line (<c>: keep-alive</c>) otherwise, so proxies and clients keep an idle connection open. The framework's
/// <c>TypedResults.ServerSentEvents</c> writes no comments, hence this result.
/// </summary>
internal sealed class JobEventStreamResult(IAsyncEnumerable<JobStreamEvent> events) : IResult, IEndpointMetadataProvider
{
    private static readonly byte[] s_keepAlive = ": keep-alive\n\n"u8.ToArray();

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers.Pragma = "no-cache";
        httpContext.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
        var json = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var cancellationToken = httpContext.RequestAborted;
        try
        {
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            await foreach (var item in events.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (item.IsKeepAlive)
                {
                    await response.Body.WriteAsync(s_keepAlive, cancellationToken).ConfigureAwait(false);
                }
                else if (item.Job is { } job)
                {
                    await WriteEventAsync(response, "status", JsonSerializer.Serialize(job, json.GetTypeInfo(typeof(JobView))), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var problem = new Dictionary<string, object?> { ["title"] = "Event stream ended", ["status"] = StatusCodes.Status503ServiceUnavailable, ["detail"] = item.Error };
                    await WriteEventAsync(response, "error", JsonSerializer.Serialize(problem, json.GetTypeInfo(typeof(Dictionary<string, object?>))), cancellationToken).ConfigureAwait(false);
                }

                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(JobView), ["text/event-stream"]));
    }

    private static Task WriteEventAsync(HttpResponse response, string type, string data, CancellationToken cancellationToken) =>
        // JSON without indentation holds no line breaks, so the data fits one data: line.
        response.Body.WriteAsync(Encoding.UTF8.GetBytes("event: " + type + "\ndata: " + data + "\n\n"), cancellationToken).AsTask();
}
