namespace MlAspire.Grpc.Internal;

/// <summary>What the public call objects expose of a running call.</summary>
internal interface IGrpcCallState : IDisposable
{
    Task<Metadata> GetResponseHeadersAsync();

    Status GetStatus();

    Metadata GetTrailers();
}
