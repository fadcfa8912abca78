using Microsoft.Extensions.Primitives;

namespace MlAspire.Gateway.Api.Services;

/// <summary>
/// Requires a valid API key (<c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key</c>) on <c>/v1</c>; health and the
/// OpenAPI document stay open. Stores the key's name in <see cref="HttpContext.Items"/> for rate limiting and
/// idempotency scoping.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyStore keys, IProblemDetailsService problems, ILogger<ApiKeyMiddleware> logger)
{
    public const string ItemKey = "mlaspire.api-key";
    public const string Anonymous = "anonymous";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (!keys.Enabled)
        {
            context.Items[ItemKey] = Anonymous;
            await next(context).ConfigureAwait(false);
            return;
        }

        if (keys.TryAuthenticate(Presented(context.Request), out var name))
        {
            context.Items[ItemKey] = name;
            await next(context).ConfigureAwait(false);
            return;
        }

        Log.Unauthorized(logger);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = "A valid API key is required: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.",
            },
        }).ConfigureAwait(false);
    }

    /// <summary>The key's name for this request (set by the middleware).</summary>
    public static string KeyName(HttpContext context) => context.Items[ItemKey] as string ?? Anonymous;

    private static ReadOnlySpan<char> Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out StringValues apiKey) && apiKey.Count == 1)
        {
            return apiKey[0].AsSpan().Trim();
        }

        var authorization = request.Headers.Authorization;
        if (authorization.Count == 1 && authorization[0] is { } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return value.AsSpan(7).Trim();
        }

        return default;
    }
}
