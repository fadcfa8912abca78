using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace MlAspire.Gateway.Api.Services;

/// <summary>
/// The checks every submission passes, in order, before anything is stored: model name, top, Idempotency-Key,
/// known model (404), body size (413), media type (415), multipart framing (400), each image's header (422), and
/// then, atomically with storing, the queue bound (503 with Retry-After).
/// </summary>
internal sealed partial class JobSubmitter(
    ImageIntake intake, ModelDirectory models, JobStore store, IOptions<GatewayOptions> options, ILogger<JobSubmitter> logger)
{
    private readonly GatewayOptions _options = options.Value;

    /// <summary>
    /// Checks and stores a submission. <paramref name="beforeStoring"/> is called with the new jobs' ids just before
    /// they are stored (to start watching them); when the Idempotency-Key replays earlier jobs, the outcome names those.
    /// </summary>
    public async Task<SubmissionResult> SubmitAsync(
        HttpContext context, string? model, int? top, string? idempotencyKey, int maxImages,
        Action<IReadOnlyList<string>>? beforeStoring = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(model) || !ModelName().IsMatch(model))
        {
            return Fail(StatusCodes.Status400BadRequest, "Invalid model name",
                "Name the model with 'model' (1-128 characters: letters, digits, '.', '_', '-').");
        }

        if (top is < 1 or > 1000)
        {
            return Fail(StatusCodes.Status400BadRequest, "Invalid top", "'top' must be between 1 and 1000.");
        }

        if (idempotencyKey is not null && !IdempotencyKey().IsMatch(idempotencyKey))
        {
            return Fail(StatusCodes.Status400BadRequest, "Invalid Idempotency-Key", "Idempotency-Key must be 1-200 printable ASCII characters.");
        }

        if (!await models.IsKnownAsync(model, cancellationToken).ConfigureAwait(false))
        {
            return Fail(StatusCodes.Status404NotFound, "Unknown model", $"The inference service serves no model named '{model}'. GET /v1/models lists them.");
        }

        var upload = await intake.ReadAsync(context.Request, maxImages, cancellationToken).ConfigureAwait(false);
        if (upload.Error is { } error)
        {
            return new SubmissionResult(null, error.ToProblem());
        }

        var ids = JobStore.NewIds(upload.Images.Count);
        beforeStoring?.Invoke(ids);
        var outcome = await store.EnqueueAsync(
            model, top ?? _options.DefaultTop, upload.Images, ids, idempotencyKey, ApiKeyMiddleware.KeyName(context), cancellationToken).ConfigureAwait(false);
        if (outcome.IsQueueFull)
        {
            Log.QueueFull(logger, outcome.QueueDepth!.Value, upload.Images.Count, model);
            GatewayTelemetry.Shed.Add(upload.Images.Count);
            context.Response.Headers.RetryAfter = _options.QueueFullRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return Fail(StatusCodes.Status503ServiceUnavailable, "Queue full",
                "More jobs are queued than the workers can take now; nothing was accepted. Retry after the time in Retry-After.");
        }

        if (outcome.Replayed)
        {
            Log.IdempotentReplay(logger, outcome.JobIds.Count, outcome.JobIds[0]);
        }
        else
        {
            Log.JobsAccepted(logger, outcome.JobIds.Count, model, outcome.JobIds[0]);
        }

        return new SubmissionResult(outcome, null);
    }

    private static SubmissionResult Fail(int status, string title, string detail) =>
        new(null, TypedResults.Problem(detail, statusCode: status, title: title));

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex ModelName();

    [GeneratedRegex("^[\\x21-\\x7E]{1,200}$")]
    private static partial Regex IdempotencyKey();
}
