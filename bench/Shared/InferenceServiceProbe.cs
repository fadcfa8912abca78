using System.Net;
using System.Net.Sockets;

namespace MlAspire.Bench;

/// <summary>What the bench drivers that start Inference.Service as a process share: a free loopback port, and a wait
/// until its <c>/health</c> reports the expected number of ready models.</summary>
internal static class InferenceServiceProbe
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task WaitReadyAsync(int httpPort, int models, TimeSpan timeout)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{httpPort}/health")).ConfigureAwait(false);
                if (body.Contains($"{models} model(s) ready", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not up yet
            }

            await Task.Delay(250).ConfigureAwait(false);
        }

        throw new TimeoutException($"The inference service did not report {models} ready models within {timeout}.");
    }
}
