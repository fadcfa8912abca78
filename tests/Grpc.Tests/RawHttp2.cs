using System.Net;
using System.Net.Http.Headers;

namespace MlAspire.Grpc.Tests;

/// <summary>Raw HTTP/2 (prior knowledge) requests for protocol tests that a well-behaved client would never send.</summary>
internal sealed class RawHttp2 : IDisposable
{
    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler { EnableMultipleHttp2Connections = false });

    public sealed record Result(HttpStatusCode HttpStatus, HttpResponseHeaders Headers, HttpResponseHeaders Trailers,
        byte[] Body, string? ContentType)
    {
        public string? Header(string name) => Headers.TryGetValues(name, out var v) ? v.First() : null;

        public string? Trailer(string name) => Trailers.TryGetValues(name, out var v) ? v.First() : null;

        /// <summary>grpc-status from the trailers, or from the headers of a trailers-only response.</summary>
        public string? GrpcStatus => Trailer("grpc-status") ?? Header("grpc-status");
    }

    public async Task<Result> PostAsync(Uri baseAddress, string path, byte[] body, CancellationToken cancellationToken,
        string contentType = "application/grpc", params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _invoker.SendAsync(request, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new Result(response.StatusCode, response.Headers, response.TrailingHeaders, bytes,
            response.Content.Headers.ContentType?.MediaType);
    }

    public static byte[] Frame(Google.Protobuf.IMessage message) =>
        Internal.GrpcMessageIO.SerializeFrame(message, int.MaxValue, false, System.IO.Compression.CompressionLevel.Fastest);

    public void Dispose() => _invoker.Dispose();
}
