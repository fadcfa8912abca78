using System.Collections.Concurrent;
using System.Diagnostics;
using MlAspire.Grpc.Internal;

namespace MlAspire.Grpc;

/// <summary>
/// A client connection to one or more server addresses (round-robin, skipping addresses that just failed to
/// connect). http:// uses HTTP/2 with prior knowledge, https:// uses TLS with ALPN h2. Thread-safe; share one.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private readonly ConcurrentDictionary<(int, string), Uri> _uris = new();
    private readonly bool _disposeHandler;

    private GrpcChannel(IReadOnlyList<Uri> addresses, GrpcChannelOptions options)
    {
        Options = options;
        Picker = new AddressPicker(addresses, options.ConnectFailureBackoff);
        var handler = options.HttpHandler ?? CreateHandler();
        _disposeHandler = options.HttpHandler is null || options.DisposeHttpHandler;
        Invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        Handler = handler;
        CallInvoker = new CallInvoker(this);
    }

    public IReadOnlyList<Uri> Addresses => Picker.Addresses;

    public CallInvoker CallInvoker { get; }

    internal GrpcChannelOptions Options { get; }

    internal AddressPicker Picker { get; }

    internal HttpMessageInvoker Invoker { get; }

    internal bool IsDisposed { get; private set; }

    private HttpMessageHandler Handler { get; }

    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null) =>
        ForAddresses([new Uri(address, UriKind.Absolute)], options);

    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null) =>
        ForAddresses([address], options);

    /// <summary>A channel over several addresses (e.g. every endpoint service discovery returned).</summary>
    public static GrpcChannel ForAddresses(IEnumerable<Uri> addresses, GrpcChannelOptions? options = null)
    {
        var list = addresses.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("At least one address is required.", nameof(addresses));
        }

        foreach (var address in list)
        {
            if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"Address '{address}' must be an absolute http:// or https:// URI.", nameof(addresses));
            }
        }

        options ??= new GrpcChannelOptions();
        if (options.MaxReceiveMessageSize <= 0 || options.MaxSendMessageSize <= 0)
        {
            throw new ArgumentException("Message size limits must be positive.", nameof(options));
        }

        if (options.ConnectFailureBackoff < TimeSpan.Zero)
        {
            throw new ArgumentException("ConnectFailureBackoff cannot be negative.", nameof(options));
        }

        return new GrpcChannel(list, options);
    }

    /// <summary>The handler the channel builds when none is given: HTTP/2, several connections, no second traceparent.</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        UseCookies = false,
        // The call injects traceparent itself; the handler's DiagnosticsHandler would add a second one.
        ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
    };

    internal Uri GetRequestUri(int index, IMethod method) =>
        _uris.GetOrAdd((index, method.FullName), static (key, addresses) =>
        {
            var baseUri = addresses[key.Item1];
            var path = baseUri.AbsolutePath.TrimEnd('/') + key.Item2;
            return new UriBuilder(baseUri) { Path = path, Query = string.Empty }.Uri;
        }, Picker.Addresses);

    public void Dispose()
    {
        if (IsDisposed)
        {
            return;
        }

        IsDisposed = true;
        Invoker.Dispose();
        if (_disposeHandler)
        {
            Handler.Dispose();
        }
    }
}
