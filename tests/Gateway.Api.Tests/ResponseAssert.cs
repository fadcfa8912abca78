using System.Net;

namespace MlAspire.Gateway.Api.Tests;

internal static class ResponseAssert
{
    /// <summary>
    /// Asserts the response's status; when it differs, the failure carries the body (the problem's title and detail),
    /// so that a run's summary line says which of the gateway's answers it was.
    /// </summary>
    public static async Task<HttpResponseMessage> HasStatusAsync(HttpStatusCode expected, Task<HttpResponseMessage> sending)
    {
        var response = await sending;
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Fail($"Expected {(int)expected} {expected}, got {(int)response.StatusCode} {response.StatusCode}: {body}");
        }

        return response;
    }
}
