using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MlAspire.Hosting.Otlp.Proto.CollectorLogsV1;
using MlAspire.Hosting.Otlp.Proto.CollectorMetricsV1;
using MlAspire.Hosting.Otlp.Proto.CollectorTraceV1;

namespace MlAspire.Hosting.Otlp;

/// <summary>OTLP/HTTP receiver (https://opentelemetry.io/docs/specs/otlp/#otlphttp): <c>POST /v1/traces</c>,
/// <c>/v1/metrics</c>, <c>/v1/logs</c> with binary protobuf (<c>application/x-protobuf</c>), optionally gzip-encoded.
/// Bad bodies get 400, bodies over 8 MiB 413. OTLP/JSON is refused with 415 (its hex-encoded ids differ from
/// protobuf's JSON mapping, so a generic JSON parser would read them wrongly).</summary>
internal static class OtlpHttpApi
{
    public const int MaxBodyBytes = 8 * 1024 * 1024;
    public const string ApiKeyHeader = "x-otlp-api-key";

    public static void MapOtlpApi(this IEndpointRouteBuilder endpoints, TelemetryStore store, string? apiKey)
    {
        var key = apiKey is null ? null : Encoding.UTF8.GetBytes(apiKey);
        endpoints.MapPost("/v1/traces", context => ReceiveAsync(context, key, ExportTraceServiceRequest.Parser, s => store.Add(s), new ExportTraceServiceResponse()));
        endpoints.MapPost("/v1/metrics", context => ReceiveAsync(context, key, ExportMetricsServiceRequest.Parser, s => store.Add(s), new ExportMetricsServiceResponse()));
        endpoints.MapPost("/v1/logs", context => ReceiveAsync(context, key, ExportLogsServiceRequest.Parser, s => store.Add(s), new ExportLogsServiceResponse()));
    }

    private static async Task ReceiveAsync<T>(HttpContext context, byte[]? apiKey, MessageParser<T> parser, Func<T, int> add, IMessage response)
        where T : IMessage<T>
    {
        var request = context.Request;
        if (apiKey is not null)
        {
            var presented = Encoding.UTF8.GetBytes(request.Headers[ApiKeyHeader].ToString());
            if (!CryptographicOperations.FixedTimeEquals(presented, apiKey))
            {
                await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, $"missing or wrong {ApiKeyHeader} header").ConfigureAwait(false);
                return;
            }
        }

        var mediaType = request.ContentType?.Split(';', 2)[0].Trim().ToLowerInvariant();
        if (mediaType != "application/x-protobuf")
        {
            await WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, "Content-Type must be application/x-protobuf (OTLP/HTTP binary protobuf)").ConfigureAwait(false);
            return;
        }

        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        if (encoding is not ("" or "identity" or "gzip"))
        {
            await WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, $"unsupported Content-Encoding '{encoding}'").ConfigureAwait(false);
            return;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, $"body larger than {MaxBodyBytes} bytes").ConfigureAwait(false);
            return;
        }

        byte[] buffer;
        int length;
        try
        {
            (buffer, length) = await ReadBodyAsync(request.Body, encoding == "gzip", context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "body is not valid gzip").ConfigureAwait(false);
            return;
        }

        try
        {

            if (length > MaxBodyBytes)
            {
                await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, $"body larger than {MaxBodyBytes} bytes").ConfigureAwait(false);
                return;
            }

            try
            {
                add(parser.ParseFrom(buffer, 0, length));
            }
            catch (Exception ex) when (ex is InvalidProtocolBufferException or FormatException)
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"invalid OTLP protobuf body: {ex.Message}").ConfigureAwait(false);
                return;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-protobuf";
        await context.Response.Body.WriteAsync(response.ToByteArray(), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Reads at most <see cref="MaxBodyBytes"/> + 1 bytes (after gzip decoding) into a pooled buffer that
    /// grows as needed; the caller returns the buffer to the pool (on failure it is returned here).</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(Stream body, bool gzip, CancellationToken cancellationToken)
    {
        var source = gzip ? new GZipStream(body, CompressionMode.Decompress, leaveOpen: true) : body;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var length = 0;
            while (length <= MaxBodyBytes)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxBodyBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await source.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, MaxBodyBytes + 1) - length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return (buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        finally
        {
            if (gzip)
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message, context.RequestAborted).ConfigureAwait(false);
    }
}
