using System.Net.Http;

namespace MlAspire.Hosting.Orchestration;

/// <summary>Healthy when GET of the health URL answers 200 OK.</summary>
internal sealed class HttpHealthProbe(HttpClient client, Uri url) : IHealthProbe
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(2);

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_timeout);
        try
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return response.StatusCode == System.Net.HttpStatusCode.OK ? null : $"GET {url} returned {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex)
        {
            return $"GET {url} failed: {ex.Message}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"GET {url} timed out";
        }
    }
}
